import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert } from "../_assert.ts";
import { initBackend } from "../../../src/backend.ts";
import { Rng } from "../../../src/core/rng.ts";
import { createFc } from "../../../src/nn/fc.ts";
import { bpGradients } from "../../../src/nn/gradients/bp.ts";
import { crossEntropy } from "../../../src/nn/loss.ts";
import { disposeModel, forward } from "../../../src/nn/model.ts";
import { randomBatch, relErr } from "../_helpers.ts";

await initBackend("cpu");

Deno.test("bpGradients() matches central finite differences on a tiny net", () => {
  const model = createFc({ width: 5, inputSize: 4, numClasses: 3, seed: 1 });
  const { x, y } = randomBatch(2, 6, 4, 3);
  const r = bpGradients(model, x, y);
  const lossAt = (params: tf.Tensor[]) =>
    tf.tidy(() => crossEntropy(forward(model, x, "none", params), y).dataSync()[0]);
  const rng = new Rng(5, "fd");
  const h = 1e-2;
  // Directional derivatives in 5 random directions: g·u vs (L(θ+hu) − L(θ−hu)) / 2h.
  for (let t = 0; t < 5; t++) {
    const raw = model.params.map((p) => rng.normal(new Float32Array(p.size)));
    const norm = Math.sqrt(raw.reduce((s, r) => s + r.reduce((a, v) => a + v * v, 0), 0));
    // A unit direction overall, so that ±h stays clear of the ReLU kinks.
    const dirs = model.params.map((p, i) => tf.tensor(raw[i].map((v) => v / norm), p.shape));
    const plus = model.params.map((p, i) => tf.add(p, tf.mul(dirs[i], h)));
    const minus = model.params.map((p, i) => tf.sub(p, tf.mul(dirs[i], h)));
    const fd = (lossAt(plus) - lossAt(minus)) / (2 * h);
    const exact = r.grads.reduce((s, g, i) => s + tf.sum(tf.mul(g, dirs[i])).dataSync()[0], 0);
    assert(Math.abs(fd - exact) <= 1e-3 * Math.max(0.1, Math.abs(exact)), `fd ${fd} vs ${exact}`);
    tf.dispose([...dirs, ...plus, ...minus]);
  }
  disposeModel(model);
});

Deno.test("bpGradients() equals tf.grads through plain ops (built-in matMul gradient)", () => {
  const model = createFc({ width: 7, inputSize: 5, numClasses: 4, seed: 2 });
  const { x, y } = randomBatch(3, 9, 5, 4);
  const r = bpGradients(model, x, y);
  const ref = tf.grads((...p: tf.Tensor[]) => crossEntropy(forward(model, x, "none", p), y))(
    model.params,
  );
  r.grads.forEach((g, i) => assert(relErr(g, ref[i]) < 1e-6, `param ${i}`));
  assert(Math.abs(r.loss.dataSync()[0] - crossEntropy(forward(model, x), y).dataSync()[0]) < 1e-7);
  disposeModel(model);
});
