/**
 * The plane slope · Σx (spec §3.1), unbounded below.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { TestFunction } from "./types.ts";

/** The slope the reference uses. */
export const PLANE_SLOPE: number = -1;

/**
 * Plane: `f(x) = −Σ_i x_i` for any n; no minimum (−∞), start `0`, 1000 steps.
 *
 * @example Evaluate
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { plane } from "./plane.ts";
 * plane.evaluate(tf.tensor1d([1, 2])).dataSync()[0]; // -3
 * ```
 */
export const plane: TestFunction = {
  name: "plane",
  maxSteps: 1000,
  defaultStart: "0",
  evaluate: (x) => tf.mul(tf.sum(x), PLANE_SLOPE),
  reference(x) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    return PLANE_SLOPE * s;
  },
  gradient: (x) => tf.fill(x.shape, PLANE_SLOPE) as tf.Tensor1D,
  globalMinimum: () => -Infinity,
};
