/**
 * Text formatting of numbers and CSV cells the way the reference's pandas
 * output looks.
 *
 * @module
 */

/**
 * Python's `repr(float)`: the shortest round-trip digits, `.0` on whole
 * numbers, scientific notation below 1e-4 or from 1e16 (`1e-05`, `1.5e+16`),
 * `nan`, `inf`, `-inf`.
 *
 * @example
 * ```ts
 * import { pyFloat } from "./format.ts";
 * pyFloat(104); // "104.0"
 * pyFloat(0.00001); // "1e-05"
 * ```
 */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const exp = v.toExponential(); // shortest round-trip digits
  const e = exp.indexOf("e");
  const mant = exp.slice(0, e);
  const power = Number(exp.slice(e + 1));
  if (power < -4 || power >= 16) {
    const abs = Math.abs(power);
    return `${mant}e${power < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
  }
  const s = String(v);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

/** A CSV cell: quoted (with doubled quotes) when it holds a comma, quote or line break. */
export function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Formats a number with 3 significant figures for printed tables, as §7.3 does (`-627`, `95.7`, `-40100`, `3.76e-10`). */
export function sig3(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return String(Number(v.toPrecision(3)));
  return v.toExponential(2);
}
