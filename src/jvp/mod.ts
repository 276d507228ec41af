/**
 * Multi-tangent forward-mode automatic differentiation for TensorFlow.js.
 *
 * `jvp(f, primals, tangents)` runs ordinary tfjs code `f` once and returns its
 * output together with k Jacobian-vector products, computed for all k tangent
 * directions at once (one batched tfjs call per kernel, never a loop over k).
 * Rules are keyed by tfjs kernel names; `registerJvp` adds one.
 *
 * @example Three directional derivatives of Rosenbrock's function
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { directionalDerivatives } from "./mod.ts";
 * const rosenbrock = (x: tf.Tensor) => {
 *   const a = tf.slice(x, [0], [x.size - 1]);
 *   const b = tf.slice(x, [1], [x.size - 1]);
 *   return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(b, tf.square(a)))), tf.square(tf.sub(1, a))));
 * };
 * const x = tf.tensor1d([-1, 0, 0]);
 * const v = tf.eye(3); // the standard basis: the gradient itself
 * console.log(await directionalDerivatives(rosenbrock, [x], [v]).data()); // [-404, -202, 0]
 * ```
 *
 * @module
 */
export * from "./jvp.ts";
export * from "./registry.ts";
export * from "./define.ts";
export * from "./value.ts";
