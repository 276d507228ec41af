/**
 * The seeded train/validation split of the official training set (reference
 * spec §4.2: a random split with generator seed 0, independent of the run
 * seed). As in PyTorch's `random_split`, one permutation of the indices is
 * drawn; its first `count − valCount` entries form the training split and the
 * rest the validation split, each in permutation order.
 *
 * @module
 */
import { Rng } from "../core/rng.ts";

/** Indices into the official training set. */
export interface TrainValSplit {
  /** Indices of the training split, in permutation order. */
  train: Int32Array;
  /** Indices of the validation split, in permutation order. */
  val: Int32Array;
}

/**
 * Splits `count` training examples into train and validation indices with the
 * stream `new Rng(0, "split", dataset)`: the same dataset always gets the same
 * split, whatever the run seed.
 *
 * @param count number of official training examples
 * @param valCount how many go to the validation split
 * @param dataset dataset name (selects the stream)
 * @returns disjoint index arrays covering 0..count-1
 * @throws {RangeError} when valCount is not in [0, count]
 *
 * @example Split MNIST
 * ```ts
 * import { trainValSplit } from "./split.ts";
 * const { train, val } = trainValSplit(60000, 10000, "mnist");
 * console.assert(train.length === 50000 && val.length === 10000);
 * ```
 */
export function trainValSplit(count: number, valCount: number, dataset: string): TrainValSplit {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`Cannot split: count must be a non-negative integer, got ${count}`);
  }
  if (!Number.isInteger(valCount) || valCount < 0 || valCount > count) {
    throw new RangeError(
      `Cannot split: valCount must be an integer in [0, ${count}], got ${valCount}`,
    );
  }
  const perm = new Rng(0, "split", dataset).permutation(count);
  return { train: perm.slice(0, count - valCount), val: perm.slice(count - valCount) };
}

/**
 * Gathers the examples at `indices` (each `sampleBytes` bytes) into new arrays.
 *
 * @param images source images, `sampleBytes` per example
 * @param labels source labels
 * @param indices which examples, in the order wanted
 * @param sampleBytes bytes per image (H·W·C)
 * @returns the selected images and labels
 */
export function gather(
  images: Uint8Array,
  labels: Uint8Array,
  indices: Int32Array,
  sampleBytes: number,
): { images: Uint8Array; labels: Uint8Array; count: number } {
  const out = new Uint8Array(indices.length * sampleBytes);
  const lab = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    out.set(images.subarray(j * sampleBytes, (j + 1) * sampleBytes), i * sampleBytes);
    lab[i] = labels[j];
  }
  return { images: out, labels: lab, count: indices.length };
}
