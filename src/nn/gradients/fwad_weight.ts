/**
 * True forward-mode weight perturbation: k weight tangents (one global V
 * [k, P] over all parameters), one batched forward pass through the JVP
 * engine giving the k loss directional derivatives d [k], and a truly global
 * forward gradient over all parameters.
 *
 * Tangents come either as V [k, P] (row j = tangent j, parameter order) or,
 * as the training modes draw them, as {@link WeightTangents}: one
 * `[k, ...shape_p]` block per parameter, which is both the engine's tangent
 * layout and the layout of the blockwise aggregation (`forwardGradientBlocks`),
 * so the hot path never splits or transposes V.
 *
 * Deliberate difference from the original (spec §4.6.3): the original loops
 * over the k tangents and then aggregates per parameter tensor, so its frog
 * is a per-tensor pseudo-projection B_p (B_pᵀB_p)⁻¹ d with the global d. Here
 * the projection is onto the span of the k global tangents, which matches the
 * simulated weight mode exactly.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { jvp } from "../../jvp/mod.ts";
import { crossEntropy } from "../loss.ts";
import { forward, type Model } from "../model.ts";
import { forwardGradientBlocks } from "../../core/forward_gradient.ts";
import type { NetworkAggregation } from "./types.ts";
import type { GradientResult, TimingSink } from "./types.ts";
import {
  asWeightTangents,
  disposeWeightTangents,
  type WeightTangents,
  weightTangentsFromMatrix,
} from "./weight_tangents.ts";

export type { WeightTangents } from "./weight_tangents.ts";

/**
 * Splits weight tangents V [k, P] into per-parameter tangents [k, ...shape].
 * The columns of V are strided per parameter; copying them in JS is much
 * faster than `tf.split` along axis 1 on wasm (about 1 s for 30M values).
 */
export function splitTangents(
  tangents: tf.Tensor2D,
  params: readonly tf.Tensor[],
  raw?: Float32Array,
): tf.Tensor[] {
  return weightTangentsFromMatrix(tangents, params, raw).perParam;
}

/** The loss and d [k] for weight tangents (V [k, P] or per parameter) by one batched forward-mode pass. */
export function weightForwardJvps(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D | WeightTangents,
  raw?: Float32Array,
): { loss: tf.Scalar; d: tf.Tensor1D } {
  const { tangents: wt, owned } = asWeightTangents(tangents, model.params, raw);
  try {
    return tf.tidy(() => {
      const r = jvp(
        (...p: tf.Tensor[]) => crossEntropy(forward(model, x, "none", p), labels),
        model.params,
        wt.perParam,
      );
      return {
        loss: r.primal as tf.Scalar,
        d: tf.reshape(r.tangent as tf.Tensor, [wt.k]) as tf.Tensor1D,
      };
    });
  } finally {
    if (owned) disposeWeightTangents(wt);
  }
}

/**
 * One true-forward-mode weight-perturbation gradient computation for given
 * tangents (timers `forward_and_jvps`, `compute_forward_gradients`).
 *
 * @param tangents V [k, P] (columns in parameter order) or per-parameter blocks
 * @param raw the values of V [k, P] if the caller has them (saves a read-back)
 * @returns loss, the forward-gradient estimate per parameter and d [k]
 */
export function fwadWeightGradients(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D | WeightTangents,
  aggregation: NetworkAggregation,
  timers?: TimingSink,
  raw?: Float32Array,
): GradientResult & { d: tf.Tensor1D } {
  const { tangents: wt, owned } = asWeightTangents(tangents, model.params, raw);
  try {
    const t0 = performance.now();
    const { loss, d } = weightForwardJvps(model, x, labels, wt);
    const t1 = performance.now();
    timers?.add("forward_and_jvps", (t1 - t0) / 1000);
    const grads = forwardGradientBlocks(wt.perParam, d, aggregation, { gram: wt.gram });
    timers?.add("compute_forward_gradients", (performance.now() - t1) / 1000);
    return { loss, grads, d };
  } finally {
    if (owned) disposeWeightTangents(wt);
  }
}
