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
 * Memory: one pass carries k tangents of every activation, about k times the
 * activation memory of a plain forward pass (the engine frees a tangent with
 * its primal), plus per-layer re-layouts of the weight tangents. Measured with
 * `tf.profile` on wasm (full-size models, B = 2 and 4, k = 1 and 2): the ViT
 * (CIFAR-10) peaks at B·(2.15 + 2.8·k) MiB above the live tensors, i.e.
 * ≈ 9 floats per tangent per activity value (the attention scores and MLP
 * intermediates); ResNet18 (CIFAR-10) at ≈ 18 MiB per tangent (the stacked
 * filter tangents of layer4) plus 0.13 MiB per sample and tangent. So one
 * pass of the ViT at B = 128, k = 16 needs ≈ 5.9 GiB, more than wasm's 4 GiB
 * heap. {@link weightJvpChunk} therefore splits the k tangents into ⌈k / kmax⌉
 * equal passes, kmax from the bound `k·(9·B·N + P)·4` bytes ≤ a budget
 * (default {@link DEFAULT_JVP_MEMORY_BYTES}, 2 GiB); d is the same (each d_j
 * depends only on tangent j). The ViT at B = 128, k = 16 then runs 4 passes of
 * 4 (≈ 1.6 GiB for the tangent part); MNIST's ViT at B = 64 2 passes of 8; FC
 * and ResNet18 at the paper's batch sizes one pass. Checked at full size on
 * wasm: one k = 4 pass of the CIFAR-10 ViT peaks at 397 MiB for B = 32
 * (bound 427) and 1580 MiB for B = 128 (bound 1709; 39 s a pass on the
 * shared 2-core machine).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { jvp } from "../../jvp/mod.ts";
import { crossEntropy } from "../loss.ts";
import {
  activityCount,
  BufferUpdates,
  commitBufferUpdates,
  forward,
  type Model,
  parameterCount,
} from "../model.ts";
import { forwardGradientBlocks } from "../../core/forward_gradient.ts";
import type { NetworkAggregation } from "./types.ts";
import type { GradientResult, StepOptions, TimingSink } from "./types.ts";
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

/** Default budget for the k-proportional memory of one weight-JVP pass: 2 GiB. */
export const DEFAULT_JVP_MEMORY_BYTES = 2 * 2 ** 30;

/**
 * Tangents per pass for true forward weight perturbation: k split into
 * ⌈k / kmax⌉ passes of equal size (the last may be smaller), where kmax is
 * the largest count with kmax·(9·B·N + P)·4 bytes ≤ `budgetBytes` (N the
 * model's activity count, P its parameter count; see the module doc).
 *
 * @param batch the batch size B
 * @param k the number of tangents
 *
 * @example
 * ```ts
 * import { weightJvpChunk } from "./fwad_weight.ts";
 * // The paper's ViT on CIFAR-10 (N = 83,210, P = 3,195,146), B = 128, k = 16: 4 passes of 4.
 * console.assert(weightJvpChunk({ activity: 83210, params: 3195146 }, 128, 16) === 4);
 * ```
 */
export function weightJvpChunk(
  sizes: { activity: number; params: number },
  batch: number,
  k: number,
  budgetBytes = DEFAULT_JVP_MEMORY_BYTES,
): number {
  const perTangent = (9 * batch * sizes.activity + sizes.params) * 4;
  const kmax = Math.max(1, Math.floor(budgetBytes / perTangent));
  const passes = Math.ceil(k / kmax);
  return Math.ceil(k / passes);
}

/**
 * The chunks [start, end) of k tangents for passes of at most `kChunk` each.
 *
 * @example
 * ```ts
 * import { tangentChunks } from "./fwad_weight.ts";
 * console.assert(JSON.stringify(tangentChunks(10, 4)) === "[[0,4],[4,8],[8,10]]");
 * ```
 */
export function tangentChunks(k: number, kChunk = k): [number, number][] {
  if (!Number.isInteger(kChunk) || kChunk < 1) {
    throw new RangeError(`Cannot chunk tangents: kChunk must be a positive integer, got ${kChunk}`);
  }
  const out: [number, number][] = [];
  for (let s = 0; s < k; s += kChunk) out.push([s, Math.min(k, s + kChunk)]);
  return out;
}

/**
 * The loss and d [k] for weight tangents (V [k, P] or per parameter) by
 * batched forward-mode passes of `options.kChunk` tangents each (default
 * {@link weightJvpChunk} with `options.jvpMemoryBytes`).
 * A train-mode pass commits the BatchNorm running statistics of its first
 * chunk (once per step).
 */
export function weightForwardJvps(
  model: Model,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  tangents: tf.Tensor2D | WeightTangents,
  raw?: Float32Array,
  options: StepOptions = {},
): { loss: tf.Scalar; d: tf.Tensor1D } {
  const { tangents: wt, owned } = asWeightTangents(tangents, model.params, raw);
  const mode = options.mode ?? "train";
  const updates = new BufferUpdates();
  try {
    const kChunk = options.kChunk ??
      weightJvpChunk(
        { activity: activityCount(model), params: parameterCount(model) },
        x.shape[0],
        wt.k,
        options.jvpMemoryBytes,
      );
    const chunks = tangentChunks(wt.k, kChunk);
    const parts: tf.Tensor[] = [];
    let loss: tf.Scalar | undefined;
    for (const [s, e] of chunks) {
      const r = tf.tidy(() => {
        const vs = chunks.length === 1
          ? wt.perParam
          : wt.perParam.map((v) => tf.slice(v, [s], [e - s]));
        const first = s === 0;
        return jvp(
          (...p: tf.Tensor[]) =>
            crossEntropy(
              forward(model, x, "none", p, { mode, updates: first ? updates : undefined }),
              labels,
            ),
          model.params,
          vs,
        ) as unknown as tf.TensorContainer;
      }) as unknown as { primal: tf.Scalar; tangent: tf.Tensor };
      if (loss === undefined) loss = r.primal;
      else r.primal.dispose();
      parts.push(r.tangent);
    }
    const d = tf.tidy(() =>
      tf.reshape(parts.length === 1 ? parts[0] : tf.concat(parts.map((p) => tf.reshape(p, [-1]))), [
        wt.k,
      ]) as tf.Tensor1D
    );
    tf.dispose(parts);
    if (options.updateBuffers ?? true) commitBufferUpdates(model, updates);
    return { loss: loss as tf.Scalar, d };
  } finally {
    updates.dispose();
    if (owned) disposeWeightTangents(wt);
  }
}

/**
 * One true-forward-mode weight-perturbation gradient computation for given
 * tangents (timers `forward_and_jvps`, `compute_forward_gradients`).
 *
 * @param tangents V [k, P] (columns in parameter order) or per-parameter blocks
 * @param raw the values of V [k, P] if the caller has them (saves a read-back)
 * @param options BatchNorm mode (default train), buffer updates, `kChunk`
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
  options: StepOptions = {},
): GradientResult & { d: tf.Tensor1D } {
  const { tangents: wt, owned } = asWeightTangents(tangents, model.params, raw);
  try {
    const t0 = performance.now();
    const { loss, d } = weightForwardJvps(model, x, labels, wt, undefined, options);
    const t1 = performance.now();
    timers?.add("forward_and_jvps", (t1 - t0) / 1000);
    const grads = forwardGradientBlocks(wt.perParam, d, aggregation, { gram: wt.gram });
    timers?.add("compute_forward_gradients", (performance.now() - t1) / 1000);
    return { loss, grads, d };
  } finally {
    if (owned) disposeWeightTangents(wt);
  }
}
