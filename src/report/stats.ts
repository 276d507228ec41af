/**
 * Small statistics used by the tables and the checks: mean, sample standard
 * deviation (ddof = 1, as pandas), the normal-approximation 95% CI half-width
 * of the reference code (1.96·std/√count), and family-wise z thresholds.
 *
 * @module
 */
import { lnGamma } from "../core/lgamma.ts";

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (ddof = 1); NaN for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** 95% CI half-width as in the reference utils: 1.96·std/√count. */
export function ci95(xs: readonly number[]): number {
  return 1.96 * sampleStd(xs) / Math.sqrt(xs.length);
}

/** Standard normal upper-tail quantile: the z with P(Z > z) = p (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantileUpper(p: number): number {
  if (!(p > 0 && p < 1)) {
    throw new RangeError(`Cannot compute a normal quantile: p must be in (0, 1), got ${p}`);
  }
  const q = 1 - p; // lower-tail probability of the answer
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (q < lo) {
    const t = Math.sqrt(-2 * Math.log(q));
    return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
      ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
  }
  if (q > 1 - lo) {
    const t = Math.sqrt(-2 * Math.log(1 - q));
    return -(((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) /
      ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
  }
  const r = q - 0.5;
  const r2 = r * r;
  return (((((a[0] * r2 + a[1]) * r2 + a[2]) * r2 + a[3]) * r2 + a[4]) * r2 + a[5]) * r /
    (((((b[0] * r2 + b[1]) * r2 + b[2]) * r2 + b[3]) * r2 + b[4]) * r2 + 1);
}

/**
 * The two-sided z threshold that keeps the chance of any false failure among
 * `checks` independent statistical checks below `familyAlpha` (Bonferroni).
 *
 * @param checks Number of statistical checks in the family (≥ 1).
 * @param familyAlpha Family-wise false-failure probability, default 0.001.
 * @returns z such that P(|Z| > z) = familyAlpha / checks.
 * @example Thresholds grow slowly with the number of checks
 * ```ts
 * import { familyZ } from "./stats.ts";
 * console.log(familyZ(1, 0.05).toFixed(2)); // "1.96"
 * ```
 */
export function familyZ(checks: number, familyAlpha = 0.001): number {
  return normalQuantileUpper(familyAlpha / (2 * Math.max(1, checks)));
}

/** Regularised incomplete beta function I_x(a, b) (continued fraction, modified Lentz). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) +
    b * Math.log(1 - x);
  const tiny = 1e-300;
  let c = 1, d = 1 - (a + b) * x / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 500; m++) {
    for (
      const num of [
        m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
        -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
      ]
    ) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return Math.exp(lnFront) * h / a;
}

/** Upper tail P(T > t) of Student's t distribution with `df` degrees of freedom, t ≥ 0. */
export function studentTUpperTail(t: number, df: number): number {
  return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * The t with P(T > t) = p for Student's t with `df` degrees of freedom
 * (bisection on {@link studentTUpperTail}); the normal quantile for df = ∞.
 */
export function studentTQuantileUpper(p: number, df: number): number {
  if (!Number.isFinite(df)) return normalQuantileUpper(p);
  if (!(df > 0) || !(p > 0 && p < 0.5)) {
    throw new RangeError(`Cannot compute a t quantile for p = ${p}, df = ${df}`);
  }
  let lo = 0, hi = 1;
  while (studentTUpperTail(hi, df) > p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTUpperTail(mid, df) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
