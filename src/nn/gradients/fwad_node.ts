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
 * BatchNorm in train mode couples the samples of a batch: perturbing every
 * sample's activity by the same tangent moves the batch statistics, so the
 * per-sample JVPs here differ from the simulated mode's (backprop's
 * per-sample activity gradients); only their batch sums agree. With eval-mode
 * BatchNorm, and for models without it (FC, ViT), the two are identical.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { jvp } from "../../jvp/mod.ts";
import { crossEntropy, crossEntropyLogitGradient } from "../loss.ts";
import { tangentChunks, weightJvpChunk } from "./fwad_weight.ts";
import {
  activityCount,
  blockContext,
  blockOutputShape,
  blockParams,
  BufferUpdates,
  commitBufferUpdates,
  type Model,
} from "../model.ts";
import { forwardGradient } from "../../core/forward_gradient.ts";
import { hostReadsFor } from "../../core/aggregate.ts";
import type { NetworkAggregation } from "./types.ts";
import { blockLocalGradients, splitActivityGradient } from "./sim_node.ts";
import type { GradientResult, StepOptions, TimingSink } from "./types.ts";

/**
 * Per-sample loss directional derivatives d [k, B] for activity tangents V
 * [k, N] by true forward mode; also returns the loss and the activities
 * (block inputs, then the logits).
 * The caller disposes `inputs[1..]`.
 *
 * Memory: the k tangents of every activation are about k times a forward
 * pass's activations (the ViT on CIFAR-10: ≈ 2.5 MiB per sample and tangent,
 * measured with `tf.profile` on wasm, so ≈ 5 GiB at B = 128, k = 16). The
 * tangents therefore go through passes of `options.kChunk` rows of V (default
 * from the same bound as weight perturbation, `weightJvpChunk` with P = 0 and
 * `options.jvpMemoryBytes`); each pass recomputes the primal forward, and the
 * first one supplies the activities, the loss and the running statistics.
 *
 * @param options BatchNorm mode (default train), buffer updates, kChunk
 */
export function nodeForwardJvps(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D,
  options: StepOptions = {},
): { loss: tf.Scalar; d: tf.Tensor2D; inputs: tf.Tensor[] } {
  const k = tangents.shape[0];
  const kChunk = options.kChunk ??
    weightJvpChunk(
      { activity: activityCount(model), params: 0 },
      x.shape[0],
      k,
      options.jvpMemoryBytes,
    );
  const chunks = tangentChunks(k, kChunk);
  if (chunks.length === 1) return nodeForwardPass(model, x, labels, tangents, options);
  const parts: tf.Tensor[] = [];
  let first: { loss: tf.Scalar; inputs: tf.Tensor[] } | undefined;
  try {
    for (const [s, e] of chunks) {
      const v = tf.slice(tangents, [s, 0], [e - s, -1]) as tf.Tensor2D;
      const r = nodeForwardPass(
        model,
        x,
        labels,
        v,
        first === undefined ? options : { ...options, updateBuffers: false },
      );
      v.dispose();
      parts.push(r.d);
      if (first === undefined) first = { loss: r.loss, inputs: r.inputs };
      else {
        r.loss.dispose();
        for (let i = 1; i < r.inputs.length; i++) r.inputs[i].dispose();
      }
    }
    const d = tf.concat(parts, 0) as tf.Tensor2D;
    return { loss: first!.loss, d, inputs: first!.inputs };
  } finally {
    tf.dispose(parts);
  }
}

/** One pass of {@link nodeForwardJvps} with all rows of `tangents`. */
function nodeForwardPass(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D,
  options: StepOptions,
): { loss: tf.Scalar; d: tf.Tensor2D; inputs: tf.Tensor[] } {
  const inputs: tf.Tensor[] = [];
  const mode = options.mode ?? "train";
  const updates = new BufferUpdates();
  let res;
  try {
    res = tf.tidy(() => {
      const k = tangents.shape[0];
      const slices = tf.split(tangents, model.blocks.map((b) => b.outputSize), 1);
      let a: tf.Tensor = x;
      let t: tf.Tensor | null = null;
      model.blocks.forEach((block, i) => {
        inputs.push(i === 0 ? a : tf.keep(a));
        const p = blockParams(model, i);
        const ctx = blockContext(model, i, mode, updates);
        const own = tf.reshape(slices[i], [k, 1, ...blockOutputShape(block)]);
        if (t === null) {
          a = block.apply(a, p, "none", ctx);
          t = own;
        } else {
          const r = jvp((ai: tf.Tensor) => block.apply(ai, p, "none", ctx), [a], [t]);
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
    if (options.updateBuffers ?? true) commitBufferUpdates(model, updates);
  } finally {
    updates.dispose();
  }
  return { ...res, inputs };
}

/**
 * One true-forward-mode node-perturbation gradient computation for given
 * tangents (timers `forward_and_jvps`, `compute_forward_gradients`).
 *
 * @param tangents V [k, N], N = Σ n_i, columns in block order
 * @param options BatchNorm mode (default train), buffer updates, kChunk
 * @returns loss, weight-gradient estimates and the per-sample JVPs d [k, B]
 */
export async function fwadNodeGradients(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D,
  aggregation: NetworkAggregation,
  timers?: TimingSink,
  options: StepOptions = {},
): Promise<GradientResult & { d: tf.Tensor2D }> {
  const t0 = performance.now();
  const { loss, d, inputs } = nodeForwardJvps(model, x, labels, tangents, options);
  const t1 = performance.now();
  timers?.add("forward_and_jvps", (t1 - t0) / 1000);
  try {
    // Backends without synchronous reads (webgpu) read frog's Gram matrix and d first.
    const read = await hostReadsFor(aggregation, tangents, d);
    const grads = tf.tidy(() => {
      const fg = forwardGradient(tangents, d, aggregation, read); // [N, B]
      return blockLocalGradients(
        model,
        inputs,
        splitActivityGradient(model, fg),
        false,
        options.mode ?? "train",
      );
    });
    timers?.add("compute_forward_gradients", (performance.now() - t1) / 1000);
    return { loss, grads, d };
  } finally {
    for (let i = 1; i < inputs.length; i++) inputs[i].dispose();
  }
}
