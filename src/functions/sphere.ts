/**
 * The sphere function Σ x_i² (spec §3.1).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { TestFunction } from "./types.ts";

/**
 * Sphere: `f(x) = Σ_i x_i²`, minimum 0 at x = 0, start `-1` (f0 = n), 1000 steps.
 *
 * @example Evaluate at the start
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { sphere } from "./sphere.ts";
 * sphere.evaluate(tf.tensor1d([-1, -1])).dataSync()[0]; // 2
 * ```
 */
export const sphere: TestFunction = {
  name: "sphere",
  maxSteps: 1000,
  defaultStart: "-1",
  evaluate: (x) => tf.sum(tf.square(x)),
  reference(x) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    return s;
  },
  gradient: (x) => tf.mul(x, 2),
  globalMinimum: () => 0,
};
