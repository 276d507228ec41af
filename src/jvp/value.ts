/**
 * Tangent values: a tangent of a primal with shape `S` is a tensor of shape
 * `[k, ...S']` where every `S'[j]` is either `S[j]` or 1 (a compact tangent that
 * is constant along that axis), or `null`, the symbolic zero that costs nothing.
 *
 * Keeping tangents compact matters: node perturbation feeds one batch-invariant
 * tangent `[k, 1, n]` per block, and elementwise ops and matMuls keep it that
 * small until the first op that mixes it with per-sample values.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

/** A tangent: `[k, ...]` broadcastable to `[k, ...primal.shape]`, or `null` for a symbolic zero. */
export type Tangent = tf.Tensor | null;

/**
 * Whether `tangent` is a valid (possibly compact) tangent for a primal of shape
 * `shape` with `k` directions: rank `shape.length + 1`, first axis `k`, and each
 * further axis equal to the primal's or 1.
 *
 * @example Compact tangents
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { isTangentFor } from "./value.ts";
 * console.log(isTangentFor(tf.zeros([4, 1, 3]), [8, 3], 4)); // true
 * console.log(isTangentFor(tf.zeros([4, 3]), [8, 3], 4)); // false: rank
 * ```
 */
export function isTangentFor(tangent: tf.Tensor, shape: readonly number[], k: number): boolean {
  if (tangent.rank !== shape.length + 1 || tangent.shape[0] !== k) return false;
  return shape.every((d, j) => tangent.shape[j + 1] === d || tangent.shape[j + 1] === 1);
}

/**
 * Reshapes a tangent `[k, ...S']` to rank `rank + 1` by inserting size-1 axes
 * right after the k axis, so that it broadcasts against a result of rank `rank`
 * (numpy broadcasting aligns trailing axes).
 */
export function liftTangent(t: tf.Tensor, rank: number): tf.Tensor {
  const extra = rank + 1 - t.rank;
  if (extra === 0) return t;
  if (extra < 0) {
    throw new TypeError(
      `Cannot lift a tangent of shape ${JSON.stringify(t.shape)} to rank ${rank}: it is larger`,
    );
  }
  return tf.reshape(t, [t.shape[0], ...new Array(extra).fill(1), ...t.shape.slice(1)]);
}

/** Whether the tangent already has the full shape `[k, ...shape]`. */
export function isFull(t: tf.Tensor, shape: readonly number[]): boolean {
  return t.rank === shape.length + 1 && shape.every((d, j) => t.shape[j + 1] === d);
}

/**
 * Broadcasts a (compact) tangent to the full shape `[k, ...shape]`. Uses an
 * add with zeros, not `tf.broadcastTo`, which tiles and is slow on wasm.
 */
export function expandTangent(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const lifted = liftTangent(t, shape.length);
  if (isFull(lifted, shape)) return lifted;
  const target = shape.map((d, j) => (lifted.shape[j + 1] === d ? 1 : d));
  return tf.add(lifted, tf.zeros(target));
}

/**
 * Broadcasts a tangent to `[k, b, ...shape.slice(1)]` where `b` is its current
 * size on the primal's first (batch) axis: ops that treat every sample alike
 * (conv, pooling, matMul rows) keep a batch-invariant tangent batch-invariant.
 */
export function expandTangentExceptBatch(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const lifted = liftTangent(t, shape.length);
  return expandTangent(lifted, [lifted.shape[1] as number, ...shape.slice(1)]);
}

/** A tensor of zeros of shape `[k, ...shape]`: a symbolic zero made concrete where an op needs it. */
export function zeroTangent(k: number, shape: readonly number[]): tf.Tensor {
  return tf.zeros([k, ...shape]);
}

/** Sums tangent contributions (each lifted to `rank`), skipping symbolic zeros. */
export function addTangents(parts: Tangent[], rank: number): Tangent {
  let acc: Tangent = null;
  for (const p of parts) {
    if (p === null) continue;
    const lifted = liftTangent(p, rank);
    acc = acc === null ? lifted : tf.add(acc, lifted);
  }
  return acc;
}

/** Normalises an axis list (`null`/`undefined` = all axes, negatives count from the end). */
export function normalizeAxes(axis: unknown, rank: number): number[] {
  if (axis === null || axis === undefined) return [...Array(rank).keys()];
  const list = Array.isArray(axis) ? axis as number[] : [axis as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}
