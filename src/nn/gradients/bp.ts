/**
 * Backpropagation: the true gradient of the batch-mean cross-entropy.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { crossEntropy } from "../loss.ts";
import { BufferUpdates, commitBufferUpdates, forward, type Model } from "../model.ts";
import type { GradientResult, StepOptions, TimingSink } from "./types.ts";
import { batchRanges, batchSlice } from "./batch_chunks.ts";

/**
 * The loss and its true gradient for every parameter (timers `forward`,
 * `backward`). A train-mode pass (the default) commits the BatchNorm running
 * statistics it computed, as PyTorch's forward does. Models without
 * train-mode BatchNorm run in micro-batches within a memory bound
 * (`options.batchChunk`, see batch_chunks.ts): the same loss and gradient.
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { createFc } from "../fc.ts";
 * import { bpGradients } from "./bp.ts";
 * const model = createFc({ width: 8, inputSize: 4, numClasses: 3, seed: 0 });
 * const r = bpGradients(model, tf.ones([2, 4]), tf.tensor1d([0, 2], "int32"));
 * console.assert(r.grads.length === model.params.length);
 * ```
 */
export function bpGradients(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  timers?: TimingSink,
  options: StepOptions = {},
): GradientResult {
  const updates = new BufferUpdates();
  const B = x.shape[0];
  const ranges = batchRanges(model, B, options);
  try {
    let loss: tf.Scalar | undefined;
    let acc: tf.Tensor[] | undefined;
    for (const [s, e] of ranges) {
      const part = tf.tidy(() => {
        const t0 = performance.now();
        let tForward = t0;
        const xs = batchSlice(x, s, e), ys = batchSlice(labels, s, e);
        const { value, grads } = tf.valueAndGrads((...params: tf.Tensor[]) => {
          const logits = forward(model, xs, "all", params, {
            mode: options.mode ?? "train",
            updates,
          });
          const l = crossEntropy(logits, ys);
          tForward = performance.now();
          return l;
        })(model.params);
        timers?.add("forward", (tForward - t0) / 1000);
        timers?.add("backward", (performance.now() - tForward) / 1000);
        if (ranges.length === 1) return { value, grads };
        // The batch mean is the size-weighted mean of the micro-batch means.
        const w = (e - s) / B;
        return { value: tf.mul(value, w), grads: grads.map((g) => tf.mul(g, w)) };
      });
      if (loss === undefined || acc === undefined) {
        loss = part.value as tf.Scalar;
        acc = part.grads;
      } else {
        const [l0, a0] = [loss, acc];
        loss = tf.add(l0, part.value) as tf.Scalar;
        acc = a0.map((g, i) => tf.add(g, part.grads[i]));
        tf.dispose([l0, ...a0, part.value, ...part.grads]);
      }
    }
    const r = { loss: loss as tf.Scalar, grads: acc as tf.Tensor[] };
    if (options.updateBuffers ?? true) commitBufferUpdates(model, updates);
    return r;
  } finally {
    updates.dispose();
  }
}
