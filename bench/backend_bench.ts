/**
 * Backend comparison: `deno bench -A bench/backend_bench.ts`.
 *
 * - `matMul 1024²`: one float32 1024×1024 · 1024×1024 product (2·1024³ ≈ 2.15
 *   GFLOP); GFLOPS = 2.147 / (time per iteration in s).
 * - `MLP step`: forward + backward of a 784-1024-1024-10 ReLU MLP on a batch of
 *   64 with softmax cross-entropy, all six parameter gradients, through the
 *   project's `dense` layer (src/nn/dense.ts: one fused matMul + bias + ReLU
 *   kernel, customGrad; no input gradient for the first layer).
 * - `dense backward products`: the two products of the dense gradient at
 *   the FC's 1024×1024 layer, `dy Wᵀ` ([64, 1024]·[1024, 1024]ᵀ) and `xᵀ dy`
 *   ([64, 1024]ᵀ·[64, 1024]), each with matMul's transpose flag and with an
 *   explicit `tf.transpose` followed by an untransposed product: which one
 *   the layer should use per backend.
 *
 * Runs on cpu, wasm and, when `deno task setup-native` has installed it, the
 * native tensorflow backend (otherwise a line on stderr says it is skipped).
 * Inputs are seeded normals from Rng; each iteration reads its result back so
 * the time covers the whole computation.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../src/backend.ts";
import { Rng } from "../src/core/rng.ts";
import { dense } from "../src/nn/dense.ts";

const N = 1024;
const LAYERS = [784, 1024, 1024, 10] as const;
const BATCH = 64;

await initBackend("cpu");
await initBackend("wasm");
const backends = ["cpu", "wasm"];
try {
  await initBackend("tensorflow");
  backends.push("tensorflow");
} catch (e) {
  console.error(`backend_bench: skipping tensorflow: ${(e as Error).message}`);
}

const rng = new Rng(0, "bench", "backend");
const matA = rng.normal(new Float32Array(N * N));
const matB = rng.normal(new Float32Array(N * N));
const input = rng.normal(new Float32Array(BATCH * LAYERS[0]));
const labels = new Float32Array(BATCH * LAYERS[3]);
for (let i = 0; i < BATCH; i++) labels[i * LAYERS[3] + rng.nextInt(LAYERS[3])] = 1;
const weights = LAYERS.slice(1).map((out, i) => {
  const fanIn = LAYERS[i];
  const w = rng.normal(new Float32Array(fanIn * out));
  const s = Math.sqrt(2 / fanIn);
  for (let j = 0; j < w.length; j++) w[j] *= s;
  return { w, shape: [fanIn, out] as [number, number] };
});

interface Operands {
  /** dy [64, 1024] and h [64, 1024] of the dense backward products. */
  dy: tf.Tensor2D;
  h: tf.Tensor2D;
  a: tf.Tensor2D;
  b: tf.Tensor2D;
  x: tf.Tensor2D;
  y: tf.Tensor2D;
  params: tf.Tensor[];
}

/** Tensors created on `backend` (kept for the whole run). */
const operands = new Map<string, Operands>();

async function use(backend: string): Promise<Operands> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) {
    throw new Error(`cannot switch to ${backend}`);
  }
  let ops = operands.get(backend);
  if (!ops) {
    ops = {
      dy: tf.tensor2d(matA.subarray(0, BATCH * N), [BATCH, N]),
      h: tf.tensor2d(matB.subarray(0, BATCH * N), [BATCH, N]),
      a: tf.tensor2d(matA, [N, N]),
      b: tf.tensor2d(matB, [N, N]),
      x: tf.tensor2d(input, [BATCH, LAYERS[0]]),
      y: tf.tensor2d(labels, [BATCH, LAYERS[3]]),
      params: weights.flatMap(({ w, shape }) => [
        tf.tensor2d(w, shape),
        tf.zeros([shape[1]]),
      ]),
    };
    operands.set(backend, ops);
  }
  return ops;
}

function loss(x: tf.Tensor2D, y: tf.Tensor2D, params: tf.Tensor[]): tf.Scalar {
  let h = x;
  for (let l = 0; l < 3; l++) {
    // The input needs no gradient: the first layer computes only dW and db.
    const wrt = l === 0 ? "params" : "all";
    const act = l < 2 ? "relu" : "linear";
    h = dense(h, params[2 * l] as tf.Tensor2D, params[2 * l + 1] as tf.Tensor1D, wrt, act);
  }
  return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
}

/** Iterations per backend: enough for a stable mean without minutes on cpu. */
const RUNS: Record<string, { n: number; warmup: number }> = {
  cpu: { n: 3, warmup: 1 },
  wasm: { n: 20, warmup: 3 },
  tensorflow: { n: 50, warmup: 5 },
};

for (const backend of backends) {
  Deno.bench({
    name: `matMul 1024² ${backend}`,
    group: "matMul 1024²",
    baseline: backend === "wasm",
    ...RUNS[backend],
    async fn(b) {
      const { a, b: m } = await use(backend);
      b.start();
      const c = tf.matMul(a, m);
      await c.data();
      b.end();
      c.dispose();
    },
  });
  Deno.bench({
    name: `MLP 784-1024-1024-10 B=64 fwd+bwd ${backend}`,
    group: "MLP step",
    baseline: backend === "wasm",
    ...RUNS[backend],
    async fn(b) {
      const { x, y, params } = await use(backend);
      b.start();
      const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => loss(x, y, p))(params);
      await Promise.all([value.data(), ...grads.map((g) => g.data())]);
      b.end();
      tf.dispose([value, ...grads]);
    },
  });
  const products: [string, (o: Operands) => tf.Tensor][] = [
    ["dy·Wᵀ, transposeB flag", (o) => tf.matMul(o.dy, o.b, false, true)],
    ["dy·Wᵀ, explicit transpose", (o) => tf.matMul(o.dy, tf.transpose(o.b))],
    ["dy·Wᵀ as (W·dyᵀ)ᵀ", (o) => tf.transpose(tf.matMul(o.b, tf.transpose(o.dy)))],
    ["xᵀ·dy, transposeA flag", (o) => tf.matMul(o.h, o.dy, true, false)],
    ["xᵀ·dy, explicit transpose", (o) => tf.matMul(tf.transpose(o.h), o.dy)],
  ];
  for (const [label, f] of products) {
    Deno.bench({
      name: `${label} ${backend}`,
      group: `dense backward products ${backend}`,
      ...RUNS[backend],
      async fn(b) {
        const o = await use(backend);
        b.start();
        const c = tf.tidy(() => f(o));
        await c.data();
        b.end();
        c.dispose();
      },
    });
  }
}
