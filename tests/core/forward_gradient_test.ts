import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { forwardGradient } from "../../src/core/forward_gradient.ts";
import { chiMean } from "../../src/core/lgamma.ts";
import { Rng } from "../../src/core/rng.ts";
import { scalingFactor } from "../../src/core/scaling.ts";
import { sampleTangents } from "../../src/core/tangents.ts";
import { batchedDirectionalDerivatives, batchedForwardGradient } from "../../src/core/batched.ts";
import { close, cpu, meanSe, read } from "./_helpers.ts";

await cpu();

Deno.test("forwardGradient() reshapes to tangents.shape[1:] and [..., B] for batched d", () => {
  const k = 3;
  const v = tf.tensor(sampleTangents(new Rng(0), "normal", k, 12), [k, 3, 4]);
  const d1 = tf.tensor1d([1, 2, 3]);
  const d2 = tf.tensor2d([[1, 0], [2, 1], [3, 0]]);
  const a = forwardGradient(v, d1, "orthogonal_projection");
  const b = forwardGradient(v, d2, "mean");
  assert.deepEqual(a.shape, [3, 4]);
  assert.deepEqual(b.shape, [3, 4, 2]);
  const bm = read(b);
  const m1 = read(forwardGradient(v, d1, "mean"));
  for (let i = 0; i < 12; i++) close(bm[i * 2], m1[i], 1e-6);
  tf.dispose([v, d1, d2, a]);
});

Deno.test("forwardGradient() applies the scaling correction or a given factor", () => {
  const k = 2, n = 8;
  const v = tf.tensor2d(sampleTangents(new Rng(1), "normal", k, n), [k, n]);
  const d = tf.tensor1d([0.5, -1]);
  const plain = read(forwardGradient(v, d, "mean"));
  const f = scalingFactor("mean", k, n, Math.sqrt(n));
  const corrected = read(
    forwardGradient(v, d, "mean", {
      scalingCorrection: true,
      expectedTangentLength: (m) => Math.sqrt(m),
    }),
  );
  const given = read(
    forwardGradient(v, d, "mean", { scalingCorrection: true, correctionFactor: 3 }),
  );
  for (let i = 0; i < n; i++) {
    close(corrected[i], f * plain[i], 1e-5 * (1 + Math.abs(f * plain[i])));
    close(given[i], 3 * plain[i], 1e-5);
  }
  tf.dispose([v, d]);
});

Deno.test("forwardGradient() rejects unknown aggregations and mismatched d", () => {
  const v = tf.tensor2d([[1, 0]]);
  assert.throws(
    () => forwardGradient(v, tf.tensor1d([1]), "avg"),
    /Unknown aggregation "avg": expected one of mean, sum/,
  );
  assert.throws(() => forwardGradient(v, tf.tensor1d([1, 2]), "mean"), TypeError);
  v.dispose();
});

Deno.test("forwardGradient() does not leak tensors", () => {
  const v = tf.tensor2d(sampleTangents(new Rng(2), "normal", 4, 6), [4, 6]);
  const d = tf.tensor1d([1, 2, 3, 4]);
  const before = tf.memory().numTensors;
  for (const a of ["mean", "sum", "orthogonal_projection"]) {
    forwardGradient(v, d, a, { scalingCorrection: true }).dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([v, d]);
});

// Monte-Carlo oracles (verification-notes.md: exact in expectation), checked
// within 5 standard errors of the sample's own spread.
const S = 4000;
function draw(k: number, n: number, seed: number, normalize = false) {
  const rng = new Rng(seed, "mc", k, n);
  const v = new Float32Array(S * k * n);
  for (let s = 0; s < S; s++) {
    sampleTangents(rng, "normal", k, n, { normalize, out: v.subarray(s * k * n, (s + 1) * k * n) });
  }
  const g = new Float32Array(n).map((_, i) => 1 + (i % 3));
  return { v, g, d: batchedDirectionalDerivatives(v, S, k, n, g) };
}
const stat = (f: Float32Array, n: number, fn: (row: Float32Array) => number) =>
  Float64Array.from({ length: S }, (_, s) => fn(f.subarray(s * n, (s + 1) * n)));
const dotp = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

Deno.test("mean is unbiased and E‖ḡ‖² = ‖g‖²(n+k+1)/k", () => {
  const k = 4, n = 8;
  const { v, g, d } = draw(k, n, 1);
  const f = batchedForwardGradient(v, S, k, n, d, "mean");
  for (let i = 0; i < n; i++) {
    const { mean, se } = meanSe(stat(f, n, (r) => r[i]));
    close(mean, g[i], 5 * se, `E[fg_${i}]`);
  }
  const gg = dotp(g, g);
  const { mean, se } = meanSe(stat(f, n, (r) => dotp(r, r)));
  close(mean, (gg * (n + k + 1)) / k, 5 * se, "E‖ḡ‖²");
});

Deno.test("frog E[cos] = E[χ_k]/E[χ_n] and single-tangent E[cos] = E[χ_1]/E[χ_n]", () => {
  const n = 16;
  for (const k of [1, 4]) {
    const { v, g, d } = draw(k, n, 2);
    const gn = Math.sqrt(dotp(g, g));
    for (const agg of k === 1 ? ["orthogonal_projection", "sum"] : ["orthogonal_projection"]) {
      const f = batchedForwardGradient(v, S, k, n, d, agg);
      const { mean, se } = meanSe(stat(f, n, (r) => dotp(r, g) / (gn * Math.sqrt(dotp(r, r)))));
      close(mean, chiMean(k) / chiMean(n), 5 * se, `${agg} k=${k} E[cos]`);
    }
  }
});

Deno.test("mean with normalised tangents has E[g·fg] = ‖g‖²/n", () => {
  const k = 4, n = 12;
  const { v, g, d } = draw(k, n, 3, true);
  const f = batchedForwardGradient(v, S, k, n, d, "mean");
  const { mean, se } = meanSe(stat(f, n, (r) => dotp(r, g)));
  close(mean, dotp(g, g) / n, 5 * se, "E[g·fg]");
});

Deno.test("sum has E[g·fg] = k‖g‖² and is k times the mean sample by sample", () => {
  const k = 3, n = 6;
  const { v, g, d } = draw(k, n, 4);
  const sum = batchedForwardGradient(v, S, k, n, d, "sum");
  const mean = batchedForwardGradient(v, S, k, n, d, "mean");
  for (let i = 0; i < 50; i++) close(sum[i], k * mean[i], 1e-5 * (1 + Math.abs(sum[i])));
  const { mean: m, se } = meanSe(stat(sum, n, (r) => dotp(r, g)));
  close(m, k * dotp(g, g), 5 * se, "E[g·sum]");
});
