/**
 * Shared types of the gradient modes.
 *
 * @module
 */
import type * as tf from "npm:@tensorflow/tfjs@4.22.0";

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
