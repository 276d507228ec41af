/**
 * Theoretical approximation quality of forward gradients with N(0, I)
 * tangents (reference-spec §1.7 / §7.2; which ones are exact: see
 * verification-notes.md). Drawn beside the measured curves and used as
 * oracles by the verify stage.
 *
 * @module
 */
import { chiMean } from "../core/lgamma.ts";

/** Exact E[cos] of frog (orthogonal projection): E[χ_k]/E[χ_n] for k < n, 1 for k ≥ n. */
export function frogCosine(n: number, k: number): number {
  return k >= n ? 1 : chiMean(k) / chiMean(n);
}

/** Exact E[cos] of the single-tangent forward gradient: E[χ_1]/E[χ_n]. */
export function singleCosine(n: number): number {
  return chiMean(1) / chiMean(n);
}

/** Large-n approximation of the single-tangent cosine, √(2/(πn)). */
export function singleCosineApprox(n: number): number {
  return Math.sqrt(2 / (Math.PI * n));
}

/** Ratio-of-expectations approximation of the mean-of-k cosine, √(k/(n+k+1)) (approximate only). */
export function meanCosineApprox(n: number, k: number): number {
  return Math.sqrt(k / (n + k + 1));
}

/** √E[‖ḡ‖²]/‖g‖ for the mean of k forward gradients, √((n+k+1)/k) (an upper bound of E[‖ḡ‖/‖g‖] by Jensen). */
export function meanNormRatioApprox(n: number, k: number): number {
  return Math.sqrt((n + k + 1) / k);
}

/** Large-n approximation of the single-tangent norm ratio, √(2n/π). */
export function singleNormRatioApprox(n: number): number {
  return Math.sqrt(2 * n / Math.PI);
}
