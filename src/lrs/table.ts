/**
 * Reading the learning-rate CSV tables (spec §5.4) with csv-parse, with errors
 * that name the file, the row and the bad value.
 *
 * @module
 */
import { parse } from "npm:csv-parse@7.0.3/sync";

/** The repository's `lrs/` folder, resolved from this module's location. */
export const DEFAULT_LR_DIR: URL = new URL("../../lrs/", import.meta.url);

/** Path of a table file in the repository's `lrs/` folder, e.g. `lrsPath("math.csv")`. */
export function lrsPath(file: string): string {
  return new URL(file, DEFAULT_LR_DIR).pathname;
}

/** One parsed CSV row: column name → raw text, plus its 1-based line number. */
export interface CsvRow {
  /** 1-based line number in the file (the header is line 1). */
  readonly line: number;
  /** Column name → raw cell text. */
  readonly values: Readonly<Record<string, string>>;
}

/**
 * Parses CSV text with a header row and checks that `required` columns exist.
 *
 * @param text the CSV text
 * @param source a name for error messages (usually the path)
 * @param required columns that must be in the header
 * @throws SyntaxError naming the source on malformed CSV or a missing column
 */
export function parseCsvTable(text: string, source: string, required: readonly string[]): CsvRow[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false });
  } catch (e) {
    throw new SyntaxError(`Cannot parse LR table ${source}: ${(e as Error).message}`);
  }
  if (records.length === 0) {
    throw new SyntaxError(`Cannot parse LR table ${source}: the file is empty`);
  }
  const header = records[0].map((h) => h.trim());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new SyntaxError(
      `Cannot parse LR table ${source}: missing column(s) ${missing.join(", ")} (header: ${
        header.join(",")
      })`,
    );
  }
  return records.slice(1).map((rec, i) => {
    const values: Record<string, string> = {};
    header.forEach((h, j) => (values[h] = rec[j]));
    return { line: i + 2, values };
  });
}

/** Parses a learning-rate cell: a finite number > 0, or a SyntaxError naming source and line. */
export function parseLr(raw: string, source: string, line: number): number {
  const v = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isFinite(v) || v <= 0) {
    throw new SyntaxError(
      `Cannot parse LR table ${source}: line ${line} has lr "${raw}", expected a positive number`,
    );
  }
  return v;
}

/** Reads a table file as text, with an error naming the path. */
export function readTableText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw new Error(`Cannot read LR table ${path}: ${(e as Error).message}`);
  }
}
