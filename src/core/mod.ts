/**
 * The forward-gradient core: seeded randomness, tangent samplers,
 * aggregations (mean … frog), scaling-correction factors and the batched
 * many-tangent-sets path.
 *
 * @example Frog and mean forward gradients of a known gradient
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { forwardGradient, Rng, sampleTangents } from "./mod.ts";
 * const n = 8, k = 4;
 * const v = tf.tensor2d(sampleTangents(new Rng(0, "doc"), "normal", k, n), [k, n]);
 * const g = tf.ones([n, 1]);
 * const d = tf.matMul(v, g).reshape([k]);
 * const frog = forwardGradient(v, d, "orthogonal_projection"); // P_span(V) g
 * const mean = forwardGradient(v, d, "mean"); // (1/k) Vᵀ d
 * console.log(frog.shape, mean.shape); // [8] [8]
 * ```
 *
 * @module
 */
export * from "./rng.ts";
export * from "./lgamma.ts";
export * from "./scaling.ts";
export * from "./tangents.ts";
export * from "./aggregate.ts";
export * from "./forward_gradient.ts";
export * from "./batched.ts";
export type { CgResult, GramSolveInfo } from "./_linalg.ts";
export {
  CHOLESKY_MAX_CONDITION,
  conjugateGradient,
  GramSolver,
  matrixRank,
  solveGram,
  solveGramFast,
} from "./_linalg.ts";
