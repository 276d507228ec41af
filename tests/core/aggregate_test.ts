import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import {
  aggregate,
  AGGREGATIONS,
  orthogonalProjection,
  selectSubset,
} from "../../src/core/aggregate.ts";
import { Rng } from "../../src/core/rng.ts";
import { sampleTangents } from "../../src/core/tangents.ts";
import { close, cpu, read } from "./_helpers.ts";

await cpu();

function setup(k: number, n: number, seed = 0, B = 1) {
  const rng = new Rng(seed, "test", k, n);
  const v = sampleTangents(rng, "normal", k, n);
  const g = rng.zigguratNormal(new Float32Array(n * B));
  const V = tf.tensor2d(v, [k, n]);
  const G = tf.tensor2d(g, [n, B]);
  const d = tf.matMul(V, G) as tf.Tensor2D;
  return { v, g, V, G, d };
}

Deno.test("orthogonalProjection() returns the gradient when k = n", () => {
  for (const n of [1, 4, 16, 64]) {
    const { g, V, G, d } = setup(n, n, 1);
    const fg = read(orthogonalProjection(V, d));
    let err = 0, norm = 0;
    for (let i = 0; i < n; i++) {
      err += (fg[i] - g[i]) ** 2;
      norm += g[i] ** 2;
    }
    assert.ok(Math.sqrt(err / norm) < 1e-4, `n=${n}: relative error ${Math.sqrt(err / norm)}`);
    tf.dispose([V, G, d]);
  }
});

Deno.test("orthogonalProjection() of one tangent is d·v/‖v‖²", () => {
  const { v, V, G, d } = setup(1, 32, 2);
  const fg = read(orthogonalProjection(V, d));
  const dv = d.dataSync()[0];
  const vv = v.reduce((a, x) => a + x * x, 0);
  for (let i = 0; i < 32; i++) close(fg[i], (dv * v[i]) / vv, 1e-5, `entry ${i}`);
  tf.dispose([V, G, d]);
});

Deno.test("orthogonalProjection() is invariant to rescaling and recombining the tangents", () => {
  const k = 5, n = 40;
  const { V, G, d } = setup(k, n, 3);
  const base = read(orthogonalProjection(V, d));
  const M = tf.tensor2d(new Rng(9, "mix").zigguratNormal(new Float32Array(k * k)), [k, k]);
  const V2 = tf.matMul(M, V) as tf.Tensor2D;
  const d2 = tf.matMul(V2, G) as tf.Tensor2D;
  const mixed = read(orthogonalProjection(V2, d2));
  const V3 = tf.mul(V, tf.tensor2d([[3], [0.1], [-2], [7], [0.5]]));
  const d3 = tf.matMul(V3, G) as tf.Tensor2D;
  const scaled = read(orthogonalProjection(V3 as tf.Tensor2D, d3));
  for (let i = 0; i < n; i++) {
    close(mixed[i], base[i], 1e-3 * (1 + Math.abs(base[i])), `mixed ${i}`);
    close(scaled[i], base[i], 1e-4 * (1 + Math.abs(base[i])), `scaled ${i}`);
  }
  tf.dispose([V, G, d, M, V2, d2, V3, d3]);
});

Deno.test("orthogonalProjection() gives the projection: g·fg = ‖fg‖² and fg ⊥ (g − fg)", () => {
  const { g, V, G, d } = setup(6, 50, 4);
  const fg = read(orthogonalProjection(V, d));
  let dot = 0, ff = 0;
  for (let i = 0; i < 50; i++) {
    dot += g[i] * fg[i];
    ff += fg[i] * fg[i];
  }
  close(dot, ff, 1e-4 * ff, "g·fg vs ‖fg‖²");
  tf.dispose([V, G, d]);
});

Deno.test("orthogonalProjection() handles batched d column by column", () => {
  const k = 3, n = 10, B = 4;
  const { V, G, d } = setup(k, n, 5, B);
  const batched = read(orthogonalProjection(V, d)); // [n, B]
  for (let b = 0; b < B; b++) {
    const col = tf.slice(d, [0, b], [k, 1]) as tf.Tensor2D;
    const one = read(orthogonalProjection(V, col));
    for (let i = 0; i < n; i++) close(batched[i * B + b], one[i], 1e-5, `(${i}, ${b})`);
    col.dispose();
  }
  tf.dispose([V, G, d]);
});

Deno.test("orthogonalProjection() subset rules keep n of k > n tangents", () => {
  const k = 6, n = 3;
  const { g, V, G, d } = setup(k, n, 6);
  for (const rule of ["first_n", "max", "min"] as const) {
    const fg = read(orthogonalProjection(V, d, { subset: rule }));
    for (let i = 0; i < n; i++) close(fg[i], g[i], 1e-4 * (1 + Math.abs(g[i])), `${rule} ${i}`);
  }
  const scores = Float64Array.of(0.5, 3, 1, 2, 0.1, 4);
  assert.deepEqual(Array.from(selectSubset("first_n", 6, 3)), [0, 1, 2]);
  assert.deepEqual(Array.from(selectSubset("max", 6, 3, () => scores)), [1, 3, 5]);
  assert.deepEqual(Array.from(selectSubset("min", 6, 3, () => scores)), [0, 2, 4]);
  assert.throws(() => selectSubset("best" as "max", 6, 3, () => scores), /first_n, max, min/);
  tf.dispose([V, G, d]);
});

Deno.test("orthogonalProjection() with n = 1 and k = 2 uses the first tangent and returns g", () => {
  const V = tf.tensor2d([[2], [0]]);
  const d = tf.tensor2d([[6], [0]]);
  assert.deepEqual(Array.from(read(orthogonalProjection(V, d))), [3]);
  tf.dispose([V, d]);
});

Deno.test("orthogonalProjection() rejects linearly dependent tangents with a clear error", () => {
  const V = tf.tensor2d([[1, 2, 3], [1, 2, 3]]);
  const d = tf.tensor2d([[1], [1]]);
  assert.throws(() => orthogonalProjection(V, d), /linearly independent/);
  tf.dispose([V, d]);
});

Deno.test("orthogonalProjection() falls back to least squares for an ill-conditioned Gram and reports it", () => {
  const eps = 1e-3;
  const V = tf.tensor2d([[1, 0, 0], [1, eps, 0]]);
  const d = tf.tensor2d([[1], [1 + eps]]);
  const infos: { method: string; condition: number }[] = [];
  const fg = read(orthogonalProjection(V, d, { onGramSolve: (i) => infos.push(i) }));
  assert.equal(infos.length, 1);
  assert.ok(infos[0].condition > 1e6, `condition ${infos[0].condition}`);
  assert.equal(infos[0].method, "lstsq");
  assert.ok(fg.every(Number.isFinite));
  tf.dispose([V, d]);
});

Deno.test("aggregate(): sum = k·mean, mean_times_dim = n·mean", () => {
  const k = 4, n = 12;
  const { V, G, d } = setup(k, n, 7);
  const mean = read(aggregate(V, d, "mean"));
  const sum = read(aggregate(V, d, "sum"));
  const mtd = read(aggregate(V, d, "mean_times_dim"));
  for (let i = 0; i < n; i++) {
    close(sum[i], k * mean[i], 1e-5 * (1 + Math.abs(sum[i])), `sum ${i}`);
    close(mtd[i], n * mean[i], 1e-4 * (1 + Math.abs(mtd[i])), `mtd ${i}`);
  }
  tf.dispose([V, G, d]);
});

Deno.test("aggregate(): max, max_normalized and mean_of_top_k pick the right tangents", () => {
  const V = tf.tensor2d([[1, 0], [0, 10], [0.1, 0.1]]);
  const d = tf.tensor2d([[2], [-5], [0.3]]);
  // |d| = 2, 5, 0.3 → max picks row 1; |d|/‖v‖ = 2, 0.5, 2.12 → max_normalized picks row 2.
  assert.deepEqual(Array.from(read(aggregate(V, d, "max")), (x) => x + 0), [0, -50]);
  const mn = read(aggregate(V, d, "max_normalized"));
  close(mn[0], 0.03, 1e-6);
  close(mn[1], 0.03, 1e-6);
  // top: c ≥ 2.12 − 0.1 keeps rows 2 only (row 0 has 2.0 < 2.02); divisor k = 3.
  const top = read(aggregate(V, d, "mean_of_top_k"));
  close(top[0], 0.03 / 3, 1e-7);
  tf.dispose([V, d]);
});

Deno.test("aggregate() rejects unknown keys listing the valid ones", () => {
  const V = tf.tensor2d([[1]]);
  const d = tf.tensor2d([[1]]);
  assert.throws(() => aggregate(V, d, "median"), new RegExp(AGGREGATIONS.join(", ")));
  assert.throws(() => aggregate(V, tf.tensor2d([[1], [2]]), "mean"), TypeError);
  tf.dispose([V, d]);
});

Deno.test("aggregate() frees its intermediate tensors", () => {
  const { V, G, d } = setup(4, 20, 8);
  const before = tf.memory().numTensors;
  for (const a of AGGREGATIONS) aggregate(V, d, a).dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([V, G, d]);
});
