/**
 * The simulated/true forward identity on a sample batch: for the same
 * weights, batch and tangents, the simulated forward gradients (JVPs from
 * backprop, the paper's mode) and the true forward-mode ones (the JVP engine)
 * must give the same directional derivatives and the same weight updates.
 * Uses the training code's exported gradient functions (src/nn/mod.ts).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Rng } from "../core/rng.ts";
import {
  activityCount,
  createFc,
  disposeModel,
  fwadNodeGradients,
  fwadWeightGradients,
  parameterCount,
  sampleNormalTangents,
  simNodeGradients,
  simWeightGradients,
} from "../nn/mod.ts";
import type { PendingCheck } from "./checks.ts";

/** Relative tolerance: float32 round-off over sums of a few thousand terms. */
export const IDENTITY_TOLERANCE = 1e-4;

async function relErr(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const t = tf.tidy(() => tf.stack([tf.norm(tf.sub(a, b)), tf.norm(b)]));
  try {
    const [num, den] = await t.data();
    return den === 0 ? num : num / den;
  } finally {
    t.dispose();
  }
}

/**
 * Checks the identity for an FC network (width `width`, MNIST-sized input),
 * a seeded normal batch of `batch` samples, both perturbations, both
 * aggregations and each k.
 *
 * @returns One check per (perturbation, aggregation, k): the largest relative
 *   difference of the JVPs and of the weight updates.
 */
export async function identityChecks(
  opts: { width?: number; batch?: number; ks?: number[]; seed?: number } = {},
): Promise<PendingCheck[]> {
  const { width = 256, batch = 16, ks = [4, 16], seed = 0 } = opts;
  const out: PendingCheck[] = [];
  const model = createFc({ width, seed });
  const rng = new Rng(seed, "verify", "identity-batch");
  const xs = rng.normal(new Float32Array(batch * 784));
  const x = tf.tensor2d(xs, [batch, 784]);
  const y = tf.tensor1d(Array.from({ length: batch }, () => rng.nextInt(10)), "int32");
  try {
    for (const perturbation of ["node", "weight"] as const) {
      for (const aggregation of ["mean", "orthogonal_projection"] as const) {
        for (const k of ks) {
          const n = perturbation === "node" ? activityCount(model) : parameterCount(model);
          const v = sampleNormalTangents(new Rng(seed, "verify", "identity-tangents", k), k, n);
          const sim = perturbation === "node"
            ? await simNodeGradients(model, x, y, v, aggregation)
            : simWeightGradients(model, x, y, v, aggregation);
          const fw = perturbation === "node"
            ? await fwadNodeGradients(model, x, y, v, aggregation)
            : fwadWeightGradients(model, x, y, v, aggregation);
          let err = await relErr(fw.d!, sim.d!);
          for (let i = 0; i < sim.grads.length; i++) {
            err = Math.max(err, await relErr(fw.grads[i], sim.grads[i]));
          }
          tf.dispose([v, sim.loss, fw.loss, sim.d!, fw.d!, ...sim.grads, ...fw.grads]);
          out.push({
            section: "networks",
            check:
              `simulated = true forward mode on a sample batch: JVPs and updates (fc_w=${width}, ${perturbation} perturbation, ${
                aggregation === "mean" ? "fg-mean" : "frog"
              }, k=${k}, relative difference)`,
            expected: 0,
            measured: err,
            se: 0,
            slack: IDENTITY_TOLERANCE,
            test: (tol) => err <= tol,
          });
        }
      }
    }
  } finally {
    tf.dispose([x, y]);
    disposeModel(model);
  }
  return out;
}
