/**
 * Splitting a batch into micro-batches for the backprop-based modes (bp,
 * simulated node and weight perturbation), so that the ViT runs at the
 * paper's batch sizes within a memory bound.
 *
 * Why: tfjs's gradient tape keeps every intermediate of the forward pass
 * alive until the backward pass, about 55 MiB per sample for the CIFAR-10
 * ViT (`tf.profile` on wasm at B = 16: bp peaks at 886 MiB, simulated node
 * frog k=16 at 788 MiB), so B = 128 needs ≈ 7 GiB, more than wasm's 4 GiB
 * heap. Per-sample losses, activity gradients and parameter-gradient sums
 * do not depend on how the batch is split when no layer couples the samples,
 * so micro-batches give the same result (up to float32 summation order).
 * BatchNorm in train mode couples them (batch statistics), so models with
 * buffers are never split in train mode.
 *
 * Bound: ≈ 170·N·4 bytes per sample (N the activity count; 55 MiB for the
 * CIFAR-10 ViT), so the default 2 GiB budget gives the CIFAR-10 ViT at
 * B = 128 four micro-batches of 32 and the MNIST ViT at B = 64 two of 32.
 * Measured on wasm (CIFAR-10 ViT, B = 64 in two micro-batches of 32): bp peaks
 * at 1748 MiB, simulated node frog k=16 at 1601 MiB, simulated weight frog
 * k=16 at 1943 MiB; B = 128 runs the same micro-batches, so the same peaks.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { activityCount, type Model } from "../model.ts";
import type { StepOptions } from "./types.ts";

/** Default memory budget of one backprop micro-batch: 2 GiB. */
export const DEFAULT_BACKPROP_MEMORY_BYTES = 2 * 2 ** 30;

/** Whether a pass in `mode` may split the batch of `model` (no train-mode BatchNorm). */
export function canSplitBatch(model: Model, mode: StepOptions["mode"] = "train"): boolean {
  return mode === "eval" || (model.buffers ?? []).length === 0;
}

/**
 * Samples per backprop micro-batch: B split into ⌈B / bmax⌉ equal parts, bmax
 * from 170·N·4 bytes per sample ≤ `budgetBytes`; B itself for models that
 * cannot be split (see {@link canSplitBatch}).
 *
 * @example
 * ```ts
 * import { createVit } from "../vit.ts";
 * import { backpropBatchChunk } from "./batch_chunks.ts";
 * const vit = createVit({ inChannels: 3, imageSize: 32, seed: 0 });
 * console.assert(backpropBatchChunk(vit, 128) === 32);
 * ```
 */
export function backpropBatchChunk(
  model: Model,
  batch: number,
  budgetBytes = DEFAULT_BACKPROP_MEMORY_BYTES,
  mode: StepOptions["mode"] = "train",
): number {
  if (!canSplitBatch(model, mode)) return batch;
  const perSample = 170 * activityCount(model) * 4;
  const bmax = Math.max(1, Math.floor(budgetBytes / perSample));
  const passes = Math.ceil(batch / bmax);
  return Math.ceil(batch / passes);
}

/**
 * The micro-batches [start, end) of a batch of B for `options`
 * (`batchChunk`, else {@link backpropBatchChunk} with `backpropMemoryBytes`).
 *
 * @throws RangeError when `batchChunk` asks to split a train-mode BatchNorm model
 */
export function batchRanges(model: Model, batch: number, options: StepOptions): [number, number][] {
  const mode = options.mode ?? "train";
  let chunk = options.batchChunk;
  if (chunk !== undefined) {
    if (!Number.isInteger(chunk) || chunk < 1) {
      throw new RangeError(
        `Cannot split the batch: batchChunk must be a positive integer, got ${chunk}`,
      );
    }
    if (chunk < batch && !canSplitBatch(model, mode)) {
      throw new RangeError(
        `Cannot split the batch of ${model.name} in train mode: BatchNorm couples the samples (batchChunk ${chunk} < ${batch})`,
      );
    }
  } else {
    chunk = backpropBatchChunk(model, batch, options.backpropMemoryBytes, mode);
  }
  const out: [number, number][] = [];
  for (let s = 0; s < batch; s += chunk) out.push([s, Math.min(batch, s + chunk)]);
  return out;
}

/** Rows [s, e) of a batch tensor (the tensor itself for the whole batch). */
export function batchSlice<T extends tf.Tensor>(t: T, s: number, e: number): T {
  if (s === 0 && e === t.shape[0]) return t;
  return tf.slice(t, [s, ...t.shape.slice(1).map(() => 0)], [e - s, ...t.shape.slice(1)]) as T;
}
