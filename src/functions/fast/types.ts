/**
 * The typed-array ("fast") form of a closed-form test function: f, ∇f and k
 * directional derivatives in one pass over Float32Arrays, with every float32
 * operation in the order and rounding of the tfjs-wasm kernels that the tfjs
 * path runs (see README, Design: "Function steps without kernel launches").
 *
 * @module
 */

/**
 * f, its reverse-mode gradient and its directional derivatives, computed as
 * the tfjs path computes them on wasm (`evaluate`, `tf.valueAndGrad` and the
 * JVP engine): each elementwise op rounded to float32 (`Math.fround`), every
 * sum accumulated in index order in float32.
 */
export interface ClosedFormKernels {
  /** f(x), as `evaluate(x)`. */
  value(x: Float32Array): number;
  /** f(x), writing ∇f(x) into `g` (length n), as `tf.valueAndGrad(evaluate)`. */
  valueAndGradient(x: Float32Array, g: Float32Array): number;
  /**
   * f(x), writing the k directional derivatives d_j = ∇f(x)·v_j into `d`,
   * as `jvp(evaluate, [x], [v])` with v [k, n] row-major.
   */
  valueAndDirectional(x: Float32Array, v: Float32Array, k: number, d: Float32Array): number;
}
