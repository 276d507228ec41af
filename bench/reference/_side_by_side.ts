/**
 * The side-by-side table of `interleaved.ts`: per row id and side (ours on wasm, ours on native,
 * the original), the median over rounds of each round's median, the ratio original / ours (above
 * 1: ours faster), and the load the rounds ran at. Pure functions over the scripts' JSON records
 * (`_bench_json.ts`), so that the table is tested without running anything.
 *
 * @module
 */
import { type BenchMeta, type BenchRow, median } from "./_bench_json.ts";

/** Who ran a measurement. */
export type Side = "wasm" | "native" | "torch";

/** Every side, in the table's column order. */
export const SIDES: readonly Side[] = ["wasm", "native", "torch"];

/** One script run's record as read back, tagged with its round, group and side. */
export interface RunRecord {
  round: number;
  group: string;
  side: Side;
  meta: BenchMeta;
  rows: BenchRow[];
}

/** A table line: what it shows and which row id (or peak memory of which group) it reads. */
export interface TableLine {
  label: string;
  /** A row id, or `peak-rss:<group>` for the peak memory of that group's process. */
  id: string;
  /** Higher is better (GFLOPS); the default is seconds, lower is better. */
  higherIsBetter?: boolean;
  /** Read this extra field of the row instead of `median_s` (e.g. `gflops`). */
  field?: string;
  /** Unit of the figure: seconds (default), MB or GFLOPS. */
  unit?: "s" | "MB" | "GFLOPS";
}

/** The figure of one side for one line: median over rounds, with the rounds' range. */
export interface Cell {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

/** The value one record gives for a line, or undefined when the record lacks it. */
export function valueOf(record: RunRecord, line: TableLine): number | undefined {
  if (line.id.startsWith("peak-rss:")) {
    return record.group === line.id.slice("peak-rss:".length) &&
        Number.isFinite(record.meta.peak_rss_mb)
      ? record.meta.peak_rss_mb
      : undefined;
  }
  const row = record.rows.find((r) => r.id === line.id);
  if (!row) return undefined;
  const v = line.field ? row[line.field] : row.median_s;
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** One side's cell for a line over all rounds, or undefined when no round measured it. */
export function cellOf(
  records: readonly RunRecord[],
  line: TableLine,
  side: Side,
): Cell | undefined {
  const values = records.filter((r) => r.side === side)
    .map((r) => valueOf(r, line))
    .filter((v): v is number => v !== undefined);
  if (values.length === 0) return undefined;
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    rounds: values.length,
  };
}

/**
 * The original's figure over ours: above 1 means ours is faster (or, for higher-is-better lines,
 * ours higher); undefined when either side is missing.
 */
export function ratio(line: TableLine, ours?: Cell, theirs?: Cell): number | undefined {
  if (!ours || !theirs || ours.median <= 0 || theirs.median <= 0) return undefined;
  return line.higherIsBetter ? ours.median / theirs.median : theirs.median / ours.median;
}

/** A figure in a readable unit: µs, ms or s for seconds; MB and GFLOPS as they are. */
export function formatValue(v: number, unit: TableLine["unit"] = "s"): string {
  if (unit === "MB") return `${v.toFixed(0)} MB`;
  if (unit === "GFLOPS") return `${v.toFixed(1)} GFLOPS`;
  if (v < 1e-3) return `${(v * 1e6).toFixed(v < 1e-4 ? 1 : 0)} µs`;
  if (v < 1) return `${(v * 1e3).toFixed(v < 1e-2 ? 2 : 1)} ms`;
  return `${v.toFixed(2)} s`;
}

function formatCell(cell: Cell | undefined, unit: TableLine["unit"]): string {
  if (!cell) return "—";
  const range = cell.rounds > 1 && cell.max > cell.min
    ? ` (${formatValue(cell.min, unit)}–${formatValue(cell.max, unit)})`
    : "";
  return formatValue(cell.median, unit) + range;
}

function formatRatio(r: number | undefined): string {
  if (r === undefined) return "—";
  const s = `${r.toFixed(2)}`;
  return r < 1 ? `**${s}**` : s;
}

/** The range of the 1-minute load over every record's start and end: "1.2–2.5". */
export function loadRange(records: readonly RunRecord[]): string {
  const loads = records.flatMap((r) => [r.meta.load_start[0], r.meta.load_end[0]])
    .filter((v) => Number.isFinite(v));
  if (loads.length === 0) return "unknown";
  return `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`;
}

/**
 * The Markdown table: one line per {@link TableLine} that some side measured, a column per side,
 * then original / ours per side of ours (bold below 1: ours slower).
 *
 * @example
 * ```ts
 * const line = { label: "FC bp step", id: "fc/bp" };
 * const meta = { tool: "t", load_start: [1, 1, 1], load_end: [1, 1, 1], started: "", peak_rss_mb: 1 };
 * const row = (s: number) => ({ id: "fc/bp", median_s: s, min_s: s, max_s: s, samples: [s] });
 * const md = sideBySideTable([line], [
 *   { round: 0, group: "fc", side: "wasm", meta, rows: [row(0.02)] },
 *   { round: 0, group: "fc", side: "torch", meta, rows: [row(0.01)] },
 * ]);
 * console.assert(md.includes("**0.50**"));
 * ```
 */
export function sideBySideTable(
  lines: readonly TableLine[],
  records: readonly RunRecord[],
): string {
  const out = [
    "| what | ours, wasm (default) | ours, native | original (PyTorch) | original / ours wasm | original / ours native |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const line of lines) {
    const [wasm, native, torch] = SIDES.map((s) => cellOf(records, line, s));
    if (!wasm && !native && !torch) continue;
    out.push(
      `| ${line.label} | ${formatCell(wasm, line.unit)} | ${formatCell(native, line.unit)} | ${
        formatCell(torch, line.unit)
      } | ${formatRatio(ratio(line, wasm, torch))} | ${formatRatio(ratio(line, native, torch))} |`,
    );
  }
  return out.join("\n");
}

/**
 * Rows of the legacy function-step JSON (`ours_functions.ts`, `torch_functions.py`: steps/s per
 * n and approach) as seconds-per-step rows with ids `functions/<function>/n<n>/<approach>`.
 */
export function functionRows(
  fn: string,
  rows: readonly { n: number; approach: string; steps_per_s: number[] }[],
): BenchRow[] {
  return rows.map((r) => {
    const samples = r.steps_per_s.map((s) => 1 / s);
    return {
      id: `functions/${fn}/n${r.n}/${r.approach.replaceAll(" ", "-")}`,
      median_s: median(samples),
      min_s: Math.min(...samples),
      max_s: Math.max(...samples),
      samples,
    };
  });
}
