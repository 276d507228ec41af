/**
 * Number formatting shared by the Markdown, LaTeX and HTML tables.
 *
 * @module
 */

/**
 * Formats a number with `digits` significant figures: plain notation for
 * 1e-3 ≤ |x| < 1e5, otherwise exponent notation (`1.21e-25`); exact zero is
 * `0`, NaN is `NaN`, null/undefined is an em dash.
 *
 * @example Three significant figures
 * ```ts
 * import { formatSig } from "./format.ts";
 * console.log(formatSig(-40099.7, 3)); // "-40100"
 * console.log(formatSig(1.2134e-25, 3)); // "1.21e-25"
 * ```
 */
export function formatSig(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return "—";
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const ax = Math.abs(x);
  if (ax >= 1e-3 && ax < 1e5) {
    // toPrecision then Number drops trailing zeros and exponent forms for this range.
    return String(Number(x.toPrecision(digits)));
  }
  const [m, e] = x.toExponential(digits - 1).split("e");
  const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
  return `${mant}e${Number(e) < 0 ? "-" : ""}${Math.abs(Number(e))}`;
}

/**
 * Formats a mean with its ± half-width, both rounded to the half-width's
 * leading digit plus one (at least `minDigits` significant figures for the mean).
 *
 * @example
 * ```ts
 * import { formatPm } from "./format.ts";
 * console.log(formatPm(0.20734, 0.00312)); // "0.2073 ± 0.0031"
 * ```
 */
export function formatPm(mean: number, pm: number, minDigits = 3): string {
  if (!Number.isFinite(mean)) return formatSig(mean);
  if (!Number.isFinite(pm)) return formatSig(mean, Math.max(minDigits, 4));
  if (pm === 0) return `${formatSig(mean, Math.max(minDigits, 4))} ± 0`;
  const pmExp = Math.floor(Math.log10(Math.abs(pm)));
  const decimals = 1 - pmExp; // two significant figures of pm
  const meanExp = mean === 0 ? pmExp : Math.floor(Math.log10(Math.abs(mean)));
  const ax = Math.abs(mean);
  if (decimals >= 0 && decimals <= 8 && (ax === 0 || (ax >= 1e-3 && ax < 1e5))) {
    const d = Math.max(decimals, minDigits - 1 - meanExp, 0);
    return `${mean.toFixed(d)} ± ${pm.toFixed(decimals)}`;
  }
  const digits = Math.min(Math.max(minDigits, meanExp - pmExp + 2), 6);
  return `${formatSig(mean, digits)} ± ${formatSig(pm, 2)}`;
}
