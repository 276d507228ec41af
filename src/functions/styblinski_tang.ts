/**
 * The Styblinski–Tang function (spec §3.1).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { TestFunction } from "./types.ts";

/** f per coordinate at the minimiser x_i = −2.903534, as the reference uses it. */
export const STYBLINSKI_TANG_MIN_PER_DIM: number = -39.16599;

/**
 * Styblinski–Tang: `f(x) = ½ Σ_i (x_i⁴ − 16 x_i² + 5 x_i)`, minimum
 * −39.16599·n at x_i = −2.903534, start `0` (f0 = 0), 1000 steps.
 *
 * @example Evaluate near the minimum
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { styblinskiTang } from "./styblinski_tang.ts";
 * styblinskiTang.evaluate(tf.tensor1d([-2.903534])).dataSync()[0]; // ≈ -39.166
 * ```
 */
export const styblinskiTang: TestFunction = {
  name: "styblinski-tang",
  maxSteps: 1000,
  defaultStart: "0",
  evaluate(x) {
    const x2 = tf.square(x);
    return tf.mul(tf.sum(tf.add(tf.sub(tf.square(x2), tf.mul(x2, 16)), tf.mul(x, 5))), 0.5);
  },
  reference(x) {
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      s += v ** 4 - 16 * v * v + 5 * v;
    }
    return s / 2;
  },
  gradient: (x) =>
    tf.tidy(() => tf.add(tf.sub(tf.mul(tf.pow(x, 3), 2), tf.mul(x, 16)), 2.5) as tf.Tensor1D),
  globalMinimum: (n) => STYBLINSKI_TANG_MIN_PER_DIM * n,
};
