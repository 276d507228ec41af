import assert from "node:assert/strict";
import { chiMean } from "../../src/core/lgamma.ts";
import { expectedTangentLength, scalingFactor } from "../../src/core/scaling.ts";
import { close } from "./_helpers.ts";

Deno.test("scalingFactor() follows spec §1.5 for frog, mean and sum", () => {
  close(scalingFactor("orthogonal_projection", 4, 16), chiMean(16) / chiMean(4), 1e-14);
  assert.equal(scalingFactor("orthogonal_projection", 16, 16), 1);
  assert.equal(scalingFactor("orthogonal_projection", 32, 16), 1);
  close(scalingFactor("mean", 1, 100, 10), 1 / (100 * Math.sqrt(2 / (Math.PI * 100))), 1e-12);
  close(scalingFactor("mean", 4, 100, 1), 1 / (Math.sqrt(104 / 5) / 100), 1e-12);
  close(scalingFactor("sum", 4, 100, 1), scalingFactor("mean", 4, 100, 1) / 4, 1e-14);
  // L = 0 counts as 1 ("L or 1").
  assert.equal(scalingFactor("mean", 4, 100, 0), scalingFactor("mean", 4, 100, 1));
});

Deno.test("scalingFactor() is finite for k and n up to 1e6", () => {
  for (const agg of ["orthogonal_projection", "mean", "sum"]) {
    for (const [k, n] of [[1, 1e6], [1000, 1e6], [1e6, 1e6], [16, 2e6], [343, 500], [499, 500]]) {
      const f = scalingFactor(agg, k, n, Math.sqrt(n));
      assert.ok(Number.isFinite(f) && f > 0, `${agg} k=${k} n=${n}: ${f}`);
    }
  }
});

Deno.test("scalingFactor() rejects other aggregations and bad sizes", () => {
  assert.throws(() => scalingFactor("max", 1, 2), /orthogonal_projection, mean, sum/);
  assert.throws(() => scalingFactor("mean", 0, 2), RangeError);
  assert.throws(() => scalingFactor("mean", 2, 1.5), RangeError);
});

Deno.test("expectedTangentLength() is 1 for normalised tangents and √n for normal ones", () => {
  assert.equal(expectedTangentLength("normal", 64, true), 1);
  assert.equal(expectedTangentLength("normal", 64, false), 8);
  assert.throws(() => expectedTangentLength("rademacher", 64, false), /normal/);
});
