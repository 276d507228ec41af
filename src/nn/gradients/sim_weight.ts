/**
 * Simulated weight perturbation (spec §4.6.2): one global tangent V [k, P]
 * over all parameters (in parameter order), JVPs d = V ∇L from backprop, and
 * a global forward gradient over all parameters that replaces the gradient.
 *
 * Tangents come as V [k, P] or as per-parameter blocks
 * ({@link WeightTangents}, the training modes' layout): d = Σ_p V_p g_p and
 * the aggregation run block by block (`forwardGradientBlocks`), with no
 * concatenation or split of V.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Model } from "../model.ts";
import { forwardGradientBlocks } from "../../core/forward_gradient.ts";
import type { NetworkAggregation } from "./types.ts";
import { bpGradients } from "./bp.ts";
import type { GradientResult, TimingSink } from "./types.ts";
import { asWeightTangents, disposeWeightTangents, type WeightTangents } from "./weight_tangents.ts";

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
 * @param tangents V [k, P] (columns in parameter order) or per-parameter blocks
 * @returns loss, the forward-gradient estimate per parameter and d [k]
 */
export function simWeightGradients(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D | WeightTangents,
  aggregation: NetworkAggregation,
  timers?: TimingSink,
): GradientResult & { d: tf.Tensor1D } {
  const { tangents: wt, owned } = asWeightTangents(tangents, model.params);
  try {
    const { loss, grads } = bpGradients(model, x, labels, timers);
    const t1 = performance.now();
    const k = wt.k;
    // d = Σ_p V_p g_p, one [k, |p|]·[|p|, 1] product per parameter.
    const d = tf.tidy(() =>
      tf.reshape(
        tf.addN(wt.perParam.map((v, i) =>
          tf.matMul(tf.reshape(v, [k, -1]) as tf.Tensor2D, tf.reshape(grads[i], [-1, 1]))
        )),
        [k],
      ) as tf.Tensor1D
    );
    tf.dispose(grads);
    const out = forwardGradientBlocks(wt.perParam, d, aggregation, { gram: wt.gram });
    timers?.add("compute_forward_gradients", (performance.now() - t1) / 1000);
    return { loss, grads: out, d };
  } finally {
    if (owned) disposeWeightTangents(wt);
  }
}
