import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.ts";

Deno.test("Rng.zigguratNormal() is reproducible and independent of how draws are split", () => {
  const whole = new Rng(5, "z").zigguratNormal(new Float32Array(5000));
  const r = new Rng(5, "z");
  const parts = [
    r.zigguratNormal(new Float32Array(7)),
    r.zigguratNormal(new Float32Array(1500)),
    r.zigguratNormal(new Float32Array(3493)),
  ];
  assert.deepEqual(Array.from(parts.flatMap((p) => Array.from(p))), Array.from(whole));
  assert.notDeepEqual(
    Array.from(new Rng(6, "z").zigguratNormal(new Float32Array(8))),
    Array.from(whole.slice(0, 8)),
  );
});

Deno.test("Rng.zigguratNormal() has normal moments and tails within 5 standard errors", () => {
  const n = 1_000_000;
  const x = new Rng(11, "moments").zigguratNormal(new Float64Array(n));
  let m = 0, v = 0, m4 = 0, tail = 0;
  for (const xi of x) {
    m += xi;
    v += xi * xi;
    m4 += xi ** 4;
    if (Math.abs(xi) > 3) tail++;
  }
  m /= n;
  v /= n;
  m4 /= n;
  assert.ok(Math.abs(m) < 5 / Math.sqrt(n), `mean ${m}`);
  assert.ok(Math.abs(v - 1) < 5 * Math.sqrt(2 / n), `variance ${v}`);
  assert.ok(Math.abs(m4 - 3) < 5 * Math.sqrt(96 / n), `fourth moment ${m4}`);
  const p = 0.0026997960632601866; // P(|Z| > 3)
  assert.ok(Math.abs(tail / n - p) < 5 * Math.sqrt(p * (1 - p) / n), `tail ${tail / n}`);
});
