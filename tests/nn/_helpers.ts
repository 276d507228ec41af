// Shared helpers of the nn tests.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Rng } from "../../src/core/rng.ts";
import type { SplitSource, TrainingData } from "../../src/nn/data_source.ts";

/** ‖a − b‖ / ‖b‖. */
export function relErr(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0] / tf.norm(b).dataSync()[0]);
}

/** A seeded random batch: x [B, inputSize] standard normal, labels uniform. */
export function randomBatch(seed: number, B: number, inputSize: number, classes: number) {
  const rng = new Rng(seed, "test-batch");
  const x = tf.tensor2d(rng.normal(new Float32Array(B * inputSize)), [B, inputSize]);
  const y = tf.tensor1d(Array.from({ length: B }, () => rng.nextInt(classes)), "int32");
  return { x, y };
}

/** A synthetic split of `count` samples whose label is a linear function of x (learnable). */
export function syntheticSplit(
  seed: number,
  count: number,
  inputSize: number,
  classes: number,
): SplitSource {
  const rng = new Rng(seed, "synthetic");
  const xs = rng.normal(new Float32Array(count * inputSize));
  const ys = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (xs[i * inputSize + c] > xs[i * inputSize + best]) best = c;
    }
    ys[i] = best;
  }
  return {
    count,
    batch(indices) {
      const x = new Float32Array(indices.length * inputSize);
      const y = new Int32Array(indices.length);
      for (let b = 0; b < indices.length; b++) {
        x.set(xs.subarray(indices[b] * inputSize, (indices[b] + 1) * inputSize), b * inputSize);
        y[b] = ys[indices[b]];
      }
      return { x: tf.tensor2d(x, [indices.length, inputSize]), y: tf.tensor1d(y, "int32") };
    },
  };
}

/** A small synthetic dataset (train 96, val 32, test 32). */
export function syntheticData(inputSize = 6, classes = 3): TrainingData {
  return {
    name: "synthetic",
    inputSize,
    numClasses: classes,
    train: syntheticSplit(1, 96, inputSize, classes),
    val: syntheticSplit(2, 32, inputSize, classes),
    test: syntheticSplit(3, 32, inputSize, classes),
  };
}
