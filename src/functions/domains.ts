/**
 * Plotting windows of the test functions in two dimensions: the square or
 * rectangle over which a contour plot shows the interesting part of each
 * function (its minimum, the valley or the ripples), from the usual
 * benchmark literature. Used by the interactive page (site/).
 *
 * @module
 */
import { getFunction } from "./registry.ts";

/** An axis-aligned window `[[xMin, xMax], [yMin, yMax]]` of the plane. */
export type PlotDomain = readonly [readonly [number, number], readonly [number, number]];

const DOMAINS: Readonly<Record<string, PlotDomain>> = {
  sphere: [[-2, 2], [-2, 2]],
  rosenbrock: [[-2, 2], [-1, 3]],
  "styblinski-tang": [[-5, 5], [-5, 5]],
  beale: [[-4.5, 4.5], [-4.5, 4.5]],
  plane: [[-2, 2], [-2, 2]],
  eggcrate: [[-5, 5], [-5, 5]],
  ackley: [[-5, 5], [-5, 5]],
  forest: [[-3, 3], [-3, 3]],
  goldstein_price: [[-2, 2], [-2, 2]],
  levy_montalvo: [[-10, 10], [-10, 10]],
  three_hump_camel: [[-2, 2], [-2, 2]],
};

/**
 * The 2-D plotting window of a registered test function (n = 2 for the
 * functions of any dimension).
 *
 * @param name a registry name (as {@link getFunction} accepts it)
 * @returns `[[xMin, xMax], [yMin, yMax]]`
 * @throws RangeError for an unknown function, listing the valid names
 *
 * @example The window of Rosenbrock's valley
 * ```ts
 * import { plotDomain } from "./domains.ts";
 * console.log(plotDomain("Rosenbrock")); // [[-2, 2], [-1, 3]]
 * ```
 */
export function plotDomain(name: string): PlotDomain {
  const fn = getFunction(name);
  const d = DOMAINS[fn.name];
  if (!d) throw new RangeError(`Cannot plot ${fn.name}: it has no plotting window`);
  return d;
}
