/**
 * Reading the stages' CSV files: whole small files with csv-parse, and large
 * files (function-optimisation histories can hold millions of rows) as a
 * stream of records so that only the needed columns stay in memory.
 *
 * @module
 */
import { parse } from "npm:csv-parse@7.0.3/sync";
import { stringify } from "npm:csv-stringify@6.9.0/sync";

/** One CSV record keyed by column name (the unnamed pandas index column is dropped). */
export type CsvRecord = Record<string, string>;

/**
 * Parses CSV text with a header row into records keyed by column name.
 * An unnamed first column (a pandas index) is dropped.
 *
 * @param text CSV text with a header row.
 * @returns One record per data row.
 * @example Parse a tiny CSV
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * const rows = parseCsv(",n,k\n0,4,2\n");
 * console.log(rows[0].n); // "4"
 * ```
 */
export function parseCsv(text: string): CsvRecord[] {
  const records = parse(text, {
    columns: (header: string[]) => header.map((h) => (h === "" ? "__index" : h)),
    skip_empty_lines: true,
    relax_column_count: false,
  }) as CsvRecord[];
  for (const r of records) delete r.__index;
  return records;
}

/** Reads and parses a CSV file (see {@link parseCsv}). */
export async function readCsv(path: string): Promise<CsvRecord[]> {
  return parseCsv(await Deno.readTextFile(path));
}

/**
 * Serialises rows to CSV text with csv-stringify (header first).
 *
 * @param header Column names.
 * @param rows Cell values, one array per row; null and undefined become empty cells.
 */
export function toCsvText(header: readonly string[], rows: readonly unknown[][]): string {
  return stringify([header as string[], ...rows.map((r) => r.map(csvCell))]);
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  return String(v);
}

/**
 * Streams a CSV file record by record without holding the file in memory.
 * Handles quoted fields (commas, doubled quotes and newlines inside quotes).
 * `onRecord` receives the header-keyed record; an unnamed first column is dropped.
 *
 * @param path File to read.
 * @param onRecord Called once per data row, in file order.
 * @returns The header (column names).
 */
export async function streamCsv(
  path: string,
  onRecord: (record: CsvRecord) => void,
): Promise<string[]> {
  const file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder();
  let header: string[] | null = null;
  let field = "";
  let fields: string[] = [];
  let inQuotes = false;
  let quotePending = false; // saw a quote inside a quoted field: end or escaped quote
  const endRecord = () => {
    fields.push(field);
    field = "";
    const rec = fields;
    fields = [];
    if (rec.length === 1 && rec[0] === "") return; // empty line
    if (header === null) {
      header = rec.map((h) => (h === "" ? "__index" : h));
      return;
    }
    if (rec.length !== header.length) {
      throw new SyntaxError(
        `Cannot read ${path}: a row has ${rec.length} fields, the header ${header.length}`,
      );
    }
    const out: CsvRecord = {};
    for (let i = 0; i < rec.length; i++) if (header[i] !== "__index") out[header[i]] = rec[i];
    onRecord(out);
  };
  const consume = (chunk: string) => {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (quotePending) {
        quotePending = false;
        if (c === 34) { // escaped quote
          field += '"';
          start = i + 1;
          continue;
        }
        inQuotes = false;
        start = i;
      }
      if (inQuotes) {
        if (c === 34) {
          field += chunk.slice(start, i);
          quotePending = true;
        }
        continue;
      }
      if (c === 34) {
        field += chunk.slice(start, i);
        inQuotes = true;
        start = i + 1;
      } else if (c === 44) {
        fields.push(field + chunk.slice(start, i));
        field = "";
        start = i + 1;
      } else if (c === 10) {
        let end = i;
        if (end > start && chunk.charCodeAt(end - 1) === 13) end--;
        field += chunk.slice(start, end);
        endRecord();
        start = i + 1;
      }
    }
    if (!quotePending) field += chunk.slice(start);
  };
  try {
    for await (const bytes of file.readable) consume(decoder.decode(bytes, { stream: true }));
    consume(decoder.decode());
  } catch (e) {
    try {
      file.close();
    } catch { /* already closed by the stream */ }
    throw e;
  }
  if (quotePending) {
    quotePending = false;
    inQuotes = false;
  }
  if (field !== "" || fields.length > 0) endRecord();
  return (header ?? [] as string[]).filter((h) => h !== "__index");
}
