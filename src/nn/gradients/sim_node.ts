/**
 * Simulated node (activity) perturbation, the paper's default (spec §4.6.1):
 * one global tangent V [k, N] over the concatenated per-sample block outputs,
 * shared by every sample; per-sample directional derivatives J = V Gᵀ from
 * backprop's activity gradients; a global forward gradient per sample; and
 * block-local backprop of that activity estimate for the weight gradients.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { crossEntropy } from "../loss.ts";
import { blockParams, type Model } from "../model.ts";
import { forwardGradient } from "../../core/forward_gradient.ts";
import type { NetworkAggregation } from "./types.ts";
import type { GradientResult, TimingSink } from "./types.ts";

/**
 * Weight gradients from per-sample activity gradient estimates, block by
 * block: for block i, backprop `fg[i]` [B, n_i] through the block alone from
 * its stored input. No gradient flows between blocks. Blocks with a
 * `paramGradients` method use it with their stored output (no recomputation);
 * others are recomputed from the input and differentiated, as the original.
 *
 * @param model the model
 * @param acts block inputs and the last output: acts[i] is block i's input,
 *   acts[i + 1] its output (acts[0] is the model input)
 * @param fgBlocks activity gradient estimate per block, [B, n_i]
 * @param recompute always recompute and differentiate (the generic path)
 * @returns one gradient per parameter, in parameter order
 */
export function blockLocalGradients(
  model: Model,
  acts: readonly tf.Tensor[],
  fgBlocks: readonly tf.Tensor[],
  recompute = false,
): tf.Tensor[] {
  const grads: tf.Tensor[] = new Array(model.params.length);
  model.blocks.forEach((block, i) => {
    const own = blockParams(model, i);
    if (own.length === 0) return;
    const g = block.paramGradients && !recompute
      ? block.paramGradients(acts[i], acts[i + 1], fgBlocks[i], own)
      : tf.grads((...p: tf.Tensor[]) => block.apply(acts[i], p, "params"))(own, fgBlocks[i]);
    block.paramIndices.forEach((j, m) => grads[j] = g[m]);
  });
  return grads;
}

/**
 * Splits per-sample activity gradient estimates fg [N, B] (core layout) into
 * per-block [B, n_i] tensors.
 */
export function splitActivityGradient(model: Model, fg: tf.Tensor): tf.Tensor[] {
  const fgT = tf.transpose(fg); // [B, N]
  return tf.split(fgT, model.blocks.map((b) => b.outputSize), 1);
}

/**
 * One simulated node-perturbation gradient computation for given tangents.
 *
 * Timers: `forward`, `backward` (the global backward for the activity
 * gradients) and `compute_forward_gradients` (JVPs, aggregation and the
 * block-local backward).
 *
 * @param model the model
 * @param x input batch [B, ...]
 * @param labels int32 labels [B]
 * @param tangents V [k, N], N = Σ n_i, columns in block order
 * @param aggregation `mean` or `orthogonal_projection`
 * @returns loss, weight-gradient estimates and the per-sample JVPs d [k, B]
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { createFc } from "../fc.ts";
 * import { simNodeGradients } from "./sim_node.ts";
 * const model = createFc({ width: 8, inputSize: 4, numClasses: 3, seed: 0 });
 * const v = tf.randomNormal([2, 8 + 8 + 3]) as tf.Tensor2D;
 * const r = simNodeGradients(model, tf.ones([5, 4]), tf.tensor1d([0, 1, 2, 0, 1], "int32"), v, "mean");
 * console.assert(r.d!.shape.join() === "2,5");
 * ```
 */
export function simNodeGradients(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D,
  aggregation: NetworkAggregation,
  timers?: TimingSink,
): GradientResult & { d: tf.Tensor2D } {
  const saved: tf.Tensor[] = []; // block inputs, then the logits
  try {
    return tf.tidy(() => {
      const B = x.shape[0];
      const zeros = model.blocks.map((b) => tf.zeros([B, b.outputSize]));
      const t0 = performance.now();
      let tForward = t0;
      const { value, grads: actGrads } = tf.valueAndGrads((...z: tf.Tensor[]) => {
        let a: tf.Tensor = x;
        model.blocks.forEach((block, i) => {
          saved.push(i === 0 ? a : tf.keep(a));
          a = tf.add(block.apply(a, blockParams(model, i), i === 0 ? "none" : "input"), z[i]);
        });
        saved.push(tf.keep(a));
        const loss = crossEntropy(a as tf.Tensor2D, labels);
        tForward = performance.now();
        return loss;
      })(zeros);
      timers?.add("forward", (tForward - t0) / 1000);
      const t1 = performance.now();
      timers?.add("backward", (t1 - tForward) / 1000);
      // Per-sample JVPs: d[j, b] = Σ_i V_i · ∂L/∂a_i(b), the batch mean's 1/B included.
      const a = tf.concat(actGrads, 1); // [B, N]
      const d = tf.matMul(tangents, tf.transpose(a)) as tf.Tensor2D; // [k, B]
      const fg = forwardGradient(tangents, d, aggregation); // [N, B]
      const grads = blockLocalGradients(model, saved, splitActivityGradient(model, fg));
      timers?.add("compute_forward_gradients", (performance.now() - t1) / 1000);
      return { loss: value as tf.Scalar, grads, d };
    });
  } finally {
    for (let i = 1; i < saved.length; i++) saved[i].dispose();
  }
}
