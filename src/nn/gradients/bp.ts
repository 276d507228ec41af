/**
 * Backpropagation: the true gradient of the batch-mean cross-entropy.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { crossEntropy } from "../loss.ts";
import { BufferUpdates, commitBufferUpdates, forward, type Model } from "../model.ts";
import type { GradientResult, StepOptions, TimingSink } from "./types.ts";

/**
 * The loss and its true gradient for every parameter (timers `forward`,
 * `backward`). A train-mode pass (the default) commits the BatchNorm running
 * statistics it computed, as PyTorch's forward does.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
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
  try {
    const r = tf.tidy(() => {
      const t0 = performance.now();
      let tForward = t0;
      const { value, grads } = tf.valueAndGrads((...params: tf.Tensor[]) => {
        const logits = forward(model, x, "all", params, { mode: options.mode ?? "train", updates });
        const loss = crossEntropy(logits, labels);
        tForward = performance.now();
        return loss;
      })(model.params);
      timers?.add("forward", (tForward - t0) / 1000);
      timers?.add("backward", (performance.now() - tForward) / 1000);
      return { loss: value as tf.Scalar, grads };
    });
    if (options.updateBuffers ?? true) commitBufferUpdates(model, updates);
    return r;
  } finally {
    updates.dispose();
  }
}
