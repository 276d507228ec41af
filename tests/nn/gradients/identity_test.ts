// THE identity: for the same weights, batch and tangents, the simulated modes
// (JVPs from backprop) and the true forward modes (JVP engine) give the same
// directional derivatives and the same update.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "../_assert.ts";
import { initBackend } from "../../../src/backend.ts";
import { Rng } from "../../../src/core/rng.ts";
import { createFc } from "../../../src/nn/fc.ts";
import { fwadNodeGradients } from "../../../src/nn/gradients/fwad_node.ts";
import { fwadWeightGradients } from "../../../src/nn/gradients/fwad_weight.ts";
import { sampleNormalTangents } from "../../../src/nn/gradients/mode.ts";
import { simNodeGradients } from "../../../src/nn/gradients/sim_node.ts";
import { simWeightGradients } from "../../../src/nn/gradients/sim_weight.ts";
import { activityCount, disposeModel, parameterCount } from "../../../src/nn/model.ts";
import { randomBatch, relErr } from "../_helpers.ts";

const backend = (Deno.env.get("FG_TEST_BACKEND") ?? "cpu") as "cpu" | "wasm" | "tensorflow";
await initBackend(backend);

for (const perturbation of ["node", "weight"] as const) {
  for (const aggregation of ["mean", "orthogonal_projection"] as const) {
    for (const k of [1, 4, 16]) {
      Deno.test(
        `sim and fwad ${perturbation} perturbation give the same JVPs and update (${aggregation}, k = ${k})`,
        async () => {
          const before = tf.memory().numTensors;
          const model = createFc({ width: 24, inputSize: 12, numClasses: 5, seed: 3 });
          const { x, y } = randomBatch(1, 7, 12, 5);
          const n = perturbation === "node" ? activityCount(model) : parameterCount(model);
          const v = sampleNormalTangents(new Rng(4, "tangents"), k, n);
          const sim = perturbation === "node"
            ? await simNodeGradients(model, x, y, v, aggregation)
            : simWeightGradients(model, x, y, v, aggregation);
          const fw = perturbation === "node"
            ? await fwadNodeGradients(model, x, y, v, aggregation)
            : fwadWeightGradients(model, x, y, v, aggregation);
          assertEquals(fw.d!.shape, perturbation === "node" ? [k, 7] : [k]);
          assertEquals(fw.d!.shape, sim.d!.shape);
          const dErr = relErr(fw.d!, sim.d!);
          assert(dErr <= 1e-4, `JVPs differ: ${dErr}`);
          sim.grads.forEach((g, i) => {
            const e = relErr(fw.grads[i], g);
            assert(e <= 1e-4, `param ${i} differs: ${e}`);
          });
          assert(Math.abs(fw.loss.dataSync()[0] - sim.loss.dataSync()[0]) < 1e-6, "loss");
          tf.dispose([x, y, v, sim.loss, fw.loss, sim.d!, fw.d!, ...sim.grads, ...fw.grads]);
          disposeModel(model);
          assertEquals(tf.memory().numTensors, before, "no tensor leaks");
        },
      );
    }
  }
}
