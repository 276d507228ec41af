// The smoke profile's computations on webgpu against wasm: FC training with bp, fg-mean and frog
// (simulated and true forward node perturbation), frog's projection read asynchronously; the
// approx and functions stages and verify's identity checks compute on wasm when the pipeline runs
// on webgpu (`deno task reproduce --profile smoke --backend webgpu` runs them end to end). Ignored only
// when this machine has no WebGPU adapter (Debian's mesa-vulkan-drivers gives a software one).
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "../nn/_assert.ts";
import { syntheticData } from "../nn/_helpers.ts";
import { initBackend } from "../../src/backend.ts";
import { forwardGradient, readProjectionInputs, Rng } from "../../src/core/mod.ts";
import { createFc } from "../../src/nn/fc.ts";
import type { GradientSpec } from "../../src/nn/gradients/mode.ts";
import { disposeModel } from "../../src/nn/model.ts";
import { trainModel } from "../../src/nn/trainer.ts";
import { APPROX_BACKEND_OVERRIDES } from "../../src/stages/approx.ts";
import { COMPUTE_BACKEND_OVERRIDES } from "../../src/stages/functions.ts";
import { IDENTITY_BACKEND_OVERRIDES } from "../../src/stages/verify.ts";

const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown | null> } }).gpu;
const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
const IGNORE = adapter === null;
if (IGNORE) {
  console.log(
    `webgpu smoke tests ignored: ${gpu ? "no WebGPU adapter" : "no navigator.gpu"} on this machine`,
  );
}

/**
 * Tolerances, webgpu vs wasm (float32 on both; the kernels sum in different orders): per-step
 * batch losses and eval metrics within 1e-3 relative after 12 SGD steps; final weights within
 * 1e-3 relative (L2 over all parameters).
 */
const TOL = 1e-3;

interface Run {
  losses: number[];
  metrics: number[];
  params: Float32Array;
  steps: number;
}

async function train(backend: "wasm" | "webgpu", gradient: GradientSpec): Promise<Run> {
  await initBackend(backend);
  assertEquals(tf.getBackend(), backend);
  const data = syntheticData(20, 4);
  const model = createFc({ width: 32, inputSize: 20, numClasses: 4, seed: 3 });
  try {
    const r = await trainModel(model, data, {
      gradient,
      lr: 0.05,
      optimizer: "plain_sgd",
      epochs: 2,
      seed: 0,
      batchSize: 16,
      evalBatchSize: 32,
      patience: 10,
    });
    const parts = await Promise.all(model.params.map((p) => p.data() as Promise<Float32Array>));
    const params = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      params.set(p, o);
      o += p.length;
    }
    return {
      losses: r.batchLosses,
      metrics: r.records.flatMap((e) => [e.train_loss, e.train_accuracy, e.test_loss]),
      params,
      steps: r.steps,
    };
  } finally {
    disposeModel(model);
  }
}

function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / (den || 1));
}

const SPECS: [string, GradientSpec][] = [
  ["bp", { approach: "bp", k: 1, mode: "sim", perturbation: "node" }],
  ["fg k=4 (sim node)", { approach: "fg", k: 4, mode: "sim", perturbation: "node" }],
  ["frog k=4 (sim node)", { approach: "frog", k: 4, mode: "sim", perturbation: "node" }],
  ["frog k=4 (fwad node)", { approach: "frog", k: 4, mode: "fwad", perturbation: "node" }],
];

for (const [label, spec] of SPECS) {
  Deno.test({
    name: `webgpu vs wasm: FC training, ${label}, to ${TOL} relative`,
    ignore: IGNORE,
    // tfjs-backend-webgpu keeps a device and its pipelines for the process.
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const want = await train("wasm", spec);
      const got = await train("webgpu", spec);
      assertEquals(got.steps, want.steps);
      assert(got.steps >= 10, `only ${got.steps} steps`);
      assertEquals(got.losses.length, want.losses.length);
      got.losses.forEach((l, i) => {
        const err = Math.abs(l - want.losses[i]) / Math.abs(want.losses[i]);
        assert(err <= TOL, `step ${i}: loss ${l} vs ${want.losses[i]} (rel ${err})`);
      });
      got.metrics.forEach((m, i) => {
        const err = Math.abs(m - want.metrics[i]) / Math.max(Math.abs(want.metrics[i]), 1e-6);
        assert(err <= TOL, `metric ${i}: ${m} vs ${want.metrics[i]} (rel ${err})`);
      });
      const e = relL2(got.params, want.params);
      assert(e <= TOL, `final weights differ by ${e} relative`);
      // Training moved the weights: the comparison is not of two initialisations.
      const init = createFc({ width: 32, inputSize: 20, numClasses: 4, seed: 3 });
      const first = await init.params[0].data();
      disposeModel(init);
      assert(relL2(got.params.subarray(0, first.length), first) > 1e-4, "weights did not move");
      await initBackend("wasm");
    },
  });
}

Deno.test({
  name: "webgpu: frog's projection with asynchronously read Gram matrix and d equals wasm's",
  ignore: IGNORE,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const rng = new Rng(4, "webgpu-projection");
    const [k, n, B] = [8, 3000, 5];
    const vs = rng.normal(new Float32Array(k * n)), ds = rng.normal(new Float32Array(k * B));
    const on = async (backend: "wasm" | "webgpu") => {
      await initBackend(backend);
      const v = tf.tensor2d(vs, [k, n]), d = tf.tensor2d(ds, [k, B]);
      const read = await readProjectionInputs(v, d);
      const g = forwardGradient(v, d, "orthogonal_projection", read);
      const out = (await g.data()) as Float32Array;
      tf.dispose([v, d, g]);
      return out;
    };
    const want = await on("wasm");
    const got = await on("webgpu");
    assertEquals(got.length, n * B);
    const e = relL2(got, want);
    assert(e <= 1e-5, `projection differs by ${e} relative`);
    await initBackend("wasm");
  },
});

Deno.test("on webgpu, approx, functions and verify's identity checks compute on wasm (they read synchronously)", () => {
  assertEquals(APPROX_BACKEND_OVERRIDES.webgpu, "wasm");
  assertEquals(IDENTITY_BACKEND_OVERRIDES.webgpu, "wasm");
  assertEquals(COMPUTE_BACKEND_OVERRIDES.webgpu, "wasm");
});
