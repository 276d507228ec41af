/**
 * Atomic file writes for stages: each file appears under its final name only
 * when complete, so a killed run never leaves a truncated file that looks
 * finished. Temporary files carry the {@link TEMP_SUFFIX}; the runner deletes
 * stale ones before resuming a stage and never hashes them.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { stringify } from "npm:csv-stringify@6.9.0/sync";

/** Suffix of the temporary files written by {@link writeFileAtomic}. */
export const TEMP_SUFFIX = ".fgtmp";

let counter = 0;

/**
 * Writes `data` to `path` atomically: into a temporary file beside it, then a
 * rename. Creates missing parent folders.
 *
 * @param path Destination file.
 * @param data Text (written as UTF-8) or bytes.
 *
 * @example Write a unit's result inside a stage
 * ```ts
 * import { writeFileAtomic } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/unit_0.txt`, "done\n");
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${Deno.pid}-${counter++}${TEMP_SUFFIX}`);
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/**
 * Writes a value as pretty JSON (2-space indent, final newline), atomically.
 *
 * @example
 * ```ts
 * import { writeJsonAtomic } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * await writeJsonAtomic(`${dir}/meta.json`, { n: 4 });
 * ```
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Writes a CSV file (header line + rows, `\n` line ends, quoting only where
 * needed) atomically, following pandas' `to_csv` conventions: numbers in
 * JavaScript's shortest round-trip form, NaN, null and undefined as an empty
 * cell, ±Infinity as `inf`/`-inf`, booleans as `True`/`False`. Pass strings
 * for exact control of a cell.
 *
 * @param path Destination file.
 * @param header Column names.
 * @param rows One array of cells per row, in header order.
 *
 * @example
 * ```ts
 * import { writeCsvAtomic } from "./files.ts";
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
        Number.isNaN(v) ? "" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v),
      boolean: (v: boolean) => v ? "True" : "False",
    },
  });
  await writeFileAtomic(path, text);
}

/** Whether `path` exists and is a regular file (e.g. a completed unit of work). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Whether `path` exists (file, folder or link). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Deletes every leftover temporary file (name ending in {@link TEMP_SUFFIX})
 * under `dir`, recursively.
 *
 * @returns How many files were removed.
 */
export async function removeTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for await (const entry of Deno.readDir(dir)) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory) removed += await removeTempFiles(abs);
    else if (entry.name.endsWith(TEMP_SUFFIX)) {
      await Deno.remove(abs);
      removed++;
    }
  }
  return removed;
}
