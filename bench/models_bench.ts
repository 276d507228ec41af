/**
 * Training-step cost of ResNet18 and the ViT per gradient mode:
 * `deno bench -A bench/models_bench.ts`.
 *
 * One iteration is a whole step: tangent sampling, the gradient computation,
 * the SGD update and a read of the loss. Modes: bp; simulated node frog k=16
 * (the paper's); true forward node frog k=16; true forward weight frog k=16
 * (chunked over k within the 2 GiB budget, see `weightJvpChunk`).
 *
 * By default the models run at reduced width on 16×16 inputs with batch 8,
 * so that `deno task bench` stays short; `MODELS_BENCH_FULL=1` runs the
 * paper's sizes and batch sizes (MNIST 64, CIFAR-10 128), which takes minutes
 * per step on wasm. `FG_BENCH_BACKENDS` (comma list; default wasm) picks the
 * backends.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { type BackendChoice, initBackend } from "../src/backend.ts";
import { Rng } from "../src/core/rng.ts";
import { createGradientMode, type GradientSpec } from "../src/nn/gradients/mode.ts";
import { disposeModel, type Model } from "../src/nn/model.ts";
import { createResNet18 } from "../src/nn/resnet18.ts";
import { createVit } from "../src/nn/vit.ts";
import { Sgd } from "../src/nn/optimizer.ts";

const full = Deno.env.get("MODELS_BENCH_FULL") === "1";
const backends = (Deno.env.get("FG_BENCH_BACKENDS") ?? "wasm").split(",") as BackendChoice[];

interface Setup {
  name: string;
  make: () => Model;
  shape: [number, number, number];
  batch: number;
}

const setups: Setup[] = full
  ? [
    {
      name: "resnet18 mnist B=64",
      make: () => createResNet18({ inChannels: 1, imageSize: 28, seed: 0 }),
      shape: [28, 28, 1],
      batch: 64,
    },
    {
      name: "resnet18 cifar10 B=128",
      make: () => createResNet18({ inChannels: 3, imageSize: 32, seed: 0 }),
      shape: [32, 32, 3],
      batch: 128,
    },
    {
      name: "vit mnist B=64",
      make: () => createVit({ inChannels: 1, imageSize: 28, seed: 0 }),
      shape: [28, 28, 1],
      batch: 64,
    },
    {
      name: "vit cifar10 B=128",
      make: () => createVit({ inChannels: 3, imageSize: 32, seed: 0 }),
      shape: [32, 32, 3],
      batch: 128,
    },
  ]
  : [
    {
      name: "resnet18 (widths 8–32) 16×16 B=8",
      make: () =>
        createResNet18({ inChannels: 3, imageSize: 16, widths: [8, 8, 16, 32, 32], seed: 0 }),
      shape: [16, 16, 3],
      batch: 8,
    },
    {
      name: "vit (D=32, 2 layers) 16×16 B=8",
      make: () =>
        createVit({
          inChannels: 3,
          imageSize: 16,
          hiddenDim: 32,
          mlpDim: 64,
          numLayers: 2,
          seed: 0,
        }),
      shape: [16, 16, 3],
      batch: 8,
    },
  ];

const specs: [string, GradientSpec][] = [
  ["bp", { approach: "bp", k: 1, mode: "sim", perturbation: "node" }],
  ["sim node frog k=16", { approach: "frog", k: 16, mode: "sim", perturbation: "node" }],
  ["fwad node frog k=16", { approach: "frog", k: 16, mode: "fwad", perturbation: "node" }],
  ["fwad weight frog k=16", { approach: "frog", k: 16, mode: "fwad", perturbation: "weight" }],
];

for (const backend of backends) {
  await initBackend(backend);
  for (const s of setups) {
    const rng = new Rng(0, "bench-batch");
    const [h, w, c] = s.shape;
    const x = tf.tensor4d(rng.normal(new Float32Array(s.batch * h * w * c)), [s.batch, h, w, c]);
    const y = tf.tensor1d(Array.from({ length: s.batch }, () => rng.nextInt(10)), "int32");
    for (const [label, spec] of specs) {
      const model = s.make();
      const mode = createGradientMode(spec, 0);
      const opt = new Sgd({ lr: 1e-3 });
      Deno.bench(
        `${s.name}, ${label} (${backend})`,
        { group: `${s.name} ${backend}` },
        async () => {
          const r = await mode.compute(model, x, y);
          model.params = opt.step(model.params, r.grads);
          tf.dispose([...r.grads, r.d ?? []]);
          await r.loss.data();
          r.loss.dispose();
        },
      );
      globalThis.addEventListener("unload", () => {
        mode.close?.();
        disposeModel(model);
      });
    }
  }
}
