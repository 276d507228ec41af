/**
 * What the trainer needs from a dataset: splits that produce normalised
 * float32 batches [B, H·W·C] and int32 labels for given indices.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { normalizedBatch } from "../data/normalize.ts";
import type { ImageSplit } from "../data/types.ts";

/** One split of a dataset as the trainer sees it. */
export interface SplitSource {
  /** Number of samples. */
  readonly count: number;
  /** Inputs [B, features] and int32 labels [B] for the samples at `indices`. */
  batch(indices: ArrayLike<number>): { x: tf.Tensor2D; y: tf.Tensor1D };
}

/** A dataset for training: train, optional validation, and test splits. */
export interface TrainingData {
  /** Dataset name (`mnist`). */
  readonly name: string;
  /** Per-sample input size. */
  readonly inputSize: number;
  /** Image shape [H, W, C] of a sample (NHWC; product = `inputSize`), for image models. */
  readonly inputShape?: readonly [number, number, number];
  /** Number of classes. */
  readonly numClasses: number;
  /** Training split (shuffled per epoch; evaluated unshuffled). */
  readonly train: SplitSource;
  /** Validation split, if any (its loss drives early stopping). */
  readonly val?: SplitSource;
  /** Test split. */
  readonly test: SplitSource;
}

/** Normalisation facts of a prepared image dataset. */
export interface ImageMeta {
  /** Height, width, channels. */
  shape: readonly number[];
  /** Per-channel mean on [0, 1] pixels. */
  mean: readonly number[];
  /** Per-channel standard deviation on [0, 1] pixels. */
  std: readonly number[];
}

/**
 * A split source over uint8 NHWC images, normalised per channel
 * (`(x/255 − mean)/std`) batch by batch.
 */
export function imageSplitSource(split: ImageSplit, meta: ImageMeta): SplitSource {
  const size = meta.shape.reduce((a, b) => a * b, 1);
  return {
    count: split.count,
    batch(indices) {
      // A fresh buffer per batch: on the cpu backend a tensor shares it.
      const x = normalizedBatch(split, indices, meta);
      const y = new Int32Array(indices.length);
      for (let i = 0; i < indices.length; i++) y[i] = split.labels[indices[i]];
      return { x: tf.tensor2d(x, [indices.length, size]), y: tf.tensor1d(y, "int32") };
    },
  };
}

/** The first `n` samples of a split (all of it when n ≥ count). */
export function limitSplit(split: SplitSource, n: number | undefined): SplitSource {
  if (n === undefined || n >= split.count) return split;
  return { count: n, batch: (indices) => split.batch(indices) };
}

/**
 * `n` evenly spaced samples of a split (sample ⌊i·count/n⌋ for i < n; all of
 * it when n ≥ count): a subset that keeps the class mix of a split stored in
 * class order (CIFAR-10's image-folder test split), where the first `n` would
 * be one class.
 *
 * @example
 * ```ts
 * import { spreadSplit } from "./data_source.ts";
 * const seen: number[] = [];
 * const split = { count: 10, batch: (idx: ArrayLike<number>) => { seen.push(...Array.from(idx)); return null as never; } };
 * spreadSplit(split, 4).batch([0, 1, 2, 3]);
 * console.assert(seen.join() === "0,2,5,7");
 * ```
 */
export function spreadSplit(split: SplitSource, n: number | undefined): SplitSource {
  if (n === undefined || n >= split.count) return split;
  const count = split.count;
  return {
    count: n,
    batch: (indices) => {
      const mapped = new Int32Array(indices.length);
      for (let i = 0; i < indices.length; i++) {
        const j = indices[i];
        if (!Number.isInteger(j) || j < 0 || j >= n) {
          throw new RangeError(`Cannot read sample ${j} of a ${n}-sample subset`);
        }
        mapped[i] = Math.floor((j * count) / n);
      }
      return split.batch(mapped);
    },
  };
}
