/**
 * Shared types of the gradient modes.
 *
 * @module
 */
import type * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { ModelMode } from "../model.ts";

/** What one gradient computation returns. All tensors belong to the caller. */
export interface GradientResult {
  /** The batch-mean training loss. */
  loss: tf.Scalar;
  /** One gradient (or gradient estimate) per parameter, in parameter order. */
  grads: tf.Tensor[];
  /**
   * The directional derivatives used by forward-gradient modes: [k, B] per
   * sample for node perturbation, [k] for weight perturbation.
   */
  d?: tf.Tensor;
}

/** Optional timing sink: `add(name, seconds)`. */
export interface TimingSink {
  /** Adds `seconds` to the timer `name`. */
  add(name: string, seconds: number): void;
}

/** Aggregations used by the network modes: `mean` (fg) and `orthogonal_projection` (frog). */
export type NetworkAggregation = "mean" | "orthogonal_projection";

/** Options of one gradient computation (all optional). */
export interface StepOptions {
  /**
   * BatchNorm statistics of the training pass: `train` (default; batch
   * statistics, running statistics updated) or `eval` (running statistics,
   * nothing updated). Models without BatchNorm ignore it.
   */
  mode?: ModelMode;
  /** Commit the running-statistic updates of a train-mode pass to the model (default true). */
  updateBuffers?: boolean;
  /**
   * Simulated node mode only: update the running statistics a second time in
   * the block-local recompute, as the original does (effective momentum
   * 1 − 0.9² = 0.19). Default false: one update per step, as one forward pass.
   */
  doubleBufferUpdate?: boolean;
  /**
   * True forward modes only: the most tangents one forward pass carries (the
   * k tangents go through ⌈k / kChunk⌉ passes; bounds the memory of the
   * k-wide activations). Default: from `jvpMemoryBytes` (`weightJvpChunk`).
   */
  kChunk?: number;
  /**
   * True forward modes only: the memory budget of the k-proportional part of
   * one pass, used when `kChunk` is not given (default 2 GiB).
   */
  jvpMemoryBytes?: number;
  /**
   * bp and the simulated modes: samples per backprop micro-batch (models
   * without train-mode BatchNorm only; see batch_chunks.ts). Default: from
   * `backpropMemoryBytes`.
   */
  batchChunk?: number;
  /** bp and the simulated modes: memory budget of one micro-batch (default 2 GiB). */
  backpropMemoryBytes?: number;
}
