import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../src/cli/usage_error.ts";
import { loadMathLrTable } from "../../src/lrs/math.ts";
import { lrTableCheck } from "../../src/stages/_lr_tables.ts";

Deno.test("lrTableCheck() turns a malformed LR table into one usage line naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "math.csv");
    await Deno.writeTextFile(path, "function,n,approach,lr\nsphere,2,bp,not-a-number\n");
    assert.throws(
      () => lrTableCheck(() => loadMathLrTable(path)),
      (e: unknown) =>
        e instanceof UsageError && e.message.includes(path) && !e.message.includes("\n"),
    );
    // a well-formed plan passes, and other errors are not disguised as usage errors
    lrTableCheck(() => 1);
    assert.throws(() =>
      lrTableCheck(() => {
        throw new TypeError("bug");
      }), TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
