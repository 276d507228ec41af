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
import {
  blockContext,
  blockParams,
  BufferUpdates,
  commitBufferUpdates,
  type Model,
  type ModelMode,
} from "../model.ts";
import { forwardGradient } from "../../core/forward_gradient.ts";
import { hostReadsFor } from "../../core/aggregate.ts";
import type { NetworkAggregation } from "./types.ts";
import type { GradientResult, StepOptions, TimingSink } from "./types.ts";
import { batchRanges, batchSlice } from "./batch_chunks.ts";

/**
 * Weight gradients from per-sample activity gradient estimates, block by
 * block: for block i, backprop `fg[i]` [B, n_i] through the block alone from
 * its stored input. No gradient flows between blocks. Blocks with a
 * `paramGradients` method use it with their stored output (no recomputation);
 * others are recomputed from the input (in `mode`: a train-mode BatchNorm uses
 * the same batch statistics again) and differentiated, as the original.
 *
 * @param model the model
 * @param acts block inputs and the last output: acts[i] is block i's input,
 *   acts[i + 1] its output (acts[0] is the model input)
 * @param fgBlocks activity gradient estimate per block, [B, n_i]
 * @param recompute always recompute and differentiate (the generic path)
 * @param mode BatchNorm statistics of the recompute (default train)
 * @param updates receives the recompute's running statistics (the original's
 *   second update); absent: none are recorded
 * @returns one gradient per parameter, in parameter order
 */
export function blockLocalGradients(
  model: Model,
  acts: readonly tf.Tensor[],
  fgBlocks: readonly tf.Tensor[],
  recompute = false,
  mode: ModelMode = "train",
  updates?: BufferUpdates,
): tf.Tensor[] {
  const grads: tf.Tensor[] = new Array(model.params.length);
  model.blocks.forEach((block, i) => {
    const own = blockParams(model, i);
    if (own.length === 0) return;
    const y = acts[i + 1];
    const dy = tf.reshape(fgBlocks[i], y.shape);
    const g = block.paramGradients && !recompute && !block.bufferIndices?.length
      ? block.paramGradients(acts[i], y, dy, own)
      : tf.grads((...p: tf.Tensor[]) =>
        block.apply(acts[i], p, "params", blockContext(model, i, mode, updates))
      )(own, dy);
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
 * @param options BatchNorm mode (default train), buffer updates and the
 *   original's double running-statistic update (`doubleBufferUpdate`; what it
 *   changes in eval accuracy: bench/bn_double_update.ts)
 * @returns loss, weight-gradient estimates and the per-sample JVPs d [k, B]
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { createFc } from "../fc.ts";
 * import { simNodeGradients } from "./sim_node.ts";
 * const model = createFc({ width: 8, inputSize: 4, numClasses: 3, seed: 0 });
 * const v = tf.randomNormal([2, 8 + 8 + 3]) as tf.Tensor2D;
 * const r = await simNodeGradients(model, tf.ones([5, 4]), tf.tensor1d([0, 1, 2, 0, 1], "int32"), v, "mean");
 * console.assert(r.d!.shape.join() === "2,5");
 * ```
 */
export async function simNodeGradients(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D,
  aggregation: NetworkAggregation,
  timers?: TimingSink,
  options: StepOptions = {},
): Promise<GradientResult & { d: tf.Tensor2D }> {
  const mode = options.mode ?? "train";
  const commit = options.updateBuffers ?? true;
  const updates = new BufferUpdates();
  const B = x.shape[0];
  const ranges = batchRanges(model, B, options);
  // Per micro-batch: block inputs then the logits (the first input is the
  // caller's x or a slice of it), kept until the block-local backward.
  const saved: tf.Tensor[][] = [];
  try {
    const t1Box = { t1: 0 };
    const { loss, d } = tf.tidy(() => {
      let tForward = 0, tBackward = 0;
      const losses: tf.Tensor[] = [];
      const actRows: tf.Tensor[] = [];
      for (const [s, e] of ranges) {
        const xs = batchSlice(x, s, e), ys = batchSlice(labels, s, e);
        const acts: tf.Tensor[] = [];
        saved.push(acts);
        const zeros = model.blocks.map((b) => tf.zeros([e - s, b.outputSize]));
        const tp = performance.now();
        let tf1 = tp;
        const { value, grads: actGrads } = tf.valueAndGrads((...z: tf.Tensor[]) => {
          let a: tf.Tensor = xs;
          model.blocks.forEach((block, i) => {
            acts.push(tf.keep(a));
            const ctx = blockContext(model, i, mode, updates);
            const y = block.apply(a, blockParams(model, i), i === 0 ? "none" : "input", ctx);
            a = tf.add(y, tf.reshape(z[i], y.shape));
          });
          acts.push(tf.keep(a));
          const loss = crossEntropy(a as tf.Tensor2D, ys);
          tf1 = performance.now();
          return loss;
        })(zeros);
        tForward += tf1 - tp;
        tBackward += performance.now() - tf1;
        // Micro-batch means → the batch mean: weight (e − s)/B.
        const w = (e - s) / B;
        const rows = tf.concat(actGrads, 1); // [Bm, N]
        losses.push(ranges.length === 1 ? value : tf.mul(value, w));
        actRows.push(ranges.length === 1 ? rows : tf.mul(rows, w));
      }
      timers?.add("forward", tForward / 1000);
      timers?.add("backward", tBackward / 1000);
      t1Box.t1 = performance.now();
      if (commit) commitBufferUpdates(model, updates);
      // Per-sample JVPs: d[j, b] = Σ_i V_i · ∂L/∂a_i(b), the batch mean's 1/B included.
      const a = actRows.length === 1 ? actRows[0] : tf.concat(actRows, 0); // [B, N]
      const d = tf.matMul(tangents, tf.transpose(a)) as tf.Tensor2D; // [k, B]
      const loss = losses.length === 1 ? losses[0] : tf.addN(losses);
      return { loss: loss as tf.Scalar, d };
    });
    const t1 = t1Box.t1;
    try {
      // Backends without synchronous reads (webgpu) read frog's Gram matrix and d first.
      const read = await hostReadsFor(aggregation, tangents, d);
      const grads = tf.tidy(() => {
        const fg = forwardGradient(tangents, d, aggregation, read); // [N, B]
        const second = commit && options.doubleBufferUpdate ? updates : undefined;
        let grads: tf.Tensor[] | undefined;
        ranges.forEach(([s, e], c) => {
          const fgPart = ranges.length === 1 ? fg : tf.slice(fg, [0, s], [-1, e - s]);
          const g = blockLocalGradients(
            model,
            saved[c],
            splitActivityGradient(model, fgPart),
            false,
            mode,
            second,
          );
          grads = grads === undefined ? g : grads.map((t, i) => (t ? tf.add(t, g[i]) : t));
        });
        if (second) commitBufferUpdates(model, second);
        return grads as tf.Tensor[];
      });
      timers?.add("compute_forward_gradients", (performance.now() - t1) / 1000);
      return { loss, grads, d };
    } catch (e) {
      tf.dispose([loss, d]);
      throw e;
    }
  } finally {
    updates.dispose();
    for (const acts of saved) {
      for (let i = 0; i < acts.length; i++) if (acts[i] !== x) acts[i].dispose();
    }
  }
}
