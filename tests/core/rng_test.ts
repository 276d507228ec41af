import assert, {
  deepEqual as assertEquals,
  notDeepEqual as assertNotEquals,
} from "node:assert/strict";
import { Rng } from "../../src/core/rng.ts";

Deno.test("Rng gives the same numbers for the same seed and stream", () => {
  const a = new Rng(7, "tangents", 16).normal(new Float32Array(1001));
  const b = new Rng(7, "tangents", 16).normal(new Float32Array(1001));
  assertEquals(Array.from(a), Array.from(b));
});

Deno.test("Rng streams differ by seed and by path", () => {
  const base = Array.from(new Rng(0, "x").normal(new Float32Array(8)));
  assertNotEquals(Array.from(new Rng(1, "x").normal(new Float32Array(8))), base);
  assertNotEquals(Array.from(new Rng(0, "y").normal(new Float32Array(8))), base);
  assertNotEquals(Array.from(new Rng(0, "x", 1).normal(new Float32Array(8))), base);
  assertEquals(Array.from(new Rng(0).fork("x").normal(new Float32Array(8))), base);
});

Deno.test("Rng.normal has mean 0 and variance 1 within 5 standard errors", () => {
  const n = 200_000;
  const x = new Rng(3, "moments").normal(new Float64Array(n));
  let m = 0, v = 0, m4 = 0;
  for (const xi of x) m += xi;
  m /= n;
  for (const xi of x) {
    v += (xi - m) ** 2;
    m4 += (xi - m) ** 4;
  }
  v /= n - 1;
  m4 /= n;
  assert(Math.abs(m) < 5 / Math.sqrt(n), `mean ${m}`);
  // Var of the sample variance of a normal is 2/n.
  assert(Math.abs(v - 1) < 5 * Math.sqrt(2 / n), `variance ${v}`);
  // Fourth moment 3, its standard error sqrt(96/n).
  assert(Math.abs(m4 - 3) < 5 * Math.sqrt(96 / n), `fourth moment ${m4}`);
});

Deno.test("Rng.normal continues one stream across calls of any length", () => {
  const whole = new Rng(5, "split").normal(new Float64Array(11));
  const r = new Rng(5, "split");
  const parts = [...r.normal(new Float64Array(3)), ...r.normal(new Float64Array(8))];
  assertEquals(parts, Array.from(whole));
});

Deno.test("Rng.nextFloat and uniform stay in range with the right mean", () => {
  const r = new Rng(11, "u");
  const n = 100_000;
  const u = r.uniform(new Float64Array(n), 1, 4);
  let m = 0;
  for (const x of u) {
    assert(x >= 1 && x < 4);
    m += x;
  }
  m /= n;
  // Uniform[1,4): mean 2.5, sd 3/sqrt(12).
  assert(Math.abs(m - 2.5) < 5 * (3 / Math.sqrt(12)) / Math.sqrt(n), `mean ${m}`);
});

Deno.test("Rng.rademacher draws ±1 with probability ½", () => {
  const n = 100_000;
  const x = new Rng(2, "r").rademacher(new Float32Array(n));
  let plus = 0;
  for (const v of x) {
    assert(v === 1 || v === -1);
    if (v === 1) plus++;
  }
  assert(Math.abs(plus / n - 0.5) < 5 * 0.5 / Math.sqrt(n));
});

Deno.test("Rng.permutation is a permutation and nextInt rejects bad n", () => {
  const p = new Rng(1, "p").permutation(1000);
  assertEquals([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assertNotEquals(Array.from(p), Array.from({ length: 1000 }, (_, i) => i));
  const r = new Rng(1);
  let threw = false;
  try {
    r.nextInt(0);
  } catch (e) {
    threw = e instanceof RangeError;
  }
  assert(threw, "nextInt(0) must throw a RangeError");
});

Deno.test("Rng rejects a negative or fractional seed", () => {
  for (const bad of [-1, 0.5, Number.NaN]) {
    let threw = false;
    try {
      new Rng(bad);
    } catch (e) {
      threw = e instanceof RangeError;
    }
    assert(threw, `seed ${bad} must throw`);
  }
});
