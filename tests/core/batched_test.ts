import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { AGGREGATIONS } from "../../src/core/aggregate.ts";
import {
  batchedCombine,
  batchedDirectionalDerivatives,
  batchedForwardGradient,
  batchedGram,
  projectionQuadraticForm,
  solveProjectionWeights,
  squareProjection,
} from "../../src/core/batched.ts";
import { forwardGradient } from "../../src/core/forward_gradient.ts";
import { Rng } from "../../src/core/rng.ts";
import { sampleTangents } from "../../src/core/tangents.ts";
import { close, cpu, read } from "./_helpers.ts";
import { initBackend } from "../../src/backend.ts";

await cpu();

function batch(S: number, k: number, n: number, seed: number) {
  const v = new Float32Array(S * k * n);
  const rng = new Rng(seed, "batched");
  for (let s = 0; s < S; s++) {
    sampleTangents(rng, "normal", k, n, { out: v.subarray(s * k * n, (s + 1) * k * n) });
  }
  const g = new Float32Array(n).fill(1);
  return { v, g, d: batchedDirectionalDerivatives(v, S, k, n, g) };
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`batchedForwardGradient() agrees with forwardGradient() per sample for every aggregation (${backend})`, async () => {
    await initBackend(backend);
    for (const [k, n] of [[3, 7], [12, 10], [16, 16]]) {
      const S = 5;
      const { v, d } = batch(S, k, n, k);
      for (const agg of AGGREGATIONS) {
        const many = batchedForwardGradient(v, S, k, n, d, agg);
        for (let s = 0; s < S; s++) {
          const V = tf.tensor2d(v.slice(s * k * n, (s + 1) * k * n), [k, n]);
          const D = tf.tensor1d(Float32Array.from(d.subarray(s * k, (s + 1) * k)));
          const one = read(forwardGradient(V, D, agg));
          for (let i = 0; i < n; i++) {
            close(
              many[s * n + i],
              one[i],
              2e-3 * (1 + Math.abs(one[i])),
              `${agg} k=${k} n=${n} s=${s} i=${i}`,
            );
          }
          tf.dispose([V, D]);
        }
      }
    }
    await initBackend("cpu");
  });

  Deno.test(`batchedGram() and batchedCombine() match direct products (${backend})`, async () => {
    await initBackend(backend);
    // wasm per-sample route: 64 symmetric halves, 128 quarters, 512 eighths.
    for (const k of [2, 20, 64, 128, 512]) {
      const S = 3, n = 9;
      const { v } = batch(S, k, n, 7);
      const G = batchedGram(v, S, k, n);
      const w = new Rng(1).zigguratNormal(new Float64Array(S * 2 * k));
      const F = batchedCombine(v, S, k, n, w, 2);
      for (let s = 0; s < S; s++) {
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            let acc = 0;
            for (let t = 0; t < n; t++) acc += v[(s * k + i) * n + t] * v[(s * k + j) * n + t];
            close(G[(s * k + i) * k + j], acc, 1e-4 * (1 + Math.abs(acc)));
          }
        }
        for (let r = 0; r < 2; r++) {
          for (let t = 0; t < n; t++) {
            let acc = 0;
            for (let j = 0; j < k; j++) acc += w[(s * 2 + r) * k + j] * v[(s * k + j) * n + t];
            close(F[(s * 2 + r) * n + t], acc, 1e-4 * (1 + Math.abs(acc)));
          }
        }
      }
      assert.equal(batchedGram(v, S, k, n, 1).length, S);
      if (k === 512) {
        // The leading rows of each sample (a Gram block of a larger k).
        const lead = batchedGram(v, S, k, n, 256);
        for (let s = 0; s < S; s++) {
          for (let i = 0; i < 256; i += 17) {
            for (let j = 0; j < 256; j += 13) {
              close(
                lead[(s * 256 + i) * 256 + j],
                G[(s * k + i) * k + j],
                1e-4 * (1 + Math.abs(G[(s * k + i) * k + j])),
              );
            }
          }
        }
      }
    }
    await initBackend("cpu");
  });
}

Deno.test("batchedForwardGradient() frog with k = n returns g to float precision at n = 256", () => {
  const S = 3, n = 256;
  const { v, g, d } = batch(S, n, n, 11);
  const f = batchedForwardGradient(v, S, n, n, d, "orthogonal_projection");
  for (let s = 0; s < S; s++) {
    let err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(f[s * n + i] - g[i]));
    assert.ok(err < 1e-3, `sample ${s}: max error ${err}`);
  }
});

Deno.test("batchedForwardGradient() frog subset rules for k > n return g", () => {
  const S = 4, k = 8, n = 3;
  const { v, g, d } = batch(S, k, n, 12);
  for (const subset of ["first_n", "max", "min"] as const) {
    const f = batchedForwardGradient(v, S, k, n, d, "orthogonal_projection", { subset });
    for (let i = 0; i < S * n; i++) close(f[i], g[i % n], 1e-3, `${subset} ${i}`);
  }
});

Deno.test("batchedForwardGradient() rejects unknown aggregations and wrong sizes", () => {
  const { v, d } = batch(2, 2, 3, 13);
  assert.throws(() => batchedForwardGradient(v, 2, 2, 3, d, "median"), /Unknown aggregation/);
  assert.throws(() => batchedForwardGradient(v, 2, 2, 4, d, "mean"), TypeError);
});

Deno.test("batchedForwardGradient() frog throws on dependent tangents unless allowRankDeficient, which projects onto their span", () => {
  const n = 6;
  const { v } = batch(1, 3, n, 14);
  v.set(v.subarray(0, n), 2 * n); // third tangent = first
  const g = new Float32Array(n).map((_, i) => i - 2);
  const d = batchedDirectionalDerivatives(v, 1, 3, n, g);
  assert.throws(
    () => batchedForwardGradient(v, 1, 3, n, d, "orthogonal_projection"),
    /linearly independent/,
  );
  const f = batchedForwardGradient(v, 1, 3, n, d, "orthogonal_projection", {
    allowRankDeficient: true,
  });
  const two = batchedForwardGradient(
    v.slice(0, 2 * n),
    1,
    2,
    n,
    d.slice(0, 2),
    "orthogonal_projection",
  );
  for (let i = 0; i < n; i++) close(f[i], two[i], 1e-4 * (1 + Math.abs(two[i])), `entry ${i}`);
});

Deno.test("squareProjection() returns g for a square tangent set (float64 LU) and projects singular ones onto their span", () => {
  const n = 64;
  const { v } = batch(2, n, n, 15);
  const g = new Float32Array(n).map((_, i) => Math.sin(i) + 2);
  const d = batchedDirectionalDerivatives(v, 2, n, n, g);
  for (let s = 0; s < 2; s++) {
    const { f, info } = squareProjection(v, s * n * n, n, d.subarray(s * n, (s + 1) * n));
    assert.equal(info, undefined, "solved by LU, no Gram fallback");
    // d is V g rounded to float32, so f = g + V⁻¹δ with |δ| ~ 1e-7·|d|.
    for (let i = 0; i < n; i++) close(f[i], g[i], 1e-4, `sample ${s} entry ${i}`);
  }
  // Two equal tangents: singular. Without allowRankDeficient it throws; with
  // it, f is the projection onto the span of the n − 1 distinct tangents.
  const w = v.slice(0, n * n);
  w.set(w.subarray(0, n), n);
  const dw = batchedDirectionalDerivatives(w, 1, n, n, g);
  assert.throws(() => squareProjection(w, 0, n, dw), /linearly independent/);
  const { f, info } = squareProjection(w, 0, n, dw, true);
  assert.equal(info?.method, "lstsq");
  assert.equal(info?.rank, n - 1);
  const rest = w.slice(n);
  const p = batchedForwardGradient(rest, 1, n - 1, n, dw.slice(1), "orthogonal_projection");
  for (let i = 0; i < n; i++) close(f[i], p[i], 1e-3 * (1 + Math.abs(p[i])), `entry ${i}`);
  let gap = 0;
  for (let i = 0; i < n; i++) gap = Math.max(gap, Math.abs(f[i] - g[i]));
  assert.ok(gap > 1e-2, "a rank-deficient projection misses part of g");
});

Deno.test("projectionQuadraticForm() equals dᵀx of the frog weights, by quadrature CG or the fallback solve", () => {
  // n = 1024: well conditioned (CG on the quadratic form); n = 136: condition
  // beyond CG's limit, solved by Cholesky with refinement instead.
  for (const [n, method] of [[1024, "cg"], [136, "cholesky"]] as const) {
    const k = 128;
    const { v, d } = batch(2, k, n, 16);
    const G = batchedGram(v, 2, k, n);
    for (let s = 0; s < 2; s++) {
      const Gs = G.slice(s * k * k, (s + 1) * k * k);
      const ds = d.subarray(s * k, (s + 1) * k);
      const { q, info } = projectionQuadraticForm(v, s * k * n, k, n, Gs, ds);
      assert.equal(info.method, method, `n = ${n}`);
      const { x } = solveProjectionWeights(v, s * k * n, k, n, Gs, ds);
      let dx = 0;
      for (let j = 0; j < k; j++) dx += ds[j] * x[j];
      close(q, dx, 1e-9 * dx, `n = ${n} sample ${s}`);
    }
  }
});
