/**
 * Writing the stages' CSV files with csv-stringify (a pipeline-only
 * dependency: the library that `mod.ts` exports never writes CSV).
 *
 * @module
 */
import { stringify } from "npm:csv-stringify@6.9.0/sync";
import { writeFileAtomic } from "../io/files.ts";

/**
 * Writes a CSV file (header line + rows, `\n` line ends, quoting only where
 * needed) atomically, following pandas' `to_csv` conventions: numbers in
 * JavaScript's shortest round-trip form, NaN as `NaN` (a computed value that
 * is undefined, never an empty cell), null and undefined ("not applicable") as an empty
 * cell, ±Infinity as `inf`/`-inf`, booleans as `True`/`False`. Pass strings
 * for exact control of a cell.
 *
 * @param path Destination file.
 * @param header Column names.
 * @param rows One array of cells per row, in header order.
 *
 * @example
 * ```ts
 * import { writeCsvAtomic } from "./csv.ts";
 * const dir = await Deno.makeTempDir();
 * await writeCsvAtomic(`${dir}/summary.csv`, ["n", "value"], [[1, 0.5], [2, 0.25]]);
 * ```
 */
export async function writeCsvAtomic(
  path: string,
  header: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  for (const [i, row] of rows.entries()) {
    if (row.length !== header.length) {
      throw new RangeError(
        `Cannot write CSV ${path}: row ${i} has ${row.length} cells, the header has ${header.length}`,
      );
    }
  }
  const text = stringify([header as unknown[], ...(rows as unknown[][])], {
    record_delimiter: "unix",
    cast: {
      number: (v: number) =>
        Number.isNaN(v) ? "NaN" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v),
      boolean: (v: boolean) => v ? "True" : "False",
    },
  });
  await writeFileAtomic(path, text);
}
