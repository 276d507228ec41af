/**
 * LayerNorm over the last axis (PyTorch `LayerNorm(D, eps)`): biased variance,
 * elementwise ops only, so every backend's `tf.grad` and the JVP engine
 * differentiate it.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

/**
 * `(x − mean) / √(var + eps) · gamma + beta` over the last axis of `x`.
 *
 * @param x input [..., D]
 * @param gamma scale [D]
 * @param beta shift [D]
 * @param eps added to the variance (the ViT uses 1e-6)
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { layerNorm } from "./layernorm.ts";
 * const y = layerNorm(tf.tensor2d([[1, 2, 3]]), tf.ones([3]), tf.zeros([3]));
 * console.assert(Math.abs(y.dataSync()[1]) < 1e-6);
 * ```
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-6): tf.Tensor {
  const d = x.shape[x.rank - 1];
  if (gamma.size !== d || beta.size !== d) {
    throw new TypeError(
      `Cannot apply layerNorm: last axis has ${d} values, gamma ${gamma.size}, beta ${beta.size}`,
    );
  }
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const xm = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xm), -1, true);
    return tf.add(tf.mul(tf.mul(xm, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  });
}
