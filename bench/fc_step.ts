/**
 * Median step time of the FC network (784-1024-1024-10, batch 64) per gradient
 * mode, as the trainer runs a step (tangent sampling, the gradient computation,
 * the SGD update with lr 0, a read of the loss): a quick before/after
 * comparison that `deno bench` (means only) does not give.
 *
 * Run:
 * `deno run -A bench/fc_step.ts [--backend tensorflow] [--steps 30] [--only bp,sim,fwad-weight] [--json PATH]`
 *
 * Prints one line per mode: median, min and max over `steps` timed steps after
 * 3 warm-up steps, and the load average at the start. `--json` writes the rows
 * in the shape of `bench/reference/` (ids `fc/bp`, `fc/sim-frog-k16`,
 * `fc/fwad-node-frog-k16`, `fc/fwad-weight-frog-k16`), as
 * `bench/reference/torch_fc.py` does for the original's steps.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { type BackendChoice, initBackend } from "../src/backend.ts";
import { Rng } from "../src/core/rng.ts";
import { createFc } from "../src/nn/fc.ts";
import { createGradientMode, type GradientSpec } from "../src/nn/gradients/mode.ts";
import { Sgd } from "../src/nn/optimizer.ts";
import { BenchRecorder } from "./reference/_bench_json.ts";

const arg = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : fallback;
};
const info = await initBackend(arg("backend", "wasm") as BackendChoice);
const backend = tf.getBackend();
const recorder = new BenchRecorder("bench/fc_step.ts", { backend, versions: info.versions });
const steps = Number(arg("steps", "30"));
if (!Number.isInteger(steps) || steps < 1) {
  console.error(`fc_step: --steps must be a positive integer, got ${arg("steps", "")}`);
  Deno.exit(2);
}
const MODES: Record<string, GradientSpec> = {
  bp: { approach: "bp", k: 1, mode: "sim", perturbation: "node" },
  sim: { approach: "frog", k: 16, mode: "sim", perturbation: "node" },
  "fwad-node": { approach: "frog", k: 16, mode: "fwad", perturbation: "node" },
  "fwad-weight": { approach: "frog", k: 16, mode: "fwad", perturbation: "weight" },
};
/** The row id of each mode in `bench/reference/`'s JSON. */
const ROW_IDS: Record<string, string> = {
  bp: "fc/bp",
  sim: "fc/sim-frog-k16",
  "fwad-node": "fc/fwad-node-frog-k16",
  "fwad-weight": "fc/fwad-weight-frog-k16",
};
const only = arg("only", "bp,sim,fwad-weight").split(",");
for (const o of only) {
  if (!(o in MODES)) {
    console.error(`fc_step: unknown mode "${o}" (known: ${Object.keys(MODES).join(", ")})`);
    Deno.exit(2);
  }
}

const rng = new Rng(0, "bench", "train");
const x = tf.tensor2d(rng.normal(new Float32Array(64 * 784)), [64, 784]);
const y = tf.tensor1d(Int32Array.from({ length: 64 }, () => rng.nextInt(10)), "int32");
const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "?")).split(" ")[0];
for (const name of only) {
  const model = createFc({ width: 1024, seed: 0 });
  const mode = createGradientMode(MODES[name], 0);
  const opt = new Sgd({ lr: 0 });
  const times: number[] = [];
  for (let i = 0; i < steps + 3; i++) {
    const t0 = performance.now();
    const r = await mode.compute(model, x, y);
    model.params = opt.step(model.params, r.grads);
    await r.loss.data();
    const t = performance.now() - t0;
    tf.dispose([r.loss, ...r.grads, ...(r.d ? [r.d] : [])]);
    if (i >= 3) times.push(t);
  }
  mode.close?.();
  tf.dispose(model.params);
  recorder.add(ROW_IDS[name], times.map((t) => t / 1000));
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  console.log(
    `${backend} ${name}: median ${med.toFixed(2)} ms, min ${times[0].toFixed(2)}, max ${
      times[times.length - 1].toFixed(2)
    } (${steps} steps, load ${load})`,
  );
}
await recorder.write(arg("json", "") || undefined);
