/**
 * Typed access to CSV records: numbers, booleans (Python `True`/`False` or
 * JSON `true`/`false`), and optional files.
 *
 * @module
 */
import { type CsvRecord, readCsv } from "./csv.ts";

/** The record's column as a number (empty, `nan` → NaN); throws when the column is absent. */
export function num(r: CsvRecord, col: string): number {
  const v = r[col];
  if (v === undefined) throw new TypeError(`Cannot read column "${col}": not in the CSV header`);
  const s = v.trim().toLowerCase();
  if (s === "" || s === "nan") return NaN;
  if (s === "inf") return Infinity;
  if (s === "-inf") return -Infinity;
  return Number(s);
}

/** The record's column as a boolean (`True`/`true`/`1` → true); absent or empty → false. */
export function bool(r: CsvRecord, col: string): boolean {
  const s = (r[col] ?? "").trim().toLowerCase();
  return s === "true" || s === "1";
}

/** Reads a CSV file, or returns null when it does not exist. */
export async function readCsvIfExists(path: string): Promise<CsvRecord[] | null> {
  try {
    return await readCsv(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Sorted unique numbers. */
export function uniqueSorted(xs: Iterable<number>): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}
