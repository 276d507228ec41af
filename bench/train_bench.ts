/**
 * Training-step cost of the FC network (784-1024-1024-10, batch 64) per
 * gradient mode: `deno bench -A bench/train_bench.ts`.
 *
 * One iteration is a whole training step as the trainer runs it: tangent
 * sampling, the gradient computation of the mode, the SGD update, and a read
 * of the loss. Modes: bp; simulated node perturbation (the paper's), true
 * forward node perturbation and true forward weight perturbation, each with
 * frog k = 16; simulated weight perturbation frog k = 16 for comparison; and
 * the true forward weight step with its tangent prefetch worker switched off
 * (`no prefetch`: the draw of k·P ≈ 30M normals then runs in the step).
 * On tensorflow also the weight steps with `device tangents` (drawn by
 * TensorFlow's stateless generator instead of JS). Measured with this bench
 * on the shared 2-core machine (3 runs, load 1.5–2.2, 2026-11-26), min / mean
 * per step: fwad weight frog k=16 with JS tangents 157–162 / 171–177 ms, with
 * device tangents 336–350 / 338–354 ms; sim weight 123–126 / 137–144 ms vs
 * 314–328 / 315–330 ms. TensorFlow's Philox + Box–Muller normals cost
 * ≈ 295 ms of CPU for 30M values (single op, wall ≈ CPU), the JS ziggurat
 * ≈ 94 ms, so on a CPU-only install the JS draw stays the default.
 *
 * Runs on wasm and cpu, and on the native tensorflow backend when `deno task
 * setup-native` has installed it. Set `FG_BENCH_BACKENDS=wasm` (comma list)
 * to pick backends. Reference, original PyTorch code on the same kind of
 * machine: bp 6.3 ms, sim node frog k=16 14 ms, true forward node 80–140 ms,
 * true forward weight 480 ms.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { type BackendChoice, initBackend } from "../src/backend.ts";
import { Rng } from "../src/core/rng.ts";
import { createFc } from "../src/nn/fc.ts";
import {
  createGradientMode,
  type GradientModeOptions,
  type GradientSpec,
} from "../src/nn/gradients/mode.ts";
import type { Model } from "../src/nn/model.ts";
import { Sgd } from "../src/nn/optimizer.ts";

const WIDTH = 1024;
const BATCH = 64;

const wanted = (Deno.env.get("FG_BENCH_BACKENDS") ?? "cpu,wasm,tensorflow").split(",");
const backends: string[] = [];
for (const b of wanted) {
  try {
    await initBackend(b as BackendChoice);
    backends.push(b);
  } catch (e) {
    console.error(`train_bench: skipping ${b}: ${(e as Error).message}`);
  }
}

const rng = new Rng(0, "bench", "train");
const input = rng.normal(new Float32Array(BATCH * 784));
const labels = Int32Array.from({ length: BATCH }, () => rng.nextInt(10));

const MODES: [string, GradientSpec, GradientModeOptions?][] = [
  ["bp", { approach: "bp", k: 1, mode: "sim", perturbation: "node" }],
  ["sim node frog k=16", { approach: "frog", k: 16, mode: "sim", perturbation: "node" }],
  ["fwad node frog k=16", { approach: "frog", k: 16, mode: "fwad", perturbation: "node" }],
  ["sim weight frog k=16", { approach: "frog", k: 16, mode: "sim", perturbation: "weight" }],
  ["fwad weight frog k=16", { approach: "frog", k: 16, mode: "fwad", perturbation: "weight" }],
  [
    "fwad weight frog k=16 no prefetch",
    { approach: "frog", k: 16, mode: "fwad", perturbation: "weight" },
    { prefetch: false },
  ],
  [
    "sim weight frog k=16 device tangents",
    { approach: "frog", k: 16, mode: "sim", perturbation: "weight" },
    { tangents: "device" },
  ],
  [
    "fwad weight frog k=16 device tangents",
    { approach: "frog", k: 16, mode: "fwad", perturbation: "weight" },
    { tangents: "device" },
  ],
];

interface State {
  model: Model;
  x: tf.Tensor2D;
  y: tf.Tensor1D;
}
const states = new Map<string, State>();

async function use(backend: string): Promise<State> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) {
    throw new Error(`cannot switch to ${backend}`);
  }
  let s = states.get(backend);
  if (!s) {
    s = {
      model: createFc({ width: WIDTH, seed: 0 }),
      x: tf.tensor2d(input, [BATCH, 784]),
      y: tf.tensor1d(labels, "int32"),
    };
    states.set(backend, s);
  }
  return s;
}

const runs = (backend: string, weight: boolean) =>
  backend === "cpu"
    ? { n: weight ? 1 : 3, warmup: 1 }
    : weight
    ? { n: 5, warmup: 1 }
    : { n: 30, warmup: 3 };

for (const [label, spec, options] of MODES) {
  for (const backend of backends) {
    // Device tangents exist on the native backend only (the mode checks the running one).
    if (options?.tangents === "device" && backend !== "tensorflow") continue;
    if (options?.tangents === "device") await use(backend);
    const mode = createGradientMode(spec, 0, options);
    // lr 0: the weights stay put, so every iteration does the same work.
    const opt = new Sgd({ lr: 0 });
    Deno.bench({
      name: `${label} ${backend}`,
      group: label,
      baseline: backend === "wasm",
      ...runs(backend, spec.perturbation === "weight" && spec.approach !== "bp"),
      async fn() {
        const s = await use(backend);
        const r = await mode.compute(s.model, s.x, s.y);
        s.model.params = opt.step(s.model.params, r.grads);
        await r.loss.data();
        tf.dispose([r.loss, ...r.grads, ...(r.d ? [r.d] : [])]);
      },
    });
  }
}
