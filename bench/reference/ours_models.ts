/**
 * One training step of ResNet18 and the ViT at full size, with the protocol of
 * `torch_models.py` next to it (one untimed warm-up step, then `repeats` timed
 * steps on a fixed random batch at the paper's batch size): tangent sampling,
 * the gradient computation, the SGD update and a read of the loss.
 *
 * Run:
 * `deno run -A bench/reference/ours_models.ts [--backend wasm] [--repeats 2] [--only resnet18/mnist,vit/mnist] [--modes bp,sim,fwad] [--json PATH]`
 *
 * `--json` writes the rows in the shape of `_bench_json.ts` (ids such as
 * `resnet18/mnist/bp`, `resnet18/mnist/sim-frog-k16`, `vit/cifar10/fwad-node-frog-k16`), as
 * `torch_models.py --json` does for the original's steps.
 *
 * Modes: bp; the simulated node mode with frog (the paper's); true forward
 * node mode with frog (k tangents batched through one forward pass, against
 * the original's Python loop over k in `torch_models.py`).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { type BackendChoice, initBackend } from "../../src/backend.ts";
import { Rng } from "../../src/core/rng.ts";
import { createGradientMode, type GradientSpec } from "../../src/nn/gradients/mode.ts";
import { disposeModel } from "../../src/nn/model.ts";
import { createModel, DATASET_SHAPES, type ModelName } from "../../src/nn/models.ts";
import { Sgd } from "../../src/nn/optimizer.ts";
import { BenchRecorder } from "./_bench_json.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : fallback;
};
const backend = await initBackend(arg("backend", "wasm") as BackendChoice);
const repeats = Number(arg("repeats", "2"));
const k = Number(arg("k", "16"));
const only = new Set(arg("only", "").split(",").filter((s) => s !== ""));
const setups: [ModelName, string, number][] = [
  ["resnet18", "mnist", 64],
  ["resnet18", "cifar10", 128],
  ["vit", "mnist", 64],
  ["vit", "cifar10", 128],
];
const modes = arg("modes", "bp,sim,fwad").split(",");
const recorder = new BenchRecorder("bench/reference/ours_models.ts", {
  backend: backend.name,
  versions: backend.versions,
  k,
});
/** Per mode: its label, its row id's last part and its gradient spec. */
const allSpecs: Record<string, [string, string, GradientSpec]> = {
  bp: ["bp", "bp", { approach: "bp", k: 1, mode: "sim", perturbation: "node" }],
  sim: [`sim node frog k=${k}`, `sim-frog-k${k}`, {
    approach: "frog",
    k,
    mode: "sim",
    perturbation: "node",
  }],
  fwad: [`fwad node frog k=${k}`, `fwad-node-frog-k${k}`, {
    approach: "frog",
    k,
    mode: "fwad",
    perturbation: "node",
  }],
};
const specs = modes.map((m) => {
  if (!(m in allSpecs)) {
    console.error(`error: --modes must list bp, sim, fwad, got "${m}"`);
    Deno.exit(2);
  }
  return allSpecs[m];
});
for (const [name, ds, B] of setups) {
  if (only.size > 0 && !only.has(`${name}/${ds}`)) continue;
  const shape = DATASET_SHAPES[ds];
  const model = createModel({ model: name, inputShape: shape, seed: 0 });
  const rng = new Rng(0, "bench", "models-batch");
  const x = tf.tensor2d(rng.normal(new Float32Array(B * shape[0] * shape[1] * shape[2])), [
    B,
    shape[0] * shape[1] * shape[2],
  ]);
  const y = tf.tensor1d(Array.from({ length: B }, () => rng.nextInt(10)), "int32");
  const opt = new Sgd({ lr: 1e-3 });
  for (const [label, rowId, spec] of specs) {
    const mode = createGradientMode(spec, 0, { doubleBufferUpdate: true });
    const times: number[] = [];
    for (let i = 0; i <= repeats; i++) {
      const t0 = performance.now();
      const r = await mode.compute(model, x, y);
      await r.loss.data();
      model.params = opt.step(model.params, r.grads);
      tf.dispose([r.loss, ...r.grads, ...(r.d ? [r.d] : [])]);
      if (i > 0) times.push((performance.now() - t0) / 1000);
    }
    mode.close?.();
    recorder.add(`${name}/${ds}/${rowId}`, times);
    times.sort((a, b) => a - b);
    console.log(
      `${name} ${ds} B=${B} ${label}: best ${times[0].toFixed(3)} s, median ${
        times[Math.floor(times.length / 2)].toFixed(3)
      } s (${backend.name})`,
    );
  }
  opt.dispose();
  tf.dispose([x, y]);
  disposeModel(model);
}
await recorder.write(arg("json", "") || undefined);
