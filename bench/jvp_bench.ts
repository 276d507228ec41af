/**
 * One k-tangent JVP of an MLP 784-1024-1024-10 (batch 64, k = 16), with weight
 * tangents and with activity (node) tangents, next to one reverse-mode step
 * (tfjs's built-in gradients, and a customGrad dense with explicit transposes).
 *
 * Weight tangents are timed reused (the same tensors every call: tfjs-wasm
 * caches the packed right operand of a matMul per tensor, so this flatters
 * wasm) and fresh (uploaded from a buffer every call, as a training step
 * does), next to k separate single-tangent forward+JVP passes: the batched
 * k-tangent JVP should cost well under k of those.
 *
 * Backend: `JVP_BENCH_BACKEND=wasm|cpu|tensorflow` (default wasm). Shared
 * machine: noisy.
 *
 *     deno bench -A bench/jvp_bench.ts
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { type BackendChoice, initBackend } from "../src/backend.ts";
import { Rng } from "../src/core/rng.ts";
import { directionalDerivatives } from "../src/jvp/mod.ts";

const backend = (Deno.env.get("JVP_BENCH_BACKEND") ?? "wasm") as BackendChoice;
await initBackend(backend);

const SIZES = [784, 1024, 1024, 10];
const B = 64;
const K = 16;
const rng = new Rng(0, "jvp-bench");

function normal(shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const a = rng.normal(new Float32Array(n));
  if (scale !== 1) { for (let i = 0; i < n; i++) a[i] *= scale; }
  return tf.tensor(a, shape);
}

const params: tf.Tensor[] = [];
for (let i = 0; i < 3; i++) {
  params.push(normal([SIZES[i], SIZES[i + 1]], 1 / Math.sqrt(SIZES[i])));
  params.push(normal([SIZES[i + 1]], 0.1));
}
const x = normal([B, 784]);
const labels = tf.tensor1d(Array.from({ length: B }, () => rng.nextInt(10)), "int32");
const onehot = tf.oneHot(labels, 10);
const weightTangents = params.map((p) => normal([K, ...p.shape]));
const weightTangentValues = weightTangents.map((t) => t.dataSync() as Float32Array);
const slots = SIZES.slice(1).map((n) => tf.zeros([1, n]));
const activityTangents = SIZES.slice(1).map((n) => normal([K, 1, n]));

function loss(p: tf.Tensor[], perturb: tf.Tensor[] | null): tf.Tensor {
  let a = x;
  for (let i = 0; i < 3; i++) {
    let z = tf.add(tf.matMul(a, p[2 * i]), p[2 * i + 1]);
    if (i < 2) z = tf.relu(z);
    a = perturb ? tf.add(z, perturb[i]) : z;
  }
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(a)), 1)));
}

const dense = tf.customGrad((a, w, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor, w as tf.Tensor]);
  return {
    value: tf.add(tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D), b as tf.Tensor),
    gradFunc: (dy: tf.Tensor, [as, ws]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)),
      tf.matMul(tf.transpose(as), dy as tf.Tensor2D),
      tf.sum(dy, 0),
    ],
  };
});

function lossCustom(p: tf.Tensor[]): tf.Tensor {
  let a = x;
  for (let i = 0; i < 3; i++) {
    a = dense(a, p[2 * i], p[2 * i + 1]);
    if (i < 2) a = tf.relu(a);
  }
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(a)), 1)));
}

const group = `MLP 784-1024-1024-10, B=${B}, k=${K}, ${backend}`;

Deno.bench(`jvp, activity (node) tangents [k, 1, n] (${group})`, { group }, () => {
  const d = directionalDerivatives((...s) => loss(params, s), slots, activityTangents);
  d.dataSync();
  d.dispose();
});

Deno.bench(`jvp, weight tangents [k, ...θ] (${group})`, { group }, () => {
  const d = directionalDerivatives((...p) => loss(p, null), params, weightTangents);
  d.dataSync();
  d.dispose();
});

Deno.bench(`jvp, weight tangents uploaded fresh each call (${group})`, { group }, () => {
  const fresh = weightTangentValues.map((v, i) => tf.tensor(v, weightTangents[i].shape));
  const d = directionalDerivatives((...p) => loss(p, null), params, fresh);
  d.dataSync();
  tf.dispose([d, ...fresh]);
});

Deno.bench(`${K} separate single-tangent jvps, weight tangents (${group})`, { group }, () => {
  for (let j = 0; j < K; j++) {
    const one = weightTangentValues.map((v, i) => {
      const n = params[i].size;
      return tf.tensor(v.subarray(j * n, (j + 1) * n), [1, ...params[i].shape]);
    });
    const d = directionalDerivatives((...p) => loss(p, null), params, one);
    d.dataSync();
    tf.dispose([d, ...one]);
  }
});

Deno.bench(`forward only (${group})`, { group, baseline: true }, () => {
  const l = loss(params, null);
  l.dataSync();
  l.dispose();
});

Deno.bench(`reverse step, tfjs built-in gradients (${group})`, { group }, () => {
  const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => loss(p, null))(params);
  value.dataSync();
  tf.dispose([value, ...grads]);
});

Deno.bench(`reverse step, customGrad dense with 2-D matMuls (${group})`, { group }, () => {
  const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => lossCustom(p))(params);
  value.dataSync();
  tf.dispose([value, ...grads]);
});
