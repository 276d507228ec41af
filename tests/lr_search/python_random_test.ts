import assert from "node:assert/strict";
import { type Libm, PythonRandom, seedWords } from "../../src/lr_search/python_random.ts";
import { FIXTURE, fromBits, recordedLibm, toBits } from "./_fixture.ts";

const { ops, float_args: floatArgs, cases } = FIXTURE.random;

function seedOf(s: string): number | bigint {
  const b = BigInt(s);
  return b >= -(2n ** 53n) && b <= 2n ** 53n ? Number(b) : b;
}

/** Runs one fixture op on the port and returns its result in the fixture's encoding. */
function runOp(r: PythonRandom, i: number): string | string[] {
  const [op, raw] = ops[i];
  const args = raw.map((a, j) => floatArgs[i][j] ? fromBits(a as string) : Number(a));
  const range = (n: number) => Array.from({ length: n }, (_, k) => k);
  switch (op) {
    case "random":
      return toBits(r.random());
    case "getrandbits":
      return r.getrandbits(args[0]).toString();
    case "randrange":
      return String(r.randrange(args[0], args[1], args[2]));
    case "randint":
      return String(r.randint(args[0], args[1]));
    case "uniform":
      return toBits(r.uniform(args[0], args[1]));
    case "choice":
      return String(r.choice(range(args[0])));
    case "sample":
      return r.sample(range(args[0]), args[1]).map(String);
    case "shuffle": {
      const x = range(args[0]);
      r.shuffle(x);
      return x.map(String);
    }
    case "gauss":
      return toBits(r.gauss(args[0], args[1]));
  }
  throw new Error(`unknown op ${op}`);
}

Deno.test("the fixture was written by Debian's python3 with every op and seed", () => {
  assert.match(FIXTURE.python, /^3\./);
  assert.equal(cases.length, 22);
  assert.equal(ops.length, 65);
  assert.ok(ops.some(([op]) => op === "sample") && ops.some(([op]) => op === "gauss"));
});

Deno.test("seedWords() splits |seed| into 32-bit words, least significant first", () => {
  assert.deepEqual([...seedWords(0)], [0]);
  assert.deepEqual([...seedWords(-3)], [3]);
  assert.deepEqual([...seedWords(2 ** 32)], [0, 1]);
  assert.deepEqual([...seedWords(2n ** 64n - 1n)], [0xffffffff, 0xffffffff]);
  assert.throws(() => seedWords(1.5), RangeError);
});

Deno.test("PythonRandom's raw MT19937 words equal Python's getrandbits(32) for 22 seeds", () => {
  for (const c of cases) {
    const r = new PythonRandom(seedOf(c.seed));
    let checksum = 0n;
    const first: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const w = r.nextUint32();
      if (i < 8) first.push(String(w));
      checksum += BigInt(i + 1) * BigInt(w);
    }
    assert.deepEqual(first, c.first_words, `seed ${c.seed}`);
    assert.equal((checksum % 2n ** 32n).toString(), c.words_checksum_5000, `seed ${c.seed}`);
  }
});

Deno.test("every op equals Python bit for bit (gauss with Python's recorded libm)", () => {
  const libm = recordedLibm();
  for (const c of cases) {
    const r = new PythonRandom(seedOf(c.seed), { libm });
    for (let i = 0; i < ops.length; i++) {
      assert.deepEqual(runOp(r, i), c.results[i], `seed ${c.seed}, op ${i} ${ops[i][0]}`);
    }
  }
  assert.equal(libm.misses, 0, "every cos/sin/log argument was one Python saw");
});

Deno.test("with JavaScript's Math, gauss differs from Python by at most 2 ulp, rarely", () => {
  let gauss = 0;
  let exact = 0;
  for (const c of cases) {
    const r = new PythonRandom(seedOf(c.seed));
    for (let i = 0; i < ops.length; i++) {
      const got = runOp(r, i);
      if (ops[i][0] !== "gauss") {
        assert.deepEqual(got, c.results[i]);
        continue;
      }
      gauss++;
      const want = fromBits(c.results[i] as string);
      const have = fromBits(got as string);
      if (have === want) exact++;
      else assert.ok(Math.abs(have - want) <= 4 * Number.EPSILON * Math.abs(want), `${have}`);
    }
  }
  assert.ok(exact >= 0.9 * gauss, `${exact} of ${gauss} exact`);
});

Deno.test("gauss caches its second value; seed() clears the cache", () => {
  const calls: string[] = [];
  const libm: Libm = {
    cos: (x) => (calls.push("cos"), Math.cos(x)),
    sin: (x) => (calls.push("sin"), Math.sin(x)),
    log: (x) => (calls.push("log"), Math.log(x)),
  };
  const r = new PythonRandom(7, { libm });
  const a = r.gauss();
  const b = r.gauss();
  assert.deepEqual(calls, ["log", "cos", "sin"]);
  r.seed(7);
  assert.equal(r.gauss(), a);
  assert.notEqual(a, b);
  r.seed(7);
  r.gauss();
  assert.equal(r.gauss(5, 2), 5 + 2 * b);
});

Deno.test("bad arguments are RangeErrors, as Python's ValueErrors", () => {
  const r = new PythonRandom(0);
  assert.throws(() => r.randrange(0), RangeError);
  assert.throws(() => r.randrange(3, 3), RangeError);
  assert.throws(() => r.randrange(0, 10, 0), RangeError);
  assert.throws(() => r.randrange(1.5), RangeError);
  assert.throws(() => r.sample([1, 2], 3), RangeError);
  assert.throws(() => r.choice([]), RangeError);
  assert.throws(() => r.getrandbits(-1), RangeError);
  assert.equal(r.getrandbits(0), 0n);
});
