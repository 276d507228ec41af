/**
 * The approximation-quality CSV files (spec §2.6–2.8): raw per-sample rows
 * and the grouped summary (mean, sample std with ddof 1, ci = 1.96·std/√count),
 * with pandas' number formatting (Python float repr) and an unnamed index column.
 *
 * @module
 */
import { stringify } from "npm:csv-stringify@6.9.0/sync";
import type { ApproxConfig } from "./configs.ts";
import { METRIC_COLUMNS, type Metrics } from "./compute.ts";

/** Label columns after the metrics, in order. */
export const LABEL_COLUMNS = [
  "n",
  "k",
  "agg",
  "tangents",
  "scaling_correction",
  "normalize_tangents",
  "label",
  "true_grad_fn",
] as const;

/** Header of raw_data.csv (first column unnamed: the pandas index). */
export const RAW_HEADER = ["", ...METRIC_COLUMNS, ...LABEL_COLUMNS];

/** Aggregated columns of the summary. */
export const AGG_COLUMNS = METRIC_COLUMNS.slice(1);
/** Group keys of the summary, in order. */
export const GROUP_COLUMNS = ["true_grad_norm", ...LABEL_COLUMNS] as const;

/** Header of summary.csv. */
export const SUMMARY_HEADER = [
  "",
  ...GROUP_COLUMNS,
  ...AGG_COLUMNS.flatMap((c) => [`${c}_mean`, `${c}_std`]),
  ...AGG_COLUMNS.map((c) => `${c}_ci`),
];

/**
 * Formats a number like Python's float repr (as pandas writes floats): the
 * shortest round-trip digits, at float32 precision when `f32`, a trailing
 * `.0` on integers, and scientific notation below 1e-4 or from 1e16 up.
 * NaN becomes an empty cell (pandas' default na_rep).
 */
export function pyFloat(x: number, f32 = false): string {
  if (Number.isNaN(x)) return "";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  let e = "";
  for (let p = 1; p <= 17; p++) {
    e = x.toExponential(p - 1);
    const back = Number(e);
    if (f32 ? Math.fround(back) === x : back === x) break;
  }
  const [mant, expText] = e.split("e");
  const exp = Number(expText);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  let body: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    body = `${m}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  } else if (exp < 0) {
    body = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    body = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${body}` : body;
}

const pyBool = (b: boolean) => (b ? "True" : "False");

/** Label cells of one configuration at n. */
export function labelCells(n: number, c: ApproxConfig, tangents: string): string[] {
  return [String(n), String(c.k), c.agg, tangents, "False", pyBool(c.normalize), c.label, "ones"];
}

/** The raw rows of one configuration (index restarting at 0), as CSV text without header. */
export function rawRowsCsv(n: number, c: ApproxConfig, tangents: string, m: Metrics): string {
  const labels = labelCells(n, c, tangents);
  const S = m[0].length;
  const rows: string[][] = new Array(S);
  for (let i = 0; i < S; i++) {
    rows[i] = [String(i), ...m.map((col) => pyFloat(col[i], true)), ...labels];
  }
  return stringify(rows);
}

/** The summary statistics of one configuration, before formatting. */
export interface SummaryRow {
  /** Group-key cells (true_grad_norm formatted, then the labels). */
  keys: string[];
  /** Sort key: true_grad_norm, n, k as numbers, the rest as text. */
  sort: (number | string)[];
  /** For each aggregated column: mean and std (float32) and count. */
  stats: { mean: number; std: number; count: number }[];
}

/** Mean, sample std (ddof 1) and count of each aggregated metric of one configuration. */
export function summarize(n: number, c: ApproxConfig, tangents: string, m: Metrics): SummaryRow {
  const labels = labelCells(n, c, tangents);
  const stats = m.slice(1).map((col) => {
    const N = col.length;
    let s = 0;
    for (let i = 0; i < N; i++) s += col[i];
    const mean = s / N;
    let v = 0;
    for (let i = 0; i < N; i++) v += (col[i] - mean) ** 2;
    return {
      mean: Math.fround(mean),
      std: Math.fround(N > 1 ? Math.sqrt(v / (N - 1)) : NaN),
      count: N,
    };
  });
  const tgn = m[0][0];
  return {
    keys: [pyFloat(tgn, true), ...labels],
    sort: [tgn, n, c.k, c.agg, tangents, "False", pyBool(c.normalize), c.label, "ones"],
    stats,
  };
}

/** summary.csv text: rows sorted by the group keys, index 0…, ci = 1.96·std/√count. */
export function summaryCsv(rows: SummaryRow[]): string {
  const sorted = [...rows].sort((a, b) => {
    for (let i = 0; i < a.sort.length; i++) {
      const x = a.sort[i], y = b.sort[i];
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
  const body = sorted.map((r, i) => [
    String(i),
    ...r.keys,
    ...r.stats.flatMap((s) => [pyFloat(s.mean, true), pyFloat(s.std, true)]),
    ...r.stats.map((s) => pyFloat((1.96 * s.std) / Math.sqrt(s.count))),
  ]);
  return stringify([SUMMARY_HEADER, ...body]);
}
