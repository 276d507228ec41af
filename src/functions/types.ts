/**
 * The shape every closed-form test function shares.
 *
 * @module
 */
import type * as tf from "npm:@tensorflow/tfjs@4.22.0";

/** Keys of the starting positions (spec §3.1). */
export const START_KEYS = ["0", "-0.5", "-+0.5", "-10", "-1"] as const;
/** One of {@link START_KEYS}. */
export type StartKey = typeof START_KEYS[number];

/**
 * A closed-form objective `f : R^n -> R`, written as ordinary float32 tfjs code
 * so that reverse mode (`tf.grad`) and the forward-mode engine (src/jvp) can
 * both differentiate it.
 */
export interface TestFunction {
  /** Registry name (lower case, `_` for whitespace), e.g. `styblinski-tang`. */
  readonly name: string;
  /** Fixed input dimension (2 for the 2-D functions); undefined when any n ≥ 1 works. */
  readonly dimension?: number;
  /** Default maximum number of descent steps (spec §3.1). */
  readonly maxSteps: number;
  /** Default start key (spec §3.1). */
  readonly defaultStart: StartKey;
  /** f(x) for x of shape [n]: a float32 scalar, computed with tfjs ops only. */
  evaluate(x: tf.Tensor1D): tf.Scalar;
  /** f(x) in float64 plain JS, the oracle for value and finite-difference tests. */
  reference(x: ArrayLike<number>): number;
  /** The closed-form gradient (spec §3.1 formulas) as tfjs ops, where the spec gives one. */
  gradient?(x: tf.Tensor1D): tf.Tensor1D;
  /** The global minimum value for dimension n (the LR search's margin offset); -Infinity when unbounded. */
  globalMinimum(n: number): number;
}
