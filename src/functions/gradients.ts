/**
 * One entry point for every gradient approach of the function experiments.
 *
 * @module
 */
import type { ApproachSpec } from "./approaches.ts";
import { fgOracle, fmadOracle } from "./forward_oracles.ts";
import { bpOracle, type GradientOracle } from "./oracle.ts";
import type { TestFunction } from "./types.ts";

/**
 * The gradient oracle of an approach for one run.
 *
 * @param fn the objective
 * @param spec the approach (bp, fmad or fg)
 * @param seed the run's seed (seeds the tangent generator of fg)
 * @param n the dimension
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
): GradientOracle {
  if (fn.dimension !== undefined && fn.dimension !== n) {
    throw new RangeError(
      `Cannot optimise ${fn.name}: it is ${fn.dimension}-dimensional, got n = ${n}`,
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
