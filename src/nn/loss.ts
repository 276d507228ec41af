/**
 * Cross-entropy on logits, as the original: training uses the batch mean,
 * evaluation sums per-sample losses and divides by the dataset size.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

/**
 * Per-sample cross-entropy −log softmax(logits)[label], shape [B].
 *
 * @param logits [B, C]
 * @param labels int32 [B]
 */
export function perSampleCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(labels, logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(onehot, logp), 1)) as tf.Tensor1D;
  });
}

/**
 * Batch-mean cross-entropy (the training loss).
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { crossEntropy } from "./loss.ts";
 * const l = crossEntropy(tf.zeros([2, 10]) as tf.Tensor2D, tf.tensor1d([1, 2], "int32"));
 * console.assert(Math.abs(l.dataSync()[0] - Math.log(10)) < 1e-6);
 * ```
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(perSampleCrossEntropy(logits, labels)) as tf.Scalar);
}

/**
 * d/dlogits of the per-sample cross-entropy: softmax(logits) − onehot(label), [B, C].
 * Used by the true forward node mode to turn logit tangents into loss tangents.
 */
export function crossEntropyLogitGradient(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() =>
    tf.sub(tf.softmax(logits), tf.oneHot(labels, logits.shape[1])) as tf.Tensor2D
  );
}

/** Number of rows whose argmax equals the label (read back asynchronously). */
export async function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): Promise<number> {
  const t = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), "int32")));
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}
