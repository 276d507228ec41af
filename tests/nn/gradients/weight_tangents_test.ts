import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "../_assert.ts";
import { initBackend } from "../../../src/backend.ts";
import { Rng } from "../../../src/core/rng.ts";
import {
  drawWeightTangents,
  gramOfBlocks,
  weightTangentsFromMatrix,
} from "../../../src/nn/gradients/weight_tangents.ts";

await initBackend("cpu");

const params = () => [tf.zeros([3, 4]), tf.zeros([4]), tf.zeros([4, 2]), tf.zeros([2])];

Deno.test("drawWeightTangents() lays one normal stream out parameter-major, [k, ...shape] per parameter", () => {
  const ps = params();
  const k = 3;
  const t = drawWeightTangents(new Rng(5, "tangents"), k, ps);
  const stream = new Rng(5, "tangents").zigguratNormal(new Float32Array(k * 26));
  assertEquals(t.perParam.map((p) => p.shape), ps.map((p) => [k, ...p.shape]));
  let off = 0;
  t.perParam.forEach((p) => {
    const got = p.dataSync();
    for (let i = 0; i < got.length; i++) assertEquals(got[i], stream[off + i]);
    off += got.length;
  });
  tf.dispose([...ps, ...t.perParam]);
});

Deno.test("weightTangentsFromMatrix() gives tangent j of parameter p as row j's slice of V [k, P]", () => {
  const ps = params();
  const k = 2;
  const v = new Rng(1, "v").zigguratNormal(new Float32Array(k * 26));
  const V = tf.tensor2d(v, [k, 26]);
  const t = weightTangentsFromMatrix(V, ps);
  let off = 0;
  t.perParam.forEach((p, i) => {
    const n = ps[i].size;
    const got = p.dataSync();
    for (let j = 0; j < k; j++) {
      for (let c = 0; c < n; c++) assertEquals(got[j * n + c], v[j * 26 + off + c]);
    }
    off += n;
  });
  tf.dispose([V, ...ps, ...t.perParam]);
});

Deno.test("gramOfBlocks() is the Gram matrix of the global tangents", () => {
  const ps = params();
  const k = 4;
  const t = drawWeightTangents(new Rng(2, "tangents"), k, ps);
  const raw = new Rng(2, "tangents").zigguratNormal(new Float32Array(k * 26));
  const G = gramOfBlocks(raw, k, ps.map((p) => p.size));
  const V = tf.concat(t.perParam.map((p) => p.reshape([k, -1])), 1);
  const ref = tf.matMul(V, V, false, true).dataSync();
  for (let i = 0; i < k * k; i++) assert(Math.abs(G[i] - ref[i]) < 1e-4, `entry ${i}`);
  tf.dispose([V, ...ps, ...t.perParam]);
});
