/**
 * A gradient oracle: f(x) together with the (forward) gradient at x, the one
 * thing the descent loop needs per step. Backpropagation lives here; the
 * forward-mode oracles are in forward_oracles.ts.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { TestFunction } from "./types.ts";

/** f(x) and a gradient estimate at x; the caller disposes both. */
export interface ValueAndGradient {
  /** f(x). */
  value: tf.Scalar;
  /** The gradient or its estimate at x, shape [n]. */
  gradient: tf.Tensor1D;
}

/**
 * The same oracle on typed arrays (src/functions/fast): no tensors, no kernel
 * launches, the same numbers as the tensor methods.
 */
export interface FastGradientOracle {
  /** f(x). */
  value(x: Float32Array): number;
  /** f(x), writing the gradient (estimate) at x into `g`; draws fresh tangents like the tensor method. */
  valueAndGradient(x: Float32Array, g: Float32Array): number;
}

/** Computes f(x) and a gradient (estimate) at x, one step at a time. */
export interface GradientOracle {
  /** The typed-array form, when the oracle has one; `gradientDescent` then runs on typed arrays. */
  readonly fast?: FastGradientOracle;
  /** f(x) and the gradient at x. Stateful for forward gradients: each call draws fresh tangents. */
  valueAndGradient(x: tf.Tensor1D): ValueAndGradient;
  /** Frees tensors the oracle keeps between calls. */
  dispose(): void;
}

/**
 * The reverse-mode oracle: `tf.valueAndGrad` of the function (spec §3.2,
 * Backpropagation), one fused forward and backward pass per call.
 *
 * @example The gradient of the sphere at (−1, −1)
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { bpOracle } from "./oracle.ts";
 * import { sphere } from "./sphere.ts";
 * const { gradient } = bpOracle(sphere).valueAndGradient(tf.tensor1d([-1, -1]));
 * gradient.dataSync(); // [-2, -2]
 * ```
 */
export function bpOracle(fn: TestFunction): GradientOracle {
  const vg = tf.valueAndGrad((x: tf.Tensor) => fn.evaluate(x as tf.Tensor1D));
  return {
    valueAndGradient(x) {
      const { value, grad } = vg(x);
      return { value: value as tf.Scalar, gradient: grad as tf.Tensor1D };
    },
    dispose() {},
  };
}
