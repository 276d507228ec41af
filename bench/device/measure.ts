/**
 * Step times of the FC and ResNet18 training steps on one backend, as JSON:
 * bp, simulated node frog and true forward (fwad) node frog, each with one
 * untimed warm-up step, then `--repeats` timed steps on a fixed random batch
 * (tangent sampling, the gradient computation, the SGD update and a read of
 * the loss). Run by `bench/device/run.sh`, which explains what a GPU machine
 * without network needs; tiny sizes (`--tiny`) check it on a software adapter.
 *
 * `deno run -A bench/device/measure.ts --backend webgpu [--repeats 5] [--k 16] [--tiny] [--out f.json]`
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { type BackendChoice, initBackend, isBackendChoice } from "../../src/backend.ts";
import { Rng } from "../../src/core/rng.ts";
import { createFc } from "../../src/nn/fc.ts";
import { createGradientMode, type GradientSpec } from "../../src/nn/gradients/mode.ts";
import { disposeModel, type Model } from "../../src/nn/model.ts";
import { createModel, DATASET_SHAPES } from "../../src/nn/models.ts";
import { Sgd } from "../../src/nn/optimizer.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : fallback;
};
function fail(msg: string): never {
  console.error(`error: ${msg}`);
  Deno.exit(2);
}
const choice = arg("backend", "webgpu");
if (!isBackendChoice(choice)) {
  fail(`--backend must be one of webgpu, tensorflow, wasm, cpu, got "${choice}"`);
}
const repeats = Number(arg("repeats", "5"));
const k = Number(arg("k", "16"));
if (!Number.isInteger(repeats) || repeats < 1) fail(`--repeats must be a positive integer`);
if (!Number.isInteger(k) || k < 1) fail(`--k must be a positive integer`);
const tiny = Deno.args.includes("--tiny");
const out = arg("out", "");

let backend;
try {
  backend = await initBackend(choice as BackendChoice);
} catch (e) {
  fail(`--backend ${choice}: ${(e as Error).message}`);
}

interface Setup {
  name: string;
  batch: number;
  inputSize: number;
  make(): Model;
}
const mnist = DATASET_SHAPES["mnist"];
const setups: Setup[] = tiny
  ? [
    {
      name: "fc 784-64-64-10",
      batch: 8,
      inputSize: 784,
      make: () => createFc({ width: 64, seed: 0 }),
    },
  ]
  : [
    {
      name: "fc 784-1024-1024-10",
      batch: 64,
      inputSize: 784,
      make: () => createFc({ width: 1024, seed: 0 }),
    },
    {
      name: "resnet18 mnist",
      batch: 64,
      inputSize: mnist[0] * mnist[1] * mnist[2],
      make: () => createModel({ model: "resnet18", inputShape: mnist, seed: 0 }),
    },
  ];
const specs: [string, GradientSpec][] = [
  ["bp", { approach: "bp", k: 1, mode: "sim", perturbation: "node" }],
  [`sim node frog k=${k}`, { approach: "frog", k, mode: "sim", perturbation: "node" }],
  [`fwad node frog k=${k}`, { approach: "frog", k, mode: "fwad", perturbation: "node" }],
];

const rows: Record<string, unknown>[] = [];
for (const s of setups) {
  const model = s.make();
  const rng = new Rng(0, "bench", "device-batch");
  const x = tf.tensor2d(rng.normal(new Float32Array(s.batch * s.inputSize)), [
    s.batch,
    s.inputSize,
  ]);
  const y = tf.tensor1d(Array.from({ length: s.batch }, () => rng.nextInt(10)), "int32");
  const opt = new Sgd({ lr: 0 }); // lr 0: every step does the same work
  for (const [label, spec] of specs) {
    const mode = createGradientMode(spec, 0);
    const times: number[] = [];
    let loss = NaN;
    try {
      for (let i = 0; i <= repeats; i++) {
        const t0 = performance.now();
        const r = await mode.compute(model, x, y);
        loss = (await r.loss.data())[0];
        model.params = opt.step(model.params, r.grads);
        tf.dispose([r.loss, ...r.grads, ...(r.d ? [r.d] : [])]);
        if (i > 0) times.push((performance.now() - t0) / 1000);
      }
    } catch (e) {
      rows.push({
        model: s.name,
        batch: s.batch,
        step: label,
        error: String((e as Error).message ?? e),
      });
      console.error(`${s.name} B=${s.batch} ${label}: failed: ${(e as Error).message}`);
      continue;
    } finally {
      mode.close?.();
    }
    times.sort((a, b) => a - b);
    const row = {
      model: s.name,
      batch: s.batch,
      step: label,
      best_s: times[0],
      median_s: times[Math.floor(times.length / 2)],
      repeats,
      loss,
    };
    rows.push(row);
    console.error(
      `${s.name} B=${s.batch} ${label}: best ${row.best_s.toFixed(4)} s, median ${
        row.median_s.toFixed(4)
      } s`,
    );
  }
  opt.dispose();
  tf.dispose([x, y]);
  disposeModel(model);
}
const report = {
  backend: backend.name,
  versions: backend.versions,
  tiny,
  when: new Date().toISOString(),
  cpus: navigator.hardwareConcurrency,
  rows,
};
const text = JSON.stringify(report, null, 2) + "\n";
if (out) await Deno.writeTextFile(out, text);
else console.log(text);
