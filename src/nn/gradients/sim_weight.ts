/**
 * Simulated weight perturbation (spec §4.6.2): one global tangent V [k, P]
 * over all parameters (in parameter order), JVPs d = V ∇L from backprop, and
 * a global forward gradient over all parameters that replaces the gradient.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Model } from "../model.ts";
import { forwardGradient } from "../../core/forward_gradient.ts";
import type { NetworkAggregation } from "./types.ts";
import { bpGradients } from "./bp.ts";
import type { GradientResult, TimingSink } from "./types.ts";

/** Flattens per-parameter tensors into one [P] vector, in parameter order. */
export function flattenParams(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))) as tf.Tensor1D);
}

/** Splits a [P] vector back into tensors shaped like `like`. */
export function unflattenParams(flat: tf.Tensor, like: readonly tf.Tensor[]): tf.Tensor[] {
  return tf.tidy(() =>
    tf.split(tf.reshape(flat, [-1]), like.map((p) => p.size)).map((t, i) =>
      tf.reshape(t, like[i].shape)
    )
  );
}

/**
 * One simulated weight-perturbation gradient computation for given tangents.
 *
 * @param tangents V [k, P], columns in parameter order
 * @returns loss, the forward-gradient estimate per parameter and d [k]
 */
export function simWeightGradients(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D,
  aggregation: NetworkAggregation,
  timers?: TimingSink,
): GradientResult & { d: tf.Tensor1D } {
  return tf.tidy(() => {
    const { loss, grads } = bpGradients(model, x, labels, timers);
    const t1 = performance.now();
    const g = flattenParams(grads); // [P]
    const d = tf.reshape(tf.matMul(tangents, tf.reshape(g, [-1, 1])), [-1]) as tf.Tensor1D; // [k]
    const fg = forwardGradient(tangents, d, aggregation); // [P]
    const out = unflattenParams(fg, model.params);
    timers?.add("compute_forward_gradients", (performance.now() - t1) / 1000);
    return { loss, grads: out, d };
  });
}
