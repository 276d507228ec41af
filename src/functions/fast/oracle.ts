/**
 * The typed-array gradient oracle of the function experiments: one call per
 * descent step computes f(x) and the step's gradient (bp) or forward-gradient
 * estimate (fg) without a tfjs kernel launch, with the same tangents (the
 * run's own generator) and the same float32 arithmetic as the tfjs path on
 * wasm, so a run gives the same numbers either way.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { REFINE_ABOVE_CONDITION } from "../../core/aggregate.ts";
import { GramSolver } from "../../core/_linalg.ts";
import { Rng } from "../../core/rng.ts";
import { scalingFactor } from "../../core/scaling.ts";
import { sampleTangents } from "../../core/tangents.ts";
import type { ApproachSpec, ForwardGradientSpec } from "../approaches.ts";
import type { FastGradientOracle, GradientOracle } from "../oracle.ts";
import type { TestFunction } from "../types.ts";
import { combineRows, gramRows, matVecRows } from "./linear.ts";
import { TANGENT_STREAM } from "../forward_oracles.ts";
import { kernelsFor } from "./registry.ts";
import type { ClosedFormKernels } from "./types.ts";

const fr = Math.fround;

/** Aggregations the typed-array path implements (the rest stay on the tfjs path). */
export const FAST_AGGREGATIONS: readonly string[] = [
  "mean",
  "sum",
  "mean_times_dim",
  "orthogonal_projection",
];

/**
 * Above this many tangent entries per step (k·n; 1 for bp) the tfjs path is
 * used: the typed-array path is a scalar loop (every op rounded with
 * Math.fround), tfjs's kernels are SIMD, so at large n tfjs's per-kernel
 * dispatch (10–50 µs) no longer dominates. Crossover measured on wasm, 2
 * cores: bp at n = 65536 and fg-mean k = 16 at n = 16384 are still faster
 * typed (README, Performance).
 */
export const FAST_MAX_TANGENT_ENTRIES = 1 << 20;

/**
 * Frog's Gram product costs m²·n (m = min(k, n)) scalar float32 steps; above
 * this the tfjs path (XNNPACK's SIMD matMul) is used. Measured: k = 16 is
 * faster typed up to n = 1024 (520 vs 733 µs a step), slower at n = 2048;
 * k = 64 at n = 64 faster (386 vs 841 µs), at n = 256 slower.
 */
export const FAST_MAX_GRAM_WORK = 1 << 18;

/** The backends whose float32 kernels the typed-array path reproduces bit for bit. */
export const FAST_BACKENDS: readonly string[] = ["wasm"];

/**
 * Whether the typed-array path implements (function, approach) at all:
 * kernels for the function, and bp, or fg with an aggregation of
 * {@link FAST_AGGREGATIONS}.
 */
export function fastPathSupports(fn: TestFunction, spec: ApproachSpec): boolean {
  if (kernelsFor(fn.name) === undefined) return false;
  if (spec.type === "bp") return true;
  return spec.type === "fg" && FAST_AGGREGATIONS.includes(spec.aggregation);
}

/**
 * Whether `createGradientOracle` takes the typed-array path: supported, the
 * active backend is one whose kernels it matches ({@link FAST_BACKENDS}), and
 * the step is small enough that it wins ({@link FAST_MAX_TANGENT_ENTRIES},
 * {@link FAST_MAX_GRAM_WORK}).
 */
export function fastPathApplies(fn: TestFunction, spec: ApproachSpec, n: number): boolean {
  if (!fastPathSupports(fn, spec) || !FAST_BACKENDS.includes(tf.getBackend())) return false;
  if (spec.type !== "fg") return n <= FAST_MAX_TANGENT_ENTRIES;
  const m = Math.min(spec.k, n);
  if (spec.aggregation === "orthogonal_projection" && m * m * n > FAST_MAX_GRAM_WORK) return false;
  return spec.k * n <= FAST_MAX_TANGENT_ENTRIES;
}

/** Wraps a typed-array oracle as a full {@link GradientOracle} (tensors in, tensors out). */
function withTensors(n: number, fast: FastGradientOracle): GradientOracle {
  return {
    fast,
    valueAndGradient(x) {
      const g = new Float32Array(n);
      const value = fast.valueAndGradient(x.dataSync() as Float32Array, g);
      return { value: tf.scalar(value, "float32"), gradient: tf.tensor1d(g, "float32") };
    },
    dispose() {},
  };
}

/** Frog's projection V_sᵀ G⁻¹ d into `g`, as `orthogonalProjection` does it (first-n subset). */
function project(v: Float32Array, d: Float32Array, k: number, n: number, g: Float32Array): void {
  const m = Math.min(k, n);
  const solver = new GramSolver(gramRows(v, m, n), m);
  const D = Float64Array.from(d.subarray(0, m));
  const x = solver.solve(D, 1);
  if (solver.info.condition > REFINE_ABOVE_CONDITION) {
    const comb = new Float32Array(n);
    let last = Infinity;
    for (let it = 0; it < 10; it++) {
      combineRows(v, Float32Array.from(x), m, n, comb);
      const vv = matVecRows(v, comb, m, n);
      const res = new Float64Array(m);
      for (let i = 0; i < m; i++) res[i] = fr(d[i] - vv[i]);
      const dx = solver.solve(res, 1);
      let nd = 0, nx = 0;
      for (let i = 0; i < m; i++) {
        nd += dx[i] * dx[i];
        nx += x[i] * x[i];
      }
      if (!(nd < last)) break;
      for (let i = 0; i < m; i++) x[i] += dx[i];
      last = nd;
      if (nd <= 1e-14 * nx) break;
    }
  }
  combineRows(v, Float32Array.from(x), m, n, g);
}

function scale(g: Float32Array, s: number): void {
  const s32 = fr(s);
  for (let i = 0; i < g.length; i++) g[i] = g[i] * s32;
}

function fgFast(
  kernels: ClosedFormKernels,
  spec: ForwardGradientSpec,
  seed: number,
  n: number,
): FastGradientOracle {
  const { k, aggregation } = spec;
  const rng = new Rng(seed, ...TANGENT_STREAM);
  const v = new Float32Array(k * n);
  const d = new Float32Array(k);
  const factor = spec.scalingCorrection ? scalingFactor(aggregation, k, n, 1) : 1;
  return {
    value: (x) => kernels.value(x),
    valueAndGradient(x, g) {
      sampleTangents(rng, spec.sampler, k, n, { normalize: spec.normalize, out: v });
      const value = kernels.valueAndDirectional(x, v, k, d);
      if (aggregation === "orthogonal_projection") {
        project(v, d, k, n, g);
      } else {
        combineRows(v, d, k, n, g);
        if (aggregation === "mean") scale(g, 1 / k);
        else if (aggregation === "mean_times_dim") scale(g, n / k);
      }
      if (factor !== 1) scale(g, factor);
      return value;
    },
  };
}

/**
 * The typed-array oracle of (function, approach) for one run, or undefined
 * when {@link fastPathSupports} says no. Its tensor methods return the same
 * numbers as its typed-array ones; `gradientDescent` uses the latter.
 *
 * @example Same steps as the tfjs oracle on wasm
 * ```ts
 * import { fastOracle } from "./oracle.ts";
 * import { BP } from "../approaches.ts";
 * import { sphere } from "../sphere.ts";
 * const g = new Float32Array(2);
 * fastOracle(sphere, BP, 0, 2)!.fast!.valueAndGradient(new Float32Array([-1, -1]), g); // 2
 * ```
 */
export function fastOracle(
  fn: TestFunction,
  spec: ApproachSpec,
  seed: number,
  n: number,
): GradientOracle | undefined {
  const kernels = kernelsFor(fn.name);
  if (kernels === undefined || !fastPathSupports(fn, spec)) return undefined;
  if (spec.type === "bp") {
    return withTensors(n, {
      value: (x) => kernels.value(x),
      valueAndGradient: (x, g) => kernels.valueAndGradient(x, g),
    });
  }
  return withTensors(n, fgFast(kernels, spec as ForwardGradientSpec, seed, n));
}
