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

/** E[(χ²_m)^j] = m(m+2)…(m+2j−2). */
function chiSquareMoment(m: number, j: number): number {
  let p = 1;
  for (let i = 0; i < j; i++) p *= m + 2 * i;
  return p;
}

/**
 * Exact mean and variance of ‖ḡ‖²/‖g‖² for the mean of k forward gradients
 * with N(0, I_n) tangents (k = 1: the single-tangent forward gradient).
 * By rotation invariance take g = e₁; with W = VᵀV, ‖ḡ‖²/‖g‖² = (W²)₁₁/k² =
 * A(A + B)/k² with A ~ χ²_k and B ~ χ²_{n−1} independent, so
 * E = (n + k + 1)/k (verification-notes.md) and the variance follows from the
 * χ² moments. For the sum of k, multiply the mean by k² and the variance by k⁴.
 */
export function meanNormRatioSquaredMoments(
  n: number,
  k: number,
): { mean: number; variance: number } {
  const a = (j: number) => chiSquareMoment(k, j), b = (j: number) => chiSquareMoment(n - 1, j);
  const q1 = a(2) + a(1) * b(1);
  const q2 = a(4) + 2 * a(3) * b(1) + a(2) * b(2);
  return { mean: q1 / (k * k), variance: (q2 - q1 * q1) / k ** 4 };
}

/** Nodes (log-spaced) and normalised weights of the χ²_m distribution, for trapezoid quadrature in ln x. */
function chiSquareNodes(m: number, points: number): { x: Float64Array; w: Float64Array } {
  const s = m / 2; // shape of the Gamma(s, scale 2) law
  const t0 = Math.log(2 * s);
  const lo = t0 - (40 / Math.sqrt(s) + 60 / s), hi = t0 + 40 / Math.sqrt(s) + 5;
  const x = new Float64Array(points), w = new Float64Array(points);
  let total = 0;
  for (let i = 0; i < points; i++) {
    const t = lo + (hi - lo) * i / (points - 1);
    x[i] = Math.exp(t);
    // density of t = ln x up to a constant: exp(s·t − x/2), relative to its peak at t0
    w[i] = Math.exp(s * (t - t0) - (x[i] - 2 * s) / 2);
    total += w[i];
  }
  for (let i = 0; i < points; i++) w[i] /= total;
  return { x, w };
}

/**
 * Exact mean and standard deviation of the norm ratio ‖ḡ‖/‖g‖ of the mean of
 * k forward gradients with N(0, I_n) tangents (k = 1: the single-tangent
 * forward gradient): ‖ḡ‖/‖g‖ = √(A(A + B))/k with A ~ χ²_k, B ~ χ²_{n−1}
 * (see {@link meanNormRatioSquaredMoments}); E is a 2-D quadrature in log
 * coordinates (relative error < 1e-8), the variance E[r²] − E[r]² with
 * E[r²] = (n + k + 1)/k exact. Not √((n+k+1)/k) (Jensen). For the sum of k
 * forward gradients multiply both by k.
 */
export function meanNormRatioMoments(n: number, k: number): { mean: number; std: number } {
  const second = (n + k + 1) / k;
  let m: number;
  if (n === 1) {
    m = 1; // √(A·A)/k = χ²_k/k
  } else {
    const P = 600;
    const a = chiSquareNodes(k, P), b = chiSquareNodes(n - 1, P);
    let e = 0;
    for (let i = 0; i < P; i++) {
      let inner = 0;
      const ai = a.x[i];
      for (let j = 0; j < P; j++) inner += b.w[j] * Math.sqrt(ai + b.x[j]);
      e += a.w[i] * Math.sqrt(ai) * inner;
    }
    m = e / k;
  }
  return { mean: m, std: Math.sqrt(Math.max(0, second - m * m)) };
}
