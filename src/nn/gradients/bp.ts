/**
 * Backpropagation: the true gradient of the batch-mean cross-entropy.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { crossEntropy } from "../loss.ts";
import { forward, type Model } from "../model.ts";
import type { GradientResult, TimingSink } from "./types.ts";

/**
 * The loss and its true gradient for every parameter (timers `forward`, `backward`).
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
): GradientResult {
  return tf.tidy(() => {
    const t0 = performance.now();
    let tForward = t0;
    const { value, grads } = tf.valueAndGrads((...params: tf.Tensor[]) => {
      const loss = crossEntropy(forward(model, x, "all", params), labels);
      tForward = performance.now();
      return loss;
    })(model.params);
    timers?.add("forward", (tForward - t0) / 1000);
    timers?.add("backward", (performance.now() - tForward) / 1000);
    return { loss: value as tf.Scalar, grads };
  });
}
