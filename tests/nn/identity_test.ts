import * as tf from "@tensorflow/tfjs";
import { assert } from "node:console";
import { initBackend } from "../../src/backend.ts";
import { Rng } from "../../src/core/rng.ts";
import { createFc } from "../../src/nn/fc.ts";
import { fwadNodeGradients } from "../../src/nn/gradients/fwad_node.ts";
import { fwadWeightGradients } from "../../src/nn/gradients/fwad_weight.ts";
import { sampleNormalTangents } from "../../src/nn/gradients/mode.ts";
import { simNodeGradients } from "../../src/nn/gradients/sim_node.ts";
import { simWeightGradients } from "../../src/nn/gradients/sim_weight.ts";
import { activityCount, disposeModel, parameterCount } from "../../src/nn/model.ts";

await initBackend("cpu");
void assert;

function relErr(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0] / tf.norm(b).dataSync()[0]);
}

function batch(seed: number, B: number, inputSize: number, classes: number) {
  const rng = new Rng(seed, "test-batch");
  const x = tf.tensor2d(rng.normal(new Float32Array(B * inputSize)), [B, inputSize]);
  const y = tf.tensor1d(Array.from({ length: B }, () => rng.nextInt(classes)), "int32");
  return { x, y };
}

for (const aggregation of ["mean", "orthogonal_projection"] as const) {
  for (const perturbation of ["node", "weight"] as const) {
    Deno.test(`sim and fwad ${perturbation} perturbation agree for ${aggregation} (k = 4)`, () => {
      const model = createFc({ width: 16, inputSize: 12, numClasses: 5, seed: 3 });
      const { x, y } = batch(1, 7, 12, 5);
      const n = perturbation === "node" ? activityCount(model) : parameterCount(model);
      const v = sampleNormalTangents(new Rng(4, "tangents"), 4, n);
      const sim = perturbation === "node"
        ? simNodeGradients(model, x, y, v, aggregation)
        : simWeightGradients(model, x, y, v, aggregation);
      const fw = perturbation === "node"
        ? fwadNodeGradients(model, x, y, v, aggregation)
        : fwadWeightGradients(model, x, y, v, aggregation);
      const errs = [relErr(fw.d!, sim.d!), ...sim.grads.map((g, i) => relErr(fw.grads[i], g))];
      console.log(perturbation, aggregation, errs);
      if (!(Math.max(...errs) <= 1e-4)) throw new Error(`errors ${errs}`);
      tf.dispose([x, y, v, sim.loss, fw.loss, sim.d!, fw.d!, ...sim.grads, ...fw.grads]);
      disposeModel(model);
    });
  }
}
