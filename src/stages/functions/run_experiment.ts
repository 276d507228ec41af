/**
 * Runs planned units of the function experiments and writes the reference's
 * files (spec §3.6): `<dir>/<function>__all.csv` and
 * `<dir>/<function>__summary.csv`, one unit (one function × one n) at a
 * time: {@link runUnit} writes a unit's two files atomically and
 * {@link assembleFunction} concatenates them into the final files.
 *
 * @module
 */
import { join } from "node:path";
import { parse } from "npm:csv-parse@7.0.3/sync";
import { TEMP_SUFFIX } from "../../io/files.ts";
import {
  executeRun,
  HISTORY_COLUMNS,
  SUMMARY_COLUMNS,
  summaryCsv,
  type SummaryRow,
} from "../../functions/experiment.ts";
import { historyCsv } from "../../functions/experiment.ts";
import type { PlannedUnit } from "./grid.ts";

let tmpCounter = 0;

/** A file written in chunks to a temporary name and renamed into place on close. */
class AtomicTextWriter {
  #file: Deno.FsFile;
  #tmp: string;
  #path: string;
  #buf: string[] = [];
  #len = 0;
  #enc = new TextEncoder();
  private constructor(path: string, tmp: string, file: Deno.FsFile) {
    this.#path = path;
    this.#tmp = tmp;
    this.#file = file;
  }
  static async open(path: string): Promise<AtomicTextWriter> {
    const dir = path.slice(0, path.lastIndexOf("/"));
    await Deno.mkdir(dir, { recursive: true });
    const name = path.slice(path.lastIndexOf("/") + 1);
    const tmp = join(dir, `.${name}.${Deno.pid}-${tmpCounter++}${TEMP_SUFFIX}`);
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    return new AtomicTextWriter(path, tmp, file);
  }
  async write(text: string): Promise<void> {
    this.#buf.push(text);
    this.#len += text.length;
    if (this.#len > 1 << 22) await this.flush();
  }
  async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush();
    let off = 0;
    while (off < bytes.length) off += await this.#file.write(bytes.subarray(off));
  }
  async flush(): Promise<void> {
    if (this.#buf.length === 0) return;
    const bytes = this.#enc.encode(this.#buf.join(""));
    this.#buf = [];
    this.#len = 0;
    let off = 0;
    while (off < bytes.length) off += await this.#file.write(bytes.subarray(off));
  }
  async close(): Promise<void> {
    await this.flush();
    this.#file.close();
    await Deno.rename(this.#tmp, this.#path);
  }
  async abort(): Promise<void> {
    try {
      this.#file.close();
    } catch { /* already closed */ }
    await Deno.remove(this.#tmp).catch(() => {});
  }
}

const headerLine = (cols: readonly string[]) => cols.join(",") + "\n";

/** Paths of one unit's part files. */
export function unitPaths(
  dir: string,
  functionName: string,
  n: number,
): { all: string; summary: string } {
  const base = join(dir, "parts", `${functionName}__n=${String(n).padStart(4, "0")}`);
  return { all: `${base}__all.csv`, summary: `${base}__summary.csv` };
}

/** Final file paths of one function: `<dir>/<function>__all.csv` and `__summary.csv`. */
export function functionPaths(dir: string, functionName: string): { all: string; summary: string } {
  return {
    all: join(dir, `${functionName}__all.csv`),
    summary: join(dir, `${functionName}__summary.csv`),
  };
}

/** Parses a summary CSV written by this module back into rows. */
export function parseSummaryCsv(text: string): SummaryRow[] {
  const records = parse(text, { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const num = (
    s: string,
  ) => (s === "nan" ? NaN : s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s));
  return records.map((r) => ({
    function: r.function,
    n: Number(r.n),
    optimizer: r.optimizer,
    seed: Number(r.seed),
    best: num(r.best),
    last: num(r.last),
    lr: num(r.lr),
  }));
}

/** Hooks for progress and logging. */
export interface RunHooks {
  /** Called after every finished run. */
  onRun?(summary: SummaryRow, steps: number, seconds: number): void;
}

/** The two files of one unit: its history rows and its summary rows. */
export interface UnitFiles {
  /** History CSV (header + one row per step of every run). */
  all: string;
  /** Summary CSV (header + one row per run). */
  summary: string;
}

/**
 * Runs one unit (all approaches × seeds for one function and n) and writes
 * its two files atomically; returns its summary rows. Resuming is the
 * caller's business (the functions stage commits each unit through
 * src/pipeline/units.ts).
 */
export async function runUnit(
  paths: UnitFiles,
  unit: PlannedUnit,
  hooks: RunHooks = {},
): Promise<SummaryRow[]> {
  const all = await AtomicTextWriter.open(paths.all);
  const summaries: SummaryRow[] = [];
  try {
    await all.write(headerLine(HISTORY_COLUMNS));
    for (const run of unit.runs) {
      const t0 = performance.now();
      const outcome = executeRun(run);
      summaries.push(outcome.summary);
      await all.write(historyCsv(outcome));
      hooks.onRun?.(outcome.summary, outcome.result.steps, (performance.now() - t0) / 1000);
    }
    await all.close();
  } catch (e) {
    await all.abort();
    throw e;
  }
  const sum = await AtomicTextWriter.open(paths.summary);
  await sum.write(headerLine(SUMMARY_COLUMNS) + summaries.map(summaryCsv).join(""));
  await sum.close();
  return summaries;
}

/** Streams a CSV file minus its header line into `out` (parts can be hundreds of MB). */
async function copyWithoutHeader(path: string, out: AtomicTextWriter): Promise<void> {
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(1 << 20);
  let headerDone = false;
  for (;;) {
    const got = await file.read(buf);
    if (got === null) break;
    let chunk = buf.subarray(0, got);
    if (!headerDone) {
      const nl = chunk.indexOf(10);
      if (nl < 0) continue; // still inside the header line
      chunk = chunk.subarray(nl + 1);
      headerDone = true;
    }
    await out.writeBytes(chunk);
  }
}

/**
 * Concatenates a function's unit files (in the given order) into its final
 * `__all.csv` and `__summary.csv` (the unit files are only read).
 */
export async function assembleFunction(
  final: UnitFiles,
  parts: readonly UnitFiles[],
): Promise<void> {
  for (const [key, header] of [["all", HISTORY_COLUMNS], ["summary", SUMMARY_COLUMNS]] as const) {
    const out = await AtomicTextWriter.open(final[key]);
    try {
      await out.write(headerLine(header));
      for (const p of parts) await copyWithoutHeader(p[key], out);
      await out.close();
    } catch (e) {
      await out.abort();
      throw e;
    }
  }
}

/**
 * Runs every unit of an experiment into `<dir>/parts/`, assembles the
 * per-function files in `dir` and removes the parts (no resuming: the
 * functions stage goes through src/pipeline/units.ts for that).
 *
 * @returns every summary row, in plan order
 */
export async function runExperiment(
  dir: string,
  units: readonly PlannedUnit[],
  hooks: RunHooks = {},
): Promise<SummaryRow[]> {
  const byFunction = new Map<string, PlannedUnit[]>();
  for (const u of units) {
    const list = byFunction.get(u.functionName) ?? [];
    list.push(u);
    byFunction.set(u.functionName, list);
  }
  const rows: SummaryRow[] = [];
  for (const [fn, list] of byFunction) {
    const parts = list.map((u) => unitPaths(dir, fn, u.n));
    for (const [i, u] of list.entries()) rows.push(...await runUnit(parts[i], u, hooks));
    await assembleFunction(functionPaths(dir, fn), parts);
  }
  await Deno.remove(join(dir, "parts"), { recursive: true }).catch(() => {});
  return rows;
}
