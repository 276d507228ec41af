/**
 * The simulated ≡ true forward identity as numbers, for tests and `verify`:
 * for the same model state, batch and tangents, how far the true forward
 * mode's JVPs and update are from the simulated mode's.
 *
 * Which identities hold (README, Design): strictly (per-sample JVPs and
 * update) for models without BatchNorm (FC, ViT), for ResNet18 with eval-mode
 * BatchNorm, and for weight perturbation in either mode; for node perturbation
 * of ResNet18 with train-mode BatchNorm only the batch sums of the per-sample
 * JVPs agree (`batchSumJvp`).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Model } from "../model.ts";
import { fwadNodeGradients } from "./fwad_node.ts";
import { fwadWeightGradients } from "./fwad_weight.ts";
import { simNodeGradients } from "./sim_node.ts";
import { simWeightGradients } from "./sim_weight.ts";
import type { NetworkAggregation, StepOptions } from "./types.ts";

/** Relative differences of the true forward mode from the simulated one. */
export interface IdentityMeasure {
  /** ‖d_fwad − d_sim‖ / ‖d_sim‖ over all JVPs (per sample for node perturbation). */
  jvp: number;
  /** The largest ‖g_fwad − g_sim‖ / ‖g_sim‖ over the parameters. */
  update: number;
  /** The same as `jvp` for the JVPs summed over the batch (node perturbation; = jvp for weight). */
  batchSumJvp: number;
}

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
 * Runs both modes on the same state and measures their difference. Running
 * statistics are not updated (so both see the same model).
 *
 * @param tangents V [k, N] (node) or [k, P] (weight)
 * @param options `mode` (train or eval BatchNorm); buffer updates are off
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { createFc } from "../fc.ts";
 * import { measureIdentity } from "./identity.ts";
 * const m = createFc({ width: 8, inputSize: 4, numClasses: 3, seed: 0 });
 * const v = tf.randomNormal([2, 8 + 8 + 3]) as tf.Tensor2D;
 * const r = await measureIdentity(m, tf.ones([5, 4]), tf.tensor1d([0, 1, 2, 0, 1], "int32"), v, "node", "mean");
 * console.assert(r.jvp < 1e-4);
 * ```
 */
export async function measureIdentity(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D,
  perturbation: "node" | "weight",
  aggregation: NetworkAggregation,
  options: StepOptions = {},
): Promise<IdentityMeasure> {
  const opts: StepOptions = { ...options, updateBuffers: false };
  const sim = perturbation === "node"
    ? await simNodeGradients(model, x, labels, tangents, aggregation, undefined, opts)
    : simWeightGradients(model, x, labels, tangents, aggregation, undefined, opts);
  const fw = perturbation === "node"
    ? await fwadNodeGradients(model, x, labels, tangents, aggregation, undefined, opts)
    : fwadWeightGradients(model, x, labels, tangents, aggregation, undefined, undefined, opts);
  try {
    const jvp = await relErr(fw.d!, sim.d!);
    let update = -Infinity;
    for (let i = 0; i < sim.grads.length; i++) {
      update = Math.max(update, await relErr(fw.grads[i], sim.grads[i]));
    }
    let batchSumJvp = jvp;
    if (perturbation === "node") {
      const [a, b] = [tf.sum(fw.d!, 1), tf.sum(sim.d!, 1)];
      batchSumJvp = await relErr(a, b);
      tf.dispose([a, b]);
    }
    return { jvp, update, batchSumJvp };
  } finally {
    tf.dispose([sim.loss, fw.loss, sim.d!, fw.d!, ...sim.grads, ...fw.grads]);
  }
}
