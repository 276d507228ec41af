/**
 * The logarithm of the gamma function and the mean of the chi distribution,
 * accurate to about 1e-13 relative and finite for arguments up to 1e300.
 *
 * @module
 */

// Lanczos approximation, g = 607/128, 15 coefficients (Godfrey / Boost), error ~1e-15.
const LANCZOS_G = 607 / 128;
const LANCZOS_C = [
  0.99999999999999709182,
  57.156235665862923517,
  -59.597960355475491248,
  14.136097974741747174,
  -0.49191381609762019978,
  .33994649984811888699e-4,
  .46523628927048575665e-4,
  -.98374475304879564677e-4,
  .15808870322491248884e-3,
  -.21026444172410488319e-3,
  .21743961811521264320e-3,
  -.16431810653676389022e-3,
  .84418223983852743293e-4,
  -.26190838401581408670e-4,
  .36899182659531622704e-5,
];
const HALF_LOG_TWO_PI = 0.91893853320467274178;

/**
 * ln Γ(x) for x > 0 (Lanczos for x < 10, the Stirling series above).
 *
 * @param x a positive number
 * @returns ln Γ(x)
 * @example
 * ```ts
 * import { lnGamma } from "./lgamma.ts";
 * console.log(Math.exp(lnGamma(5))); // ≈ 24
 * ```
 */
export function lnGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new RangeError(`Cannot compute lnGamma: x must be a positive finite number, got ${x}`);
  }
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum accurate near 0.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  }
  if (x >= 10) {
    // Stirling series with 6 correction terms: error < 1e-16 relative for x ≥ 10.
    const z = 1 / (x * x);
    const series = (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z * (1 / 1680 - z *
                    (1 / 1188 - z * (691 / 360360)))))) / x;
    return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series;
  }
  const xm = x - 1;
  let a = LANCZOS_C[0];
  const t = xm + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_C.length; i++) a += LANCZOS_C[i] / (xm + i);
  return HALF_LOG_TWO_PI + (xm + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * E[χ_m] = √2 · Γ((m+1)/2) / Γ(m/2), the mean length of a standard-normal
 * vector in R^m, evaluated through {@link lnGamma} (finite for any m ≥ 1).
 *
 * @param m degrees of freedom (a positive number, usually an integer)
 * @returns the chi mean
 * @example Mean length of a 3-D normal vector
 * ```ts
 * import { chiMean } from "./lgamma.ts";
 * console.log(chiMean(3)); // 2·√(2/π) ≈ 1.5958
 * ```
 */
export function chiMean(m: number): number {
  if (!(m > 0) || !Number.isFinite(m)) {
    throw new RangeError(`Cannot compute chiMean: m must be a positive finite number, got ${m}`);
  }
  if (m > 1000) {
    // Asymptotic series of Γ(x+½)/Γ(x): the lnΓ difference would lose digits
    // to cancellation here; the first omitted term is below 1e-16 relative.
    const i = 1 / m;
    return Math.sqrt(m) * (1 - i / 4 + i * i / 32 + 5 * i ** 3 / 128 - 21 * i ** 4 / 2048);
  }
  return Math.SQRT2 * Math.exp(lnGamma((m + 1) / 2) - lnGamma(m / 2));
}
