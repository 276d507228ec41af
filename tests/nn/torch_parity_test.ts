// Parity with PyTorch (the oracle): the fixtures of tests/fixtures/torch/
// (make_fixtures.py, PyTorch 1.13) hold a seeded init, a batch, and PyTorch's
// train-mode logits, loss, every parameter gradient, the BatchNorm running
// statistics after the step and the eval-mode logits. We load the same
// weights into our models and match everything to 1e-4 relative.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { createResNet18 } from "../../src/nn/resnet18.ts";
import { createVit } from "../../src/nn/vit.ts";
import { bpGradients } from "../../src/nn/gradients/bp.ts";
import { disposeModel, forward, type Model } from "../../src/nn/model.ts";

// Both the exact cpu backend and wasm (the default, which has no
// Conv2DBackpropFilter kernel: the custom conv gradient runs there).
const BACKENDS = (Deno.env.get("FG_TEST_BACKEND")?.split(",") ?? ["cpu", "wasm"]) as (
  | "cpu"
  | "wasm"
)[];
for (const b of BACKENDS) await initBackend(b);

interface Entry {
  name: string;
  shape: number[];
  values: number[];
}
interface Fixture {
  config: Record<string, number & number[]>;
  params: Entry[];
  buffers: Entry[];
  x: Entry;
  labels: number[];
  logits: Entry;
  loss: number;
  grads: Entry[];
  buffers_after: Entry[];
  eval_logits: Entry;
}

async function load(name: string): Promise<Fixture> {
  const url = new URL(`../fixtures/torch/${name}`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url));
}

function relErr(actual: tf.Tensor, expected: Entry): number {
  assertEquals(actual.shape, expected.shape, `${expected.name}: shape`);
  const a = actual.dataSync();
  let d = 0, n = 0;
  expected.values.forEach((v, i) => {
    d += (a[i] - v) ** 2;
    n += v * v;
  });
  return Math.sqrt(d / Math.max(n, 1e-30));
}

/** Replaces the model's parameters and buffers by the fixture's (names and shapes must match). */
function loadWeights(model: Model, fx: Fixture): void {
  assertEquals(model.paramNames, fx.params.map((p) => p.name), "parameter names and order");
  model.params.forEach((p) => p.dispose());
  model.params = fx.params.map((p) => tf.tensor(p.values, p.shape));
  assertEquals(model.bufferNames ?? [], fx.buffers.map((b) => b.name), "buffer names");
  (model.buffers ?? []).forEach((b) => b.dispose());
  if (model.buffers) model.buffers = fx.buffers.map((b) => tf.tensor(b.values, b.shape));
}

function checkParity(model: Model, fx: Fixture, what: string, backend: string): void {
  loadWeights(model, fx);
  const shapesMatch = model.params.every((p, i) => p.shape.join() === fx.params[i].shape.join());
  assert(shapesMatch, `${what}: parameter shapes`);
  const x = tf.tensor(fx.x.values, fx.x.shape);
  const y = tf.tensor1d(fx.labels, "int32");
  const logits = tf.tidy(() => forward(model, x, "none", model.params, { mode: "train" }));
  const eLogits = relErr(logits, fx.logits);
  assert(eLogits < 1e-4, `${what}: train logits rel. error ${eLogits}`);
  const r = bpGradients(model, x, y);
  const loss = r.loss.dataSync()[0];
  assert(Math.abs(loss - fx.loss) / fx.loss < 1e-5, `${what}: loss ${loss} vs ${fx.loss}`);
  let worst = 0;
  r.grads.forEach((g, i) => {
    const e = relErr(g, fx.grads[i]);
    worst = Math.max(worst, e);
    assert(e < 1e-4, `${what}: gradient of ${fx.grads[i].name} rel. error ${e}`);
  });
  (model.buffers ?? []).forEach((b, i) => {
    const e = relErr(b, fx.buffers_after[i]);
    assert(e < 1e-4, `${what}: ${fx.buffers_after[i].name} after the step, rel. error ${e}`);
  });
  const evalLogits = tf.tidy(() => forward(model, x, "none", model.params, { mode: "eval" }));
  const eEval = relErr(evalLogits, fx.eval_logits);
  assert(eEval < 1e-4, `${what}: eval logits rel. error ${eEval}`);
  console.log(
    `${what} (${backend}): logits ${eLogits.toExponential(1)}, worst gradient ${
      worst.toExponential(1)
    }, eval logits ${eEval.toExponential(1)}`,
  );
  tf.dispose([x, y, logits, evalLogits, r.loss, ...r.grads]);
}

for (const backend of BACKENDS) {
  for (const file of ["resnet18_small.json", "resnet18_small_mnist.json"]) {
    Deno.test(`resnet18 matches PyTorch: logits, loss, gradients, running stats (${file}, ${backend})`, async () => {
      await tf.setBackend(backend);
      const fx = await load(file);
      const c = fx.config;
      const model = createResNet18({
        inChannels: c.inChannels,
        imageSize: c.imageSize,
        widths: c.widths,
        blocksPerStage: c.blocksPerStage,
        seed: 0,
      });
      checkParity(model, fx, file, backend);
      disposeModel(model);
    });
  }

  Deno.test(`vit matches PyTorch: logits, loss, every gradient, eval logits (vit_small.json, ${backend})`, async () => {
    await tf.setBackend(backend);
    const fx = await load("vit_small.json");
    const c = fx.config;
    const model = createVit({
      inChannels: c.inChannels,
      imageSize: c.imageSize,
      patchSize: c.patchSize,
      numLayers: c.numLayers,
      numHeads: c.numHeads,
      hiddenDim: c.hiddenDim,
      mlpDim: c.mlpDim,
      seed: 0,
    });
    checkParity(model, fx, "vit_small.json", backend);
    disposeModel(model);
  });
}
