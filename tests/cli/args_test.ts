import assert, { deepEqual as assertEquals } from "node:assert/strict";
import {
  listOf,
  nonNegativeInt,
  numberIn,
  parseDecimal,
  parseFlags,
  positiveInt,
  positiveNumber,
  UsageError,
} from "../../src/cli/args.ts";

const options = {
  k: { type: "string", multiple: true },
  lr: { type: "string" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
const help = { k: "tangent counts, e.g. 1,4,16", lr: "learning rate" };

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UsageError, `not a UsageError: ${e}`);
    assert.ok(!e.message.includes("\n"), `more than one line: ${e.message}`);
    return e.message;
  }
  throw new Error("no UsageError");
}

Deno.test("parseDecimal() reads plain decimals only: no hex, octal, binary, Infinity or blanks", () => {
  assertEquals(parseDecimal("16"), 16);
  assertEquals(parseDecimal(" -0.5 "), -0.5);
  assertEquals(parseDecimal("1e-3"), 1e-3);
  assertEquals(parseDecimal(".5"), 0.5);
  for (
    const bad of ["0x10", "0o7", "0b11", "Infinity", "-Infinity", "", " ", "1_000", "1e", "NaN"]
  ) {
    assert.ok(Number.isNaN(parseDecimal(bad)), bad);
  }
  assert.ok(Number.isNaN(parseDecimal("1e3", true)));
  assert.ok(Number.isNaN(parseDecimal("2.0", true)));
  assertEquals(parseDecimal("-7", true), -7);
});

Deno.test("every numeric validator rejects 0x10 and negative numbers naming the flag", () => {
  assertEquals(usage(() => positiveNumber("lr", "0x10")), '--lr must be a number > 0, got "0x10"');
  assertEquals(usage(() => positiveNumber("lr", "-0.1")), '--lr must be a number > 0, got "-0.1"');
  assertEquals(usage(() => positiveInt("k", "0x10")), '--k must be a positive integer, got "0x10"');
  assertEquals(usage(() => positiveInt("k", "-1")), '--k must be a positive integer, got "-1"');
  assertEquals(
    usage(() => nonNegativeInt("seeds", "-2")),
    '--seeds must be a non-negative integer, got "-2"',
  );
  assertEquals(
    usage(() => numberIn("scale", "0x10", 0, 100)),
    '--scale must be a number in [0, 100], got "0x10"',
  );
  assertEquals(positiveNumber("lr", "1e-3"), 1e-3);
  assertEquals(numberIn("x", "-3"), -3);
});

Deno.test("listOf() rejects a value listed twice, also across repeated flags", () => {
  assertEquals(listOf("n", "1,4 16", (s) => positiveInt("n", s)), [1, 4, 16]);
  assertEquals(
    usage(() => listOf("n", "4,4", (s) => positiveInt("n", s))),
    '--n must list each value once, got "4" twice',
  );
  assertEquals(
    usage(() => listOf("k", ["1,2", "02"], (s) => positiveInt("k", s))),
    '--k must list each value once, got "02" twice',
  );
});

Deno.test("parseFlags() hands a negative number to the flag's validator instead of parseArgs' 'ambiguous' text", () => {
  const { values } = parseFlags(["--k", "-1", "--lr", "-0.1", "--k", "-.5"], options, { help });
  assertEquals(values.k, ["-1", "-.5"]);
  assertEquals(values.lr, "-0.1");
  assertEquals(
    usage(() => positiveNumber("lr", values.lr!)),
    '--lr must be a number > 0, got "-0.1"',
  );
});

Deno.test("parseFlags() turns every parseArgs error into one line naming the flag", () => {
  assertEquals(
    usage(() => parseFlags(["--k"], options, { help })),
    "--k needs a value (tangent counts, e.g. 1,4,16)",
  );
  assertEquals(
    usage(() => parseFlags(["--lr", "--force"], options, { help })),
    '--lr needs a value (learning rate); write --lr=<value> for a value starting with "-"',
  );
  assertEquals(
    usage(() => parseFlags(["--bogus"], options)),
    "unknown flag --bogus; allowed flags: --k, --lr, --force, --help",
  );
  assertEquals(
    usage(() => parseFlags(["--force", "-1"], options)),
    "unknown flag -1; allowed flags: --k, --lr, --force, --help",
  );
  assertEquals(
    usage(() => parseFlags(["--force=yes"], options)),
    "--force is a switch and takes no value; allowed flags: --k, --lr, --force, --help",
  );
  assertEquals(
    usage(() => parseFlags(["page.html"], options)),
    'unexpected argument "page.html"; allowed flags: --k, --lr, --force, --help',
  );
  assertEquals(parseFlags(["page.html"], options, { allowPositionals: true }).positionals, [
    "page.html",
  ]);
});
