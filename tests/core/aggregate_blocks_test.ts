import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import { aggregate, aggregateBlocks, AGGREGATIONS } from "../../src/core/aggregate.ts";
import { forwardGradient, forwardGradientBlocks } from "../../src/core/forward_gradient.ts";
import { addGramF32 } from "../../src/core/_linalg.ts";
import { Rng } from "../../src/core/rng.ts";

await initBackend("wasm");
await initBackend("cpu");

/** Random blocks [k, n_p] and their concatenation [k, Σ n_p], row-major. */
function blocksOf(k: number, sizes: number[], seed: number) {
  const rng = new Rng(seed, "aggregate-blocks", k);
  const parts = sizes.map((n) => rng.zigguratNormal(new Float32Array(k * n)));
  const total = sizes.reduce((a, b) => a + b, 0);
  const all = new Float32Array(k * total);
  let off = 0;
  sizes.forEach((n, p) => {
    for (let j = 0; j < k; j++) all.set(parts[p].subarray(j * n, (j + 1) * n), j * total + off);
    off += n;
  });
  return { parts, all, total };
}

function maxRelDiff(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

for (const backend of ["cpu", "wasm"]) {
  // 65536 + 4: a wide block takes the chunked Gram product (n % 4 = 0) on cpu,
  // the JS Gram on wasm; the odd-sized blocks take the plain product.
  const sizes = [7, 65540, 13, 1];
  for (const B of [1, 3]) {
    Deno.test(
      `aggregateBlocks() equals aggregate() on the concatenated tangents (${backend}, B = ${B})`,
      async () => {
        await tf.setBackend(backend);
        const k = 5;
        const { parts, all, total } = blocksOf(k, sizes, B);
        const blocks = parts.map((p, i) => tf.tensor2d(p, [k, sizes[i]]));
        const V = tf.tensor2d(all, [k, total]);
        const d = tf.tensor2d(new Rng(3, "d").zigguratNormal(new Float32Array(k * B)), [k, B]);
        for (const agg of AGGREGATIONS) {
          if (B > 1 && (agg === "max_normalized" || agg === "mean_of_top_k")) continue;
          const ref = aggregate(V, d, agg);
          const got = aggregateBlocks(blocks, d, agg);
          assert.deepEqual(got.map((t) => t.shape), sizes.map((n) => [n, B]));
          const cat = tf.concat(got, 0);
          const err = maxRelDiff(cat.dataSync() as Float32Array, ref.dataSync() as Float32Array);
          assert.ok(err < 1e-4, `${agg}: max relative difference ${err}`);
          tf.dispose([ref, cat, ...got]);
        }
        tf.dispose([V, d, ...blocks]);
      },
    );
  }
}

Deno.test("aggregateBlocks() frog with a precomputed Gram matrix gives the same estimate", () => {
  const k = 4, sizes = [10, 30];
  const { parts } = blocksOf(k, sizes, 7);
  const blocks = parts.map((p, i) => tf.tensor2d(p, [k, sizes[i]]));
  const d = tf.tensor2d([[1], [-2], [0.5], [3]]);
  const gram = new Float64Array(k * k);
  parts.forEach((p, i) => addGramF32(p, k, sizes[i], gram));
  const a = aggregateBlocks(blocks, d, "orthogonal_projection");
  const b = aggregateBlocks(blocks, d, "orthogonal_projection", { gram });
  a.forEach((t, i) => {
    const e = maxRelDiff(t.dataSync() as Float32Array, b[i].dataSync() as Float32Array);
    assert.ok(e < 1e-5, `block ${i}: ${e}`);
  });
  assert.throws(
    () => aggregateBlocks(blocks, d, "orthogonal_projection", { gram: new Float64Array(9) }),
    /gram must have 4×4 values/,
  );
  tf.dispose([d, ...blocks, ...a, ...b]);
});

Deno.test("aggregateBlocks() frog recovers the gradient when k = n", () => {
  const k = 6, sizes = [2, 4];
  const { parts, all } = blocksOf(k, sizes, 11);
  const g = Float32Array.from([1, -2, 3, 0.5, -1, 2]);
  const d = new Float32Array(k);
  for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) d[j] += all[j * k + i] * g[i];
  const blocks = parts.map((p, i) => tf.tensor2d(p, [k, sizes[i]]));
  const out = aggregateBlocks(blocks, tf.tensor2d(d, [k, 1]), "orthogonal_projection");
  const got = tf.concat(out, 0).dataSync();
  for (let i = 0; i < k; i++) {
    assert.ok(Math.abs(got[i] - g[i]) < 1e-3, `${i}: ${got[i]} vs ${g[i]}`);
  }
  tf.dispose([...blocks, ...out]);
});

Deno.test("aggregateBlocks() rejects blocks with different k and a mismatched d", () => {
  const a = tf.zeros([3, 4]) as tf.Tensor2D, b = tf.zeros([2, 4]) as tf.Tensor2D;
  assert.throws(() => aggregateBlocks([a, b], tf.zeros([3, 1]), "mean"), /shape \[3, n_p\]/);
  assert.throws(() => aggregateBlocks([a], tf.zeros([2, 1]), "mean"), /d must have shape \[3, B\]/);
  assert.throws(() => aggregateBlocks([], tf.zeros([2, 1]), "mean"), /no tangent blocks/);
  tf.dispose([a, b]);
});

Deno.test("forwardGradientBlocks() equals forwardGradient() per block, shapes and scaling included", () => {
  const k = 3, shapes = [[4, 5], [5], [2, 3]];
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const { parts, all, total } = blocksOf(k, sizes, 5);
  const blocks = parts.map((p, i) => tf.tensor(p, [k, ...shapes[i]]));
  const V = tf.tensor2d(all, [k, total]);
  for (const d of [tf.tensor1d([0.3, -1, 2]), tf.tensor2d([[1, 2], [0, -1], [3, 0.5]])]) {
    for (const agg of ["mean", "orthogonal_projection"] as const) {
      const opts = { scalingCorrection: true };
      const ref = forwardGradient(V, d, agg, opts);
      const got = forwardGradientBlocks(blocks, d, agg, opts);
      const B = d.rank === 2 ? [d.shape[1]!] : [];
      assert.deepEqual(got.map((t) => t.shape), shapes.map((s) => [...s, ...B]));
      const cat = tf.concat(got.map((t) => t.reshape([-1])));
      const e = maxRelDiff(cat.dataSync() as Float32Array, ref.dataSync() as Float32Array);
      assert.ok(e < 1e-5, `${agg}, d rank ${d.rank}: ${e}`);
      tf.dispose([ref, cat, ...got]);
    }
    d.dispose();
  }
  tf.dispose([V, ...blocks]);
});

Deno.test("addGramF32() equals the naive V Vᵀ for odd and even k", () => {
  for (const k of [1, 2, 3, 5, 16]) {
    const n = 37;
    const v = new Rng(k, "gram").zigguratNormal(new Float32Array(k * n));
    const G = addGramF32(v, k, n, new Float64Array(k * k));
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += v[i * n + c] * v[j * n + c];
        assert.ok(Math.abs(G[i * k + j] - s) < 1e-9 * (1 + Math.abs(s)), `k=${k} (${i},${j})`);
      }
    }
  }
  assert.throws(() => addGramF32(new Float32Array(5), 2, 3, new Float64Array(4)), /Gram/);
});
