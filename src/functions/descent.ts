/**
 * Plain gradient descent with the reference's stopping rules (spec §3.3).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { FastGradientOracle, GradientOracle } from "./oracle.ts";
import type { TestFunction } from "./types.ts";

/** Why a run ended. */
export type StopReason = "max steps" | "NaN values" | "early stopping";

/** Settings of one descent run. */
export interface DescentOptions {
  /** Step size. */
  lr: number;
  /** Maximum number of steps. */
  maxSteps: number;
  /** Stop after this many steps without improvement; 0 disables early stopping. */
  patience: number;
  /** Start position x₀ (float32, length n). */
  start: Float32Array;
}

/** The recorded history of one run. */
export interface DescentResult {
  /** y_t = f(x_t) for t = 0 … steps (row 0 is the start). */
  y: Float64Array;
  /** Wall time of each row in seconds (row 0 is 0). */
  stepDurationS: Float64Array;
  /** Number of executed steps (rows − 1). */
  steps: number;
  /** Why the loop stopped. */
  stopReason: StopReason;
  /** The final position. */
  x: Float32Array;
}

/**
 * The descent's stopping rule, shared by the tfjs and typed-array loops: NaN
 * (f and some x NaN), or `patience` steps in a row without f decreasing.
 */
function stopRule(patience: number) {
  let withoutImprovement = 0;
  return (current: number, last: number, xHasNaN: () => boolean): StopReason | undefined => {
    if (Number.isNaN(current) && xHasNaN()) return "NaN values";
    if (current >= last) withoutImprovement++;
    else withoutImprovement = 0;
    return patience > 0 && withoutImprovement >= patience ? "early stopping" : undefined;
  };
}

/**
 * Runs gradient descent `x ← x − lr·grad` from `start` (spec §3.3).
 *
 * After every step: stop on a NaN coordinate; count steps whose f did not
 * decrease (`current ≥ last`), reset on a decrease; stop once the count
 * reaches `patience` (if `patience > 0`); at most `maxSteps` steps.
 *
 * The loop is fused: one oracle call per step returns both f at the new
 * position (needed for the stop check) and the gradient used by the next
 * step, so each step costs one pass and one scalar readback.
 *
 * @example Descend the sphere with backpropagation
 * ```ts
 * import { gradientDescent } from "./descent.ts";
 * import { bpOracle } from "./oracle.ts";
 * import { sphere } from "./sphere.ts";
 * const r = gradientDescent(sphere, bpOracle(sphere), {
 *   lr: 0.25, maxSteps: 10, patience: 50, start: new Float32Array([-1, -1]),
 * });
 * r.y[r.steps]; // 0
 * ```
 */
export function gradientDescent(
  fn: TestFunction,
  oracle: GradientOracle,
  opts: DescentOptions,
): DescentResult {
  const { lr, maxSteps, patience, start } = opts;
  if (!Number.isFinite(lr) || lr <= 0) {
    throw new RangeError(`Cannot run gradient descent: lr must be a positive number, got ${lr}`);
  }
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 0) {
    throw new RangeError(`Cannot run gradient descent: maxSteps must be ≥ 0, got ${maxSteps}`);
  }
  if (!Number.isSafeInteger(patience) || patience < 0) {
    throw new RangeError(`Cannot run gradient descent: patience must be ≥ 0, got ${patience}`);
  }
  if (oracle.fast !== undefined) return fastDescent(oracle.fast, opts);
  const y = new Float64Array(maxSteps + 1);
  const dur = new Float64Array(maxSteps + 1);
  const lrT = tf.scalar(lr, "float32");
  let x = tf.tensor1d(start, "float32");
  let value: tf.Scalar | undefined;
  let gradient: tf.Tensor1D | undefined;
  let stopReason: StopReason = "max steps";
  let steps = 0;
  try {
    if (maxSteps > 0) {
      ({ value, gradient } = oracle.valueAndGradient(x));
    } else {
      value = fn.evaluate(x);
    }
    let current = value.dataSync()[0];
    let last = NaN;
    const stop = stopRule(patience);
    y[0] = current;
    for (let step = 1; step <= maxSteps; step++) {
      const t0 = performance.now();
      const g = gradient!;
      const xNew = tf.tidy(() => tf.sub(x, tf.mul(lrT, g))) as tf.Tensor1D;
      x.dispose();
      g.dispose();
      value.dispose();
      gradient = undefined;
      x = xNew;
      if (step < maxSteps) {
        ({ value, gradient } = oracle.valueAndGradient(x));
      } else {
        value = tf.tidy(() => fn.evaluate(x));
      }
      last = current;
      current = value.dataSync()[0];
      dur[step] = (performance.now() - t0) / 1000;
      y[step] = current;
      steps = step;
      const why = stop(current, last, () => x.dataSync().some(Number.isNaN));
      if (why) {
        stopReason = why;
        break;
      }
    }
    return {
      y: y.slice(0, steps + 1),
      stepDurationS: dur.slice(0, steps + 1),
      steps,
      stopReason,
      x: x.dataSync().slice() as Float32Array,
    };
  } finally {
    value?.dispose();
    gradient?.dispose();
    x.dispose();
    lrT.dispose();
  }
}

/** {@link gradientDescent} on typed arrays: the same rules, the same float32 rounding. */
function fastDescent(oracle: FastGradientOracle, opts: DescentOptions): DescentResult {
  const { maxSteps, patience } = opts;
  const lr = Math.fround(opts.lr);
  const n = opts.start.length;
  const y = new Float64Array(maxSteps + 1);
  const dur = new Float64Array(maxSteps + 1);
  const x = Float32Array.from(opts.start);
  const g = new Float32Array(n);
  let stopReason: StopReason = "max steps";
  let steps = 0;
  let current = maxSteps > 0 ? oracle.valueAndGradient(x, g) : oracle.value(x);
  let last = NaN;
  const stop = stopRule(patience);
  y[0] = current;
  for (let step = 1; step <= maxSteps; step++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) x[i] = x[i] - Math.fround(lr * g[i]);
    last = current;
    current = step < maxSteps ? oracle.valueAndGradient(x, g) : oracle.value(x);
    dur[step] = (performance.now() - t0) / 1000;
    y[step] = current;
    steps = step;
    const why = stop(current, last, () => x.some(Number.isNaN));
    if (why) {
      stopReason = why;
      break;
    }
  }
  return {
    y: y.slice(0, steps + 1),
    stepDurationS: dur.slice(0, steps + 1),
    steps,
    stopReason,
    x,
  };
}
