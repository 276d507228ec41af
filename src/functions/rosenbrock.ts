/**
 * The n-dimensional Rosenbrock function (spec §3.1).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { TestFunction } from "./types.ts";

const A = 1;
const B = 100;

/**
 * Rosenbrock: `f(x) = Σ_{i<n} [100 (x_{i+1} − x_i²)² + (1 − x_i)²]`, minimum 0
 * at x = 1, start `-10` = (−1, 0, …, 0) (f0 = n + 102 for n ≥ 2), 25000 steps.
 * For n = 1 the sum is empty: f ≡ 0 with gradient 0.
 *
 * @example Evaluate at the start
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { rosenbrock } from "./rosenbrock.ts";
 * rosenbrock.evaluate(tf.tensor1d([-1, 0, 0])).dataSync()[0]; // 105
 * ```
 */
export const rosenbrock: TestFunction = {
  name: "rosenbrock",
  maxSteps: 25000,
  defaultStart: "-10",
  evaluate(x) {
    const n = x.shape[0];
    if (n < 2) return tf.mul(tf.sum(tf.square(x)), 0) as tf.Scalar; // empty sum (+0), still a function of x
    const head = tf.slice(x, [0], [n - 1]);
    const tail = tf.slice(x, [1], [n - 1]);
    const inner = tf.sub(tail, tf.square(head));
    return tf.sum(tf.add(tf.mul(tf.square(inner), B), tf.square(tf.sub(A, head))));
  },
  reference(x) {
    let s = 0;
    for (let i = 0; i + 1 < x.length; i++) {
      s += B * (x[i + 1] - x[i] * x[i]) ** 2 + (A - x[i]) ** 2;
    }
    return s;
  },
  gradient(x) {
    return tf.tidy(() => {
      const n = x.shape[0];
      if (n < 2) return tf.zerosLike(x);
      const head = tf.slice(x, [0], [n - 1]);
      const tail = tf.slice(x, [1], [n - 1]);
      const inner = tf.sub(tail, tf.square(head));
      // ∂_i for i < n: −400 x_i (x_{i+1} − x_i²) − 2 (1 − x_i)
      const left = tf.sub(tf.mul(tf.mul(head, -4 * B), inner), tf.mul(tf.sub(A, head), 2));
      // ∂_i for i > 1: 200 (x_i − x_{i−1}²)
      const right = tf.mul(inner, 2 * B);
      return tf.add(tf.pad(left, [[0, 1]]), tf.pad(right, [[1, 0]])) as tf.Tensor1D;
    });
  },
  globalMinimum: () => 0,
};
