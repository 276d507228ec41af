/**
 * True forward-mode node perturbation. The JVP engine carries the k activity
 * tangents forward block by block: block i's output tangent is the JVP of the
 * block on its input tangent plus the block's own tangent slice V_i
 * (batch-invariant, [k, 1, n_i]). The per-sample directional derivatives of
 * the loss come out of this one forward pass, with no global backward pass:
 * d[j, b] = (∂ℓ_b/∂logits_b · ṫ_j,b) / B, the tangent of sample b's loss over
 * the batch size (the loss is a batch mean). This equals the simulated mode's
 * J exactly (same tangents, same weights). Aggregation and block-local
 * weight gradients are then the same as in the simulated mode.
 *
 * Unlike the original's ActivityPerturbedForwardGradientModel (spec §4.6.4),
 * upstream tangents do reach the loss and the JVPs are per sample.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { jvp } from "../../jvp/mod.ts";
import { crossEntropy, crossEntropyLogitGradient } from "../loss.ts";
import { blockParams, type Model } from "../model.ts";
import { forwardGradient } from "../../core/forward_gradient.ts";
import type { NetworkAggregation } from "./types.ts";
import { blockLocalGradients, splitActivityGradient } from "./sim_node.ts";
import type { GradientResult, TimingSink } from "./types.ts";

/**
 * Per-sample loss directional derivatives d [k, B] for activity tangents V
 * [k, N] by true forward mode; also returns the loss and the activities
 * (block inputs, then the logits).
 * The caller disposes `inputs[1..]`.
 */
export function nodeForwardJvps(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D,
): { loss: tf.Scalar; d: tf.Tensor2D; inputs: tf.Tensor[] } {
  const inputs: tf.Tensor[] = [];
  const res = tf.tidy(() => {
    const k = tangents.shape[0];
    const slices = tf.split(tangents, model.blocks.map((b) => b.outputSize), 1);
    let a: tf.Tensor = x;
    let t: tf.Tensor | null = null;
    model.blocks.forEach((block, i) => {
      inputs.push(i === 0 ? a : tf.keep(a));
      const p = blockParams(model, i);
      const own = tf.reshape(slices[i], [k, 1, block.outputSize]);
      if (t === null) {
        a = block.apply(a, p, "none");
        t = own;
      } else {
        const r = jvp((ai: tf.Tensor) => block.apply(ai, p, "none"), [a], [t]);
        a = r.primal as tf.Tensor;
        t = tf.add(r.tangent as tf.Tensor, own);
      }
    });
    const logits = a as tf.Tensor2D;
    const B = logits.shape[0];
    const g = crossEntropyLogitGradient(logits, labels); // [B, C]
    const d = tf.div(tf.sum(tf.mul(t!, g), 2), B) as tf.Tensor2D; // [k, B]
    inputs.push(tf.keep(logits));
    return { loss: crossEntropy(logits, labels), d };
  });
  return { ...res, inputs };
}

/**
 * One true-forward-mode node-perturbation gradient computation for given
 * tangents (timers `forward_and_jvps`, `compute_forward_gradients`).
 *
 * @param tangents V [k, N], N = Σ n_i, columns in block order
 * @returns loss, weight-gradient estimates and the per-sample JVPs d [k, B]
 */
export function fwadNodeGradients(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D,
  aggregation: NetworkAggregation,
  timers?: TimingSink,
): GradientResult & { d: tf.Tensor2D } {
  const t0 = performance.now();
  const { loss, d, inputs } = nodeForwardJvps(model, x, labels, tangents);
  const t1 = performance.now();
  timers?.add("forward_and_jvps", (t1 - t0) / 1000);
  try {
    const grads = tf.tidy(() => {
      const fg = forwardGradient(tangents, d, aggregation); // [N, B]
      return blockLocalGradients(model, inputs, splitActivityGradient(model, fg));
    });
    timers?.add("compute_forward_gradients", (performance.now() - t1) / 1000);
    return { loss, grads, d };
  } finally {
    for (let i = 1; i < inputs.length; i++) inputs[i].dispose();
  }
}
