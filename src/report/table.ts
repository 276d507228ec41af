/**
 * The table model every section builds, and its CSV form. A table is a title,
 * columns and rows of cells; the same object is written as CSV, Markdown
 * (markdown.ts), LaTeX booktabs (latex.ts), JSON (for the HTML report) and HTML.
 *
 * @module
 */
import { toCsvText } from "./csv.ts";
import { formatPm, formatSig } from "./format.ts";
import { tableTexts } from "./columns.ts";

/** A mean with a ± half-width (a CI or a standard deviation, said in the table notes). */
export interface PmCell {
  mean: number;
  pm: number;
}

/** One table cell: text, a number, a mean ± half-width, or missing (null). */
export type Cell = string | number | PmCell | null;

/** A column: its header and alignment (`l` text, `r` numbers). */
export interface Column {
  header: string;
  align: "l" | "r";
}

/** A table ready to be written in every format. */
export interface Table {
  /** File stem, e.g. `approx_cosine`; letters, digits, `_` and `-`. */
  name: string;
  /** One-line title (used as caption). */
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** Notes printed under the table (what ± means, which epoch, …). */
  notes?: string[];
  /** Significant figures for plain numbers (default 4). */
  digits?: number;
  /**
   * `column`: one number format per column (src/report/columns.ts), for tables
   * whose columns hold one quantity; `cell` (the default): each cell on its
   * own, for tables whose rows hold different quantities (the checks).
   */
  numberFormat?: "column" | "cell";
  /** Rows with equal cells in this column form a block with its own column formats (e.g. one function). */
  blockColumn?: number;
  /** Leading columns that identify a row, repeated when a wide table is split (default: the leading text columns). */
  keyColumns?: number;
}

/** Whether a cell is a {@link PmCell}. */
export function isPm(c: Cell): c is PmCell {
  return typeof c === "object" && c !== null && "mean" in c && "pm" in c;
}

/** Formats a cell as display text (the text used by Markdown, LaTeX and HTML). */
export function cellText(c: Cell, digits = 4): string {
  if (c === null) return "—";
  if (typeof c === "string") return c;
  if (typeof c === "number") return formatSig(c, digits);
  return formatPm(c.mean, c.pm);
}

/**
 * The table as CSV text: plain numbers at full precision, mean ± half-width
 * cells as display text (as in the other formats), missing cells empty.
 *
 * @example
 * ```ts
 * import { tableToCsv } from "./table.ts";
 * const csv = tableToCsv({ name: "t", title: "T", columns: [{ header: "n", align: "r" }],
 *   rows: [[1]] });
 * console.log(csv); // "n\n1\n"
 * ```
 */
export function tableToCsv(t: Table): string {
  const texts = tableTexts(t);
  return toCsvText(
    t.columns.map((c) => c.header),
    t.rows.map((r, i) => r.map((c, j) => (isPm(c) ? texts[i][j] : c))),
  );
}

/** Checks a table's shape: a valid name and every row as long as the header. */
export function validateTable(t: Table): void {
  if (!/^[A-Za-z0-9_-]+$/.test(t.name)) {
    throw new TypeError(
      `Cannot write table: name must use letters, digits, _ or -, got "${t.name}"`,
    );
  }
  for (const [i, r] of t.rows.entries()) {
    if (r.length !== t.columns.length) {
      throw new TypeError(
        `Cannot write table ${t.name}: row ${i} has ${r.length} cells, the header ${t.columns.length}`,
      );
    }
  }
}
