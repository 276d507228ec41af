/**
 * The generic forward-gradient entry point (spec §1.6).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import {
  aggregate,
  aggregateBlocks,
  type AggregateOptions,
  type Aggregation,
  type BlockAggregateOptions,
  checkAggregation,
} from "./aggregate.ts";
import { scalingFactor } from "./scaling.ts";

/** Options of {@link forwardGradient}. */
export interface ForwardGradientOptions extends AggregateOptions {
  /** Multiply by the scaling-correction factor of spec §1.5. Default false. */
  scalingCorrection?: boolean;
  /** L(n) for the correction: a number or a function of the flattened n. Default 1. */
  expectedTangentLength?: number | ((n: number) => number);
  /** A precomputed correction factor, used instead of computing one. */
  correctionFactor?: number;
}

/**
 * Combines k directional derivatives into a gradient estimate.
 *
 * @param tangents the tangents, shape [k, ...shape]
 * @param d directional derivatives d_j = v_j·g, shape [k] or [k, B]
 * @param aggregation the aggregation key (see `AGGREGATIONS`)
 * @param opts scaling correction, frog subset rule, solve callback
 * @returns the estimate, shape `shape`, or `[...shape, B]` for 2-D d
 * @example Frog with k = n recovers the gradient
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { forwardGradient } from "./forward_gradient.ts";
 * const v = tf.tensor2d([[1, 1], [1, -1]]);
 * const g = tf.tensor1d([3, 5]);
 * const d = tf.matMul(v, g.reshape([2, 1])).reshape([2]);
 * forwardGradient(v, d, "orthogonal_projection").print(); // [3, 5]
 * ```
 */
export function forwardGradient(
  tangents: tf.Tensor,
  d: tf.Tensor,
  aggregation: Aggregation | string,
  opts: ForwardGradientOptions = {},
): tf.Tensor {
  const agg = checkAggregation(aggregation);
  if (tangents.rank < 1) {
    throw new TypeError(
      `Cannot compute a forward gradient: tangents must have shape [k, ...], got a scalar`,
    );
  }
  const k = tangents.shape[0];
  const shape = tangents.shape.slice(1);
  const n = shape.reduce((a, b) => a * b, 1);
  if ((d.rank !== 1 && d.rank !== 2) || d.shape[0] !== k) {
    throw new TypeError(
      `Cannot compute a forward gradient: d must have shape [${k}] or [${k}, B], got [${d.shape}]`,
    );
  }
  const batched = d.rank === 2;
  const B: number = batched ? d.shape[1]! : 1;
  let factor = 1;
  if (opts.scalingCorrection) {
    if (opts.correctionFactor !== undefined) {
      factor = opts.correctionFactor;
    } else {
      const L = typeof opts.expectedTangentLength === "function"
        ? opts.expectedTangentLength(n)
        : opts.expectedTangentLength ?? 1;
      factor = scalingFactor(agg, k, n, L);
    }
  }
  const v2 = tangents.reshape([k, n]) as tf.Tensor2D;
  const d2 = d.reshape([k, B]) as tf.Tensor2D;
  try {
    const r = aggregate(v2, d2, agg, opts);
    const out = tf.tidy(() =>
      tf.reshape(factor === 1 ? r : tf.mul(r, factor), batched ? [...shape, B] : shape)
    );
    r.dispose();
    return out;
  } finally {
    v2.dispose();
    d2.dispose();
  }
}

/**
 * {@link forwardGradient} for tangents that live in several tensors: the k
 * global tangents are the concatenations of the flattened blocks
 * `tangents[p]` [k, ...shape_p] (e.g. one block per parameter tensor). The
 * estimate is the same as `forwardGradient` on the concatenation, returned
 * per block (shape_p, or [...shape_p, B] for 2-D d), but `mean` and frog never
 * concatenate, split or transpose the tangents (see `aggregateBlocks`).
 *
 * @param tangents per block [k, ...shape_p], sharing k
 * @param d directional derivatives [k] or [k, B]
 * @param aggregation the aggregation key
 * @param opts scaling correction (n = Σ |shape_p|), frog subset rule, solve callback,
 *   a precomputed Gram matrix Σ_p V_p V_pᵀ
 * @returns one estimate per block
 * @example Frog over two blocks with k = n recovers the gradient
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { forwardGradientBlocks } from "./forward_gradient.ts";
 * const v = [tf.tensor2d([[1], [1]]), tf.tensor2d([[1], [-1]])]; // global V = [[1, 1], [1, -1]]
 * const d = tf.tensor1d([8, -2]); // V·g for g = (3, 5)
 * const [g0, g1] = forwardGradientBlocks(v, d, "orthogonal_projection");
 * g0.print(); // [3]
 * g1.print(); // [5]
 * ```
 */
export function forwardGradientBlocks(
  tangents: readonly tf.Tensor[],
  d: tf.Tensor,
  aggregation: Aggregation | string,
  opts: ForwardGradientOptions & BlockAggregateOptions = {},
): tf.Tensor[] {
  const agg = checkAggregation(aggregation);
  if (tangents.length === 0 || tangents.some((t) => t.rank < 1)) {
    throw new TypeError(
      "Cannot compute a forward gradient: tangents must be a non-empty list of [k, ...] tensors",
    );
  }
  const k = tangents[0].shape[0];
  if ((d.rank !== 1 && d.rank !== 2) || d.shape[0] !== k) {
    throw new TypeError(
      `Cannot compute a forward gradient: d must have shape [${k}] or [${k}, B], got [${d.shape}]`,
    );
  }
  const shapes = tangents.map((t) => t.shape.slice(1));
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const n = sizes.reduce((a, b) => a + b, 0);
  const batched = d.rank === 2;
  const B: number = batched ? d.shape[1]! : 1;
  let factor = 1;
  if (opts.scalingCorrection) {
    if (opts.correctionFactor !== undefined) {
      factor = opts.correctionFactor;
    } else {
      const L = typeof opts.expectedTangentLength === "function"
        ? opts.expectedTangentLength(n)
        : opts.expectedTangentLength ?? 1;
      factor = scalingFactor(agg, k, n, L);
    }
  }
  const v2 = tangents.map((t, i) => t.reshape([k, sizes[i]]) as tf.Tensor2D);
  const d2 = d.reshape([k, B]) as tf.Tensor2D;
  try {
    const parts = aggregateBlocks(v2, d2, agg, opts);
    return parts.map((r, i) => {
      const out = tf.tidy(() =>
        tf.reshape(factor === 1 ? r : tf.mul(r, factor), batched ? [...shapes[i], B] : shapes[i])
      );
      r.dispose();
      return out;
    });
  } finally {
    tf.dispose(v2);
    d2.dispose();
  }
}
