import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "../_assert.ts";
import { initBackend } from "../../../src/backend.ts";
import { Rng } from "../../../src/core/rng.ts";
import { createFc } from "../../../src/nn/fc.ts";
import { bpGradients } from "../../../src/nn/gradients/bp.ts";
import { sampleNormalTangents } from "../../../src/nn/gradients/mode.ts";
import { blockLocalGradients, simNodeGradients } from "../../../src/nn/gradients/sim_node.ts";
import { crossEntropy } from "../../../src/nn/loss.ts";
import { activityCount, blockParams, disposeModel } from "../../../src/nn/model.ts";
import { randomBatch, relErr } from "../_helpers.ts";

await initBackend("cpu");

const setup = () => {
  const model = createFc({ width: 10, inputSize: 6, numClasses: 4, seed: 5 });
  const { x, y } = randomBatch(6, 8, 6, 4);
  return { model, x, y, n: activityCount(model) };
};

Deno.test("simNodeGradients() JVPs are per-sample directional derivatives of the batch loss", async () => {
  const { model, x, y, n } = setup();
  const v = sampleNormalTangents(new Rng(1, "tangents"), 3, n);
  const r = await simNodeGradients(model, x, y, v, "mean");
  // Perturb sample b's block outputs by h·v_j (added at every block output) and difference the loss.
  const sizes = model.blocks.map((b) => b.outputSize);
  const lossWith = (b: number, j: number, h: number) =>
    tf.tidy(() => {
      const slices = tf.split(v, sizes, 1);
      let a: tf.Tensor = x;
      model.blocks.forEach((block, i) => {
        const mask = tf.oneHot(tf.tensor1d([b], "int32"), x.shape[0]).reshape([-1, 1]);
        const pert = tf.mul(mask, tf.mul(slices[i].slice([j, 0], [1, -1]), h));
        a = tf.add(block.apply(a, blockParams(model, i), "none"), pert);
      });
      return crossEntropy(a as tf.Tensor2D, y).dataSync()[0];
    });
  const d = (r.d as tf.Tensor2D).arraySync();
  for (const [b, j] of [[0, 0], [3, 1], [7, 2]]) {
    // Small h keeps ±h·v clear of ReLU kinks; float32 rounding of the loss (~1e-7) then
    // limits the difference quotient to about 1e-7 / h = 1e-4.
    const h = 1e-3;
    const fd = (lossWith(b, j, h) - lossWith(b, j, -h)) / (2 * h);
    assert(Math.abs(fd - d[j][b]) < 3e-4 + 0.02 * Math.abs(d[j][b]), `${fd} vs ${d[j][b]}`);
  }
  disposeModel(model);
});

Deno.test("fg-mean and frog with the same tangents differ only by the aggregation", async () => {
  const { model, x, y, n } = setup();
  const k = 4;
  // Orthonormal tangent rows (scaled standard basis rows): V Vᵀ = I, so frog = Vᵀ d = k · mean.
  const rows = new Float32Array(k * n);
  const picked = [0, 13, 21, n - 1];
  picked.forEach((c, j) => rows[j * n + c] = 1);
  const v = tf.tensor2d(rows, [k, n]);
  const mean = await simNodeGradients(model, x, y, v, "mean");
  const frog = await simNodeGradients(model, x, y, v, "orthogonal_projection");
  assertEquals(Array.from(mean.d.dataSync()), Array.from(frog.d.dataSync()));
  frog.grads.forEach((g, i) => assert(relErr(g, tf.mul(mean.grads[i], k)) < 1e-6, `param ${i}`));
  disposeModel(model);
});

Deno.test("with k = 1, frog equals mean divided by ‖v‖²", async () => {
  const { model, x, y, n } = setup();
  const v = sampleNormalTangents(new Rng(2, "tangents"), 1, n);
  const norm2 = tf.sum(tf.square(v)).dataSync()[0];
  const mean = await simNodeGradients(model, x, y, v, "mean");
  const frog = await simNodeGradients(model, x, y, v, "orthogonal_projection");
  frog.grads.forEach((g, i) =>
    assert(relErr(g, tf.div(mean.grads[i], norm2)) < 1e-5, `param ${i}`)
  );
  disposeModel(model);
});

Deno.test("with k ≥ N spanning tangents, frog node gradients equal the bp gradients", async () => {
  const { model, x, y, n } = setup();
  const v = sampleNormalTangents(new Rng(3, "tangents"), n, n);
  const frog = await simNodeGradients(model, x, y, v, "orthogonal_projection");
  const bp = bpGradients(model, x, y);
  bp.grads.forEach((g, i) => assert(relErr(frog.grads[i], g) < 1e-3, `param ${i}`));
  disposeModel(model);
});

Deno.test("blockLocalGradients() fast dense path equals recompute-and-backprop", async () => {
  const { model, x, y, n } = setup();
  const v = sampleNormalTangents(new Rng(9, "tangents"), 5, n);
  // Activities and a per-sample activity estimate from one sim step.
  const acts: tf.Tensor[] = [x];
  let a: tf.Tensor = x;
  model.blocks.forEach((block, i) => {
    a = block.apply(a, blockParams(model, i), "none");
    acts.push(a);
  });
  const r = await simNodeGradients(model, x, y, v, "orthogonal_projection");
  const fgBlocks = model.blocks.map((b) => tf.randomNormal([8, b.outputSize], 0, 1, "float32", 3));
  const fast = blockLocalGradients(model, acts, fgBlocks);
  const slow = blockLocalGradients(model, acts, fgBlocks, true);
  fast.forEach((g, i) => assert(relErr(g, slow[i]) < 1e-6, `param ${i}`));
  assert(r.grads.length === fast.length);
  disposeModel(model);
});
