/**
 * What the page computes, all of it with the library's public API: the true
 * gradient at a point (backpropagation), k tangents, their directional
 * derivatives from the forward-mode engine (`directionalDerivatives`), every
 * aggregation's forward gradient (`forwardGradient`), descents with bp and
 * with forward gradients (`gradientDescent`), and the approximation-quality
 * curve against E[χ_k]/E[χ_n] (`chiMean`). Results are plain numbers.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import {
  AGGREGATIONS,
  bpOracle,
  chiMean,
  createGradientOracle,
  directionalDerivatives,
  fg,
  forwardGradient,
  gradientDescent,
  type GradientOracle,
  Rng,
  sampleTangents,
  type TestFunction,
} from "../../mod.ts";

/** The stream path of the tangents drawn at the clicked point. */
export const POINT_STREAM = ["site", "tangents"] as const;
/** The stream path of the approximation-quality panel (per k: `[...APPROX_STREAM, k]`). */
export const APPROX_STREAM = ["site", "approx"] as const;

/** Cosine similarity of two vectors (NaN when either is zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** Euclidean norm. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** One aggregation's estimate at the point. */
export interface Estimate {
  /** Aggregation key. */
  aggregation: string;
  /** The forward gradient. */
  gradient: number[];
  /** cos(estimate, ∇f). */
  cosine: number;
  /** ‖estimate‖ / ‖∇f‖. */
  normRatio: number;
}

/** Everything shown for a clicked point. */
export interface PointAnalysis {
  /** The point. */
  x: number[];
  /** f(x). */
  f: number;
  /** ∇f(x) by backpropagation. */
  gradient: number[];
  /** The k tangents (rows). */
  tangents: number[][];
  /** Directional derivatives ⟨∇f, v_j⟩ from forward mode. */
  d: number[];
  /** One estimate per aggregation. */
  estimates: Estimate[];
}

/** The true gradient, k tangents and every aggregation's forward gradient at x. */
export function analysePoint(
  fn: TestFunction,
  x: readonly number[],
  k: number,
  sampler: string,
  seed: number,
): PointAnalysis {
  const n = x.length;
  const v = sampleTangents(new Rng(seed, ...POINT_STREAM), sampler, k, n);
  return tf.tidy(() => {
    const xt = tf.tensor1d(x as number[], "float32");
    const { value, gradient } = bpOracle(fn).valueAndGradient(xt);
    const g = Array.from(gradient.dataSync());
    const vt = tf.tensor2d(v, [k, n], "float32");
    const d = directionalDerivatives((p) => fn.evaluate(p as tf.Tensor1D), [xt], [vt]);
    const estimates = AGGREGATIONS.map((aggregation) => {
      const est = Array.from(forwardGradient(vt, d, aggregation).dataSync());
      return { aggregation, gradient: est, cosine: cosine(est, g), normRatio: norm(est) / norm(g) };
    });
    const tangents = Array.from({ length: k }, (_, j) => Array.from(v.subarray(j * n, j * n + n)));
    return {
      x: [...x],
      f: value.dataSync()[0],
      gradient: g,
      tangents,
      d: Array.from(d.dataSync()),
      estimates,
    };
  });
}

/** One descent: the positions x_0 … x_steps and f at each. */
export interface Trajectory {
  /** Positions, one per step (row 0 is the start). */
  path: number[][];
  /** f(x_t). */
  y: number[];
  /** Why the run ended. */
  stopReason: string;
}

/** Wraps an oracle so that every position it is asked about is recorded. */
function recording(oracle: GradientOracle, path: number[][]): GradientOracle {
  return {
    valueAndGradient(x) {
      path.push(Array.from(x.dataSync()));
      return oracle.valueAndGradient(x);
    },
    dispose: () => oracle.dispose(),
  };
}

function descend(
  fn: TestFunction,
  oracle: GradientOracle,
  start: readonly number[],
  lr: number,
  steps: number,
): Trajectory {
  const path: number[][] = [];
  const r = gradientDescent(fn, recording(oracle, path), {
    lr,
    maxSteps: steps,
    patience: 0,
    start: Float32Array.from(start),
  });
  oracle.dispose();
  path.length = Math.min(path.length, r.steps);
  path.push(Array.from(r.x));
  return { path, y: Array.from(r.y), stopReason: r.stopReason };
}

/** Descents from `start` with backpropagation and with forward gradients. */
export interface Descents {
  /** Backpropagation. */
  bp: Trajectory;
  /** Forward gradient (k tangents, the chosen aggregation and sampler; tangents seeded by `seed`). */
  fg: Trajectory;
}

/** Gradient descent from `start` with bp and with the forward gradient fg(k, aggregation, sampler). */
export function runDescents(
  fn: TestFunction,
  start: readonly number[],
  opts: {
    lr: number;
    steps: number;
    k: number;
    aggregation: string;
    sampler: string;
    seed: number;
  },
): Descents {
  const n = start.length;
  const spec = fg(opts.k, opts.aggregation, { sampler: opts.sampler });
  return {
    bp: descend(fn, bpOracle(fn), start, opts.lr, opts.steps),
    fg: descend(fn, createGradientOracle(fn, spec, opts.seed, n), start, opts.lr, opts.steps),
  };
}

/** The k values of the approximation-quality panel for dimension n (at most 24, always 1 and n). */
export function approxKs(n: number): number[] {
  if (n <= 24) return Array.from({ length: n }, (_, i) => i + 1);
  const ks = new Set<number>();
  for (let i = 0; i < 24; i++) ks.add(Math.max(1, Math.round(n ** (i / 23))));
  return [...ks].sort((a, b) => a - b);
}

/** One point of the approximation-quality curve. */
export interface ApproxPoint {
  /** Number of tangents. */
  k: number;
  /** Mean cos(frog, g) over the samples. */
  frog: number;
  /** Mean cos(mean, g) over the samples. */
  mean: number;
  /** E[χ_k]/E[χ_n]: the expected cosine of frog with normal tangents. */
  theory: number;
}

/**
 * The approximation quality for one k in dimension n: `samples` random
 * gradients g ~ N(0, I) and normal tangents, d from forward mode on
 * f(x) = ⟨g, x⟩, the mean cosine of frog and of mean against g.
 */
export function approxPoint(n: number, k: number, samples: number, seed: number): ApproxPoint {
  const rng = new Rng(seed, ...APPROX_STREAM, k);
  let frog = 0, mean = 0;
  for (let s = 0; s < samples; s++) {
    const g = rng.normal(new Float32Array(n));
    const v = sampleTangents(rng, "normal", k, n);
    tf.tidy(() => {
      const gt = tf.tensor1d(g);
      const vt = tf.tensor2d(v, [k, n]);
      const d = directionalDerivatives((x) => tf.sum(tf.mul(gt, x)), [tf.zeros([n])], [vt]);
      frog += cosine(forwardGradient(vt, d, "orthogonal_projection").dataSync(), g);
      mean += cosine(forwardGradient(vt, d, "mean").dataSync(), g);
    });
  }
  return { k, frog: frog / samples, mean: mean / samples, theory: chiMean(k) / chiMean(n) };
}
