/**
 * One entry point for every gradient approach of the function experiments.
 *
 * @module
 */
import type { ApproachSpec } from "./approaches.ts";
import { fastOracle, fastPathApplies } from "./fast/oracle.ts";
import { fgOracle, fmadOracle } from "./forward_oracles.ts";
import { bpOracle, type GradientOracle } from "./oracle.ts";
import type { TestFunction } from "./types.ts";

/** Which implementation `createGradientOracle` returns. */
export type OraclePath = "auto" | "tfjs" | "fast";

/**
 * The gradient oracle of an approach for one run.
 *
 * Path: with `path: "auto"` (the default), the typed-array oracle of
 * src/functions/fast where it applies (sphere, rosenbrock, styblinski-tang;
 * bp and fg with mean/sum/frog; on wasm, whose kernels it reproduces bit for
 * bit; up to `FAST_MAX_TANGENT_ENTRIES`), else the tfjs oracle (tf.grad, the
 * JVP engine), which stays the reference the fast path is tested against.
 * `"tfjs"` forces the tfjs oracle, `"fast"` the typed-array one (throws where
 * it has none).
 *
 * @param fn the objective
 * @param spec the approach (bp, fmad or fg)
 * @param seed the run's seed (seeds the tangent generator of fg)
 * @param n the dimension
 * @param opts `path`: `"auto"` (default), `"tfjs"` or `"fast"`
 *
 * @example A forward gradient with four tangents
 * ```ts
 * import { createGradientOracle } from "./gradients.ts";
 * import { fg } from "./approaches.ts";
 * import { sphere } from "./sphere.ts";
 * const oracle = createGradientOracle(sphere, fg(4, "mean"), 0, 16);
 * ```
 */
export function createGradientOracle(
  fn: TestFunction,
  spec: ApproachSpec,
  seed: number,
  n: number,
  opts: { path?: OraclePath } = {},
): GradientOracle {
  if (fn.dimension !== undefined && fn.dimension !== n) {
    throw new RangeError(
      `Cannot optimise ${fn.name}: it is ${fn.dimension}-dimensional, got n = ${n}`,
    );
  }
  const path = opts.path ?? "auto";
  if (path === "fast" || (path === "auto" && fastPathApplies(fn, spec, n))) {
    const fast = fastOracle(fn, spec, seed, n);
    if (fast !== undefined) return fast;
    throw new RangeError(
      `Cannot use the typed-array path for ${fn.name} with ${spec.type}: it covers sphere, rosenbrock and styblinski-tang with bp or fg (mean, sum, mean_times_dim, orthogonal_projection)`,
    );
  }
  switch (spec.type) {
    case "bp":
      return bpOracle(fn);
    case "fmad":
      return fmadOracle(fn, n);
    case "fg":
      return fgOracle(fn, spec, seed, n);
    default:
      throw new RangeError(
        `Unknown gradient approach "${(spec as { type: string }).type}": expected bp, fmad or fg`,
      );
  }
}
