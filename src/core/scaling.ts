/**
 * Scaling-correction factors (spec §1.5): multipliers that give a forward
 * gradient the expected length of the true gradient. Off in every paper
 * experiment, available for users.
 *
 * @module
 */
import { chiMean } from "./lgamma.ts";

/** Aggregations that have a scaling-correction factor. */
export const SCALABLE_AGGREGATIONS = ["orthogonal_projection", "mean", "sum"] as const;

/**
 * The expected tangent length L(n) used by the correction: 1 for normalised
 * tangents, √n for the `normal` sampler.
 *
 * @param sampler the sampler name
 * @param n the flattened tangent size
 * @param normalized whether the tangents are normalised
 * @returns L(n)
 */
export function expectedTangentLength(sampler: string, n: number, normalized: boolean): number {
  if (normalized) return 1;
  if (sampler === "normal") return Math.sqrt(n);
  throw new RangeError(
    `Cannot compute the expected tangent length: sampler must be "normal" or the tangents normalised, got "${sampler}"`,
  );
}

/**
 * The scaling-correction factor for an aggregation (spec §1.5).
 *
 * - `orthogonal_projection`: 1 if k ≥ n, else E[χ_n]/E[χ_k].
 * - `mean`: 1/(s·a) with s = L², a = √(2/(πn)) for k = 1, else √((n+k)/(1+k))/n.
 * - `sum`: factor(mean)/k.
 *
 * @param aggregation the aggregation key
 * @param k number of tangents
 * @param n flattened tangent size
 * @param expectedLength L(n) (default 1; see {@link expectedTangentLength})
 * @returns the multiplier, finite for k, n up to 1e6 and beyond
 * @example Frog with 4 of 16 dimensions
 * ```ts
 * import { scalingFactor } from "./scaling.ts";
 * console.log(scalingFactor("orthogonal_projection", 4, 16)); // E[χ16]/E[χ4] ≈ 2.096
 * ```
 */
export function scalingFactor(
  aggregation: string,
  k: number,
  n: number,
  expectedLength = 1,
): number {
  for (const [name, v] of [["k", k], ["n", n]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(
        `Cannot compute a scaling factor: ${name} must be a positive integer, got ${v}`,
      );
    }
  }
  switch (aggregation) {
    case "orthogonal_projection":
      return k >= n ? 1 : chiMean(n) / chiMean(k);
    case "mean": {
      const s = (expectedLength || 1) ** 2;
      const a = k === 1 ? Math.sqrt(2 / (Math.PI * n)) : Math.sqrt((n + k) / (1 + k)) / n;
      return 1 / (s * a);
    }
    case "sum":
      return scalingFactor("mean", k, n, expectedLength) / k;
    default:
      throw new RangeError(
        `Cannot compute a scaling factor for aggregation "${aggregation}": expected one of ${
          SCALABLE_AGGREGATIONS.join(", ")
        }`,
      );
  }
}
