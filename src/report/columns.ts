/**
 * One number format per table column. A column's plain numbers share one
 * rule, chosen from all its values: integers, fixed decimals (enough for
 * `digits` significant figures of the largest value and two of the smallest),
 * or, when the values span too many decades for that, exponent notation with
 * `digits` significant figures. A mean ± uncertainty cell takes its decimals
 * from the uncertainty (two significant figures); an uncertainty of exactly 0
 * (identical seeds) leaves the mean in the column's rule.
 *
 * @module
 */
import type { Cell, PmCell, Table } from "./table.ts";
import { formatPm, formatSig } from "./format.ts";

const isPm = (c: Cell): c is PmCell => typeof c === "object" && c !== null;

/** A cell formatted on its own: the `cell` number format (same as `cellText` in table.ts). */
function ownText(c: Cell, digits = 4): string {
  if (c === null) return "—";
  if (typeof c === "string") return c;
  if (typeof c === "number") return formatSig(c, digits);
  return formatPm(c.mean, c.pm);
}

/** How a column writes its plain numbers. */
export type ColumnRule =
  | { kind: "int" }
  | { kind: "fixed"; decimals: number }
  | { kind: "sci"; digits: number };

/** The most decimals a fixed column shows; beyond that it switches to exponent notation. */
export const MAX_DECIMALS = 8;

const exp10 = (x: number) => Math.floor(Math.log10(Math.abs(x)));

/**
 * The rule of a column holding `values` (NaN, ±inf and zeros do not decide it).
 *
 * @param values The plain numbers and the means of the ± cells of the column.
 * @param digits Significant figures of the largest value.
 * @example Test accuracies share two decimals
 * ```ts
 * import { columnRule } from "./columns.ts";
 * console.log(columnRule([87.03, 88.9, 97.34], 4)); // { kind: "fixed", decimals: 2 }
 * ```
 */
export function columnRule(values: readonly number[], digits = 4): ColumnRule {
  const finite = values.filter(Number.isFinite);
  if (finite.every((x) => Number.isInteger(x) && Math.abs(x) < 1e15)) return { kind: "int" };
  const nonzero = finite.filter((x) => x !== 0).map(Math.abs);
  const maxExp = exp10(Math.max(...nonzero));
  const minExp = exp10(Math.min(...nonzero));
  const decimals = Math.max(0, digits - 1 - maxExp, 1 - minExp);
  const shown = maxExp + 1 + decimals; // significant figures of the largest value
  if (maxExp < 6 && decimals <= MAX_DECIMALS && shown <= digits + 3) {
    return { kind: "fixed", decimals };
  }
  return { kind: "sci", digits };
}

function sci(x: number, digits: number): string {
  const [m, e] = x.toExponential(Math.max(0, digits - 1)).split("e");
  return `${m}e${Number(e)}`;
}

function special(x: number): string | null {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  return null;
}

/**
 * Writes a plain number by a column rule; exact zero is always `0` (a fixed
 * column never rounds a non-zero value to zero, so `0` means exactly zero).
 */
export function formatByRule(x: number, rule: ColumnRule): string {
  const s = special(x);
  if (s !== null) return s;
  switch (rule.kind) {
    case "int":
      return Number.isInteger(x) ? String(x) : x.toFixed(2);
    case "fixed":
      return x.toFixed(rule.decimals);
    case "sci":
      return sci(x, rule.digits);
  }
}

/**
 * Writes mean ± uncertainty: both rounded to the uncertainty's second
 * significant digit. An uncertainty of 0 or one too small for
 * {@link MAX_DECIMALS} leaves the mean in the column's rule (the latter with
 * the uncertainty in exponent form); in an exponent column the mean's
 * mantissa reaches the uncertainty's second digit.
 *
 * @example
 * ```ts
 * import { formatPmByRule } from "./columns.ts";
 * console.log(formatPmByRule(0.20734, 0.00312, { kind: "fixed", decimals: 4 })); // "0.2073 ± 0.0031"
 * console.log(formatPmByRule(-2506.6344, 0, { kind: "fixed", decimals: 5 })); // "-2506.63440 ± 0"
 * ```
 */
export function formatPmByRule(mean: number, pm: number, rule: ColumnRule): string {
  if (!Number.isFinite(mean)) return formatByRule(mean, rule);
  if (!Number.isFinite(pm) || pm < 0) return formatByRule(mean, rule);
  if (pm === 0) return `${formatByRule(mean, rule)} ± 0`;
  const last = exp10(pm) - 1; // exponent of the uncertainty's second significant digit
  if (rule.kind === "sci") {
    const meanExp = mean === 0 ? exp10(pm) : exp10(mean);
    const mantissa = Math.min(6, Math.max(1, meanExp - last + 1));
    return `${sci(mean, mantissa)} ± ${sci(pm, 2)}`;
  }
  if (-last > MAX_DECIMALS) return `${formatByRule(mean, rule)} ± ${sci(pm, 2)}`;
  if (last >= 0) {
    const unit = 10 ** last;
    const r = (x: number) => (Math.round(x / unit) * unit).toFixed(0);
    return `${r(mean)} ± ${r(pm)}`;
  }
  return `${mean.toFixed(-last)} ± ${pm.toFixed(-last)}`;
}

/** The numbers of a set of cells that decide a column rule. */
function ruleValues(cells: readonly Cell[]): number[] {
  const out: number[] = [];
  for (const c of cells) {
    if (typeof c === "number") out.push(c);
    else if (isPm(c)) out.push(c.mean);
  }
  return out;
}

/** Row ranges `[start, end)` of the table's blocks: runs of equal `blockColumn` cells, or all rows. */
export function tableBlocks(t: Table): [number, number][] {
  if (t.blockColumn === undefined || t.rows.length === 0) return [[0, t.rows.length]];
  const out: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= t.rows.length; i++) {
    if (i === t.rows.length || t.rows[i][t.blockColumn] !== t.rows[start][t.blockColumn]) {
      out.push([start, i]);
      start = i;
    }
  }
  return out;
}

/**
 * Every cell of a table as display text. With `numberFormat: "column"` each
 * column (within each block, see {@link Table.blockColumn}) follows one
 * {@link columnRule}; otherwise each cell is formatted on its own
 * (as `cellText` in table.ts).
 */
export function tableTexts(t: Table): string[][] {
  if (t.numberFormat !== "column") return t.rows.map((r) => r.map((c) => ownText(c, t.digits)));
  const out = t.rows.map((r) => r.map(() => ""));
  for (const [start, end] of tableBlocks(t)) {
    const rows = t.rows.slice(start, end);
    for (let j = 0; j < t.columns.length; j++) {
      const rule = columnRule(ruleValues(rows.map((r) => r[j])), t.digits ?? 4);
      rows.forEach((r, i) => {
        const c = r[j];
        out[start + i][j] = typeof c === "number"
          ? formatByRule(c, rule)
          : isPm(c)
          ? formatPmByRule(c.mean, c.pm, rule)
          : ownText(c);
      });
    }
  }
  return out;
}
