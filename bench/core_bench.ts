/**
 * Core throughput: normal draws, Gram solves, batched Gram matrices and a
 * frog forward gradient at NN weight-perturbation size. Figures depend on the
 * machine's load; run alone for stable numbers.
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../src/backend.ts";
import {
  batchedGram,
  conjugateGradient,
  forwardGradient,
  GramSolver,
  Rng,
} from "../src/core/mod.ts";

const normals = new Float32Array(4_000_000);
Deno.bench("Rng.normal (polar), 4M draws", { group: "normals", baseline: true }, () => {
  new Rng(0, "bench").normal(normals);
});
Deno.bench("Rng.zigguratNormal, 4M draws", { group: "normals" }, () => {
  new Rng(0, "bench").zigguratNormal(normals);
});

const k = 256, n = 1024;
const v = new Rng(1, "bench").zigguratNormal(new Float32Array(k * n));
const G = new Float64Array(k * k);
for (let i = 0; i < k; i++) {
  for (let j = 0; j < k; j++) {
    let a = 0;
    for (let t = 0; t < n; t++) a += v[i * n + t] * v[j * n + t];
    G[i * k + j] = a;
  }
}
const d = new Rng(2, "bench").zigguratNormal(new Float64Array(k));
Deno.bench("Gram solve k=256 (n=1024): Cholesky", { group: "solve", baseline: true }, () => {
  new GramSolver(G, k).solve(d);
});
Deno.bench("Gram solve k=256 (n=1024): conjugate gradients", { group: "solve" }, () => {
  conjugateGradient(G, d, k, 64);
});

await initBackend("wasm");
const S = 8;
const many = new Rng(3, "bench").zigguratNormal(new Float32Array(S * k * 4096));
Deno.bench("batchedGram wasm, 8 × [256, 4096]", { group: "gram" }, () => {
  batchedGram(many, S, k, 4096);
});

const big = tf.tensor2d(new Rng(4, "bench").zigguratNormal(new Float32Array(16 * 2_000_000)), [
  16,
  2_000_000,
]);
const dd = tf.tensor1d(new Rng(5, "bench").zigguratNormal(new Float32Array(16)));
Deno.bench("forwardGradient frog wasm, V [16, 2e6]", { group: "frog" }, () => {
  forwardGradient(big, dd, "orthogonal_projection").dispose();
});
Deno.bench("forwardGradient mean wasm, V [16, 2e6]", { group: "frog" }, () => {
  forwardGradient(big, dd, "mean").dispose();
});
