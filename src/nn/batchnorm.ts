/**
 * BatchNorm over the channel (last) axis of NHWC tensors, with PyTorch's
 * semantics (`BatchNorm2d(C, eps=1e-5, momentum=0.1)`):
 * - train mode normalises with the batch statistics (mean and biased variance
 *   over batch and spatial axes) and returns the new running statistics
 *   `(1 − m)·running + m·batch`, the variance unbiased (× n/(n − 1));
 * - eval mode normalises with the running statistics.
 *
 * Built from elementwise ops and means, so `tf.grad` (every backend) and the
 * JVP engine differentiate it, batch-statistic coupling included. The running
 * statistics are never parameters: the caller stores them (the model's
 * buffers) and decides whether to commit an update.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { ModelMode } from "./model.ts";

/** BatchNorm hyper-parameters (PyTorch defaults). */
export interface BatchNormConfig {
  /** Added to the variance (1e-5). */
  eps?: number;
  /** Weight of the batch statistic in the running update (0.1). */
  momentum?: number;
}

/** The output and, in train mode, the new running statistics. */
export interface BatchNormResult {
  /** The normalised, scaled and shifted input. */
  y: tf.Tensor;
  /** New running mean [C] (train mode only). */
  runningMean?: tf.Tensor1D;
  /** New running variance [C] (train mode only). */
  runningVar?: tf.Tensor1D;
}

/**
 * Applies BatchNorm to `x` [..., C].
 *
 * @param x input, channels last
 * @param gamma scale [C]
 * @param beta shift [C]
 * @param runningMean running mean [C]
 * @param runningVar running variance [C]
 * @param mode train (batch statistics) or eval (running statistics)
 *
 * @example Train mode normalises each channel to mean 0
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { batchNorm } from "./batchnorm.ts";
 * const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 1, 2]);
 * const r = batchNorm(x, tf.ones([2]), tf.zeros([2]), tf.zeros([2]), tf.ones([2]), "train");
 * console.assert(Math.abs(tf.mean(r.y).dataSync()[0]) < 1e-6);
 * ```
 */
export function batchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  runningMean: tf.Tensor,
  runningVar: tf.Tensor,
  mode: ModelMode,
  config: BatchNormConfig = {},
): BatchNormResult {
  const eps = config.eps ?? 1e-5;
  const m = config.momentum ?? 0.1;
  const c = x.shape[x.rank - 1];
  if (gamma.size !== c || beta.size !== c || runningMean.size !== c || runningVar.size !== c) {
    throw new TypeError(
      `Cannot apply batchNorm: ${c} channels but gamma, beta, running mean, running var have ${
        [gamma.size, beta.size, runningMean.size, runningVar.size].join(", ")
      } values`,
    );
  }
  if (mode === "eval") {
    const y = tf.tidy(() =>
      tf.add(tf.mul(tf.sub(x, runningMean), tf.mul(tf.rsqrt(tf.add(runningVar, eps)), gamma)), beta)
    );
    return { y };
  }
  const axes = [...Array(x.rank - 1).keys()];
  const n = x.size / c;
  if (n < 2) {
    throw new RangeError(
      `Cannot apply batchNorm in train mode: expected more than 1 value per channel, got ${n}`,
    );
  }
  return tf.tidy(() => {
    const mean = tf.mean(x, axes);
    const xm = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xm), axes);
    const y = tf.add(tf.mul(xm, tf.mul(tf.rsqrt(tf.add(variance, eps)), gamma)), beta);
    const newMean = tf.add(tf.mul(runningMean, 1 - m), tf.mul(mean, m)) as tf.Tensor1D;
    const newVar = tf.add(
      tf.mul(runningVar, 1 - m),
      tf.mul(variance, (m * n) / (n - 1)),
    ) as tf.Tensor1D;
    return { y, runningMean: newMean, runningVar: newVar };
  });
}
