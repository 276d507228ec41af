/**
 * The report section of the LR search: searched vs shipped LR per label (a
 * table and a scatter on log axes), the search trace of the first labels of
 * each task (loss against evaluation, pruned runs marked), and the searched
 * tables themselves. Built from an `lr-search` result folder and the
 * repository's shipped tables (`lrs/*.csv`); written by the stage itself
 * (`section/`) and by the tables stage when the search is one of its inputs.
 *
 * @module
 */
import { join } from "node:path";
import { parseCsvTable } from "../../lrs/table.ts";
import { type SectionContent, type SectionEntry, writeSection } from "../../report/outputs.ts";
import type { Table } from "../../report/table.ts";
import type { VegaLiteSpec } from "../../report/figure.ts";
import { FIGURE_FONTS } from "../../report/figure.ts";

/** Labels per task drawn in the trace figure. */
export const TRACE_LABELS = 12;

/** One row of `trace.csv`, parsed. */
export interface TraceRow {
  label: string;
  task: string;
  evaluation: number;
  lr: number;
  loss: number;
  pruned: boolean;
  origin: string;
}

/** One label compared with the shipped tables. */
export interface Comparison {
  label: string;
  task: string;
  searched: number;
  /** The shipped LR, or null when the shipped tables have no such row. */
  shipped: number | null;
  loss: number;
  /** |log10 searched − log10 shipped|. */
  dlog10: number | null;
}

const num = (s: string) => (s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s));

/** Reads a searched or shipped table into key → LR (key as in {@link tableKey}). */
export function readLrTable(
  text: string,
  source: string,
): Map<string, { lr: number; loss: number }> {
  const rows = parseCsvTable(text, source, ["lr"]);
  const out = new Map<string, { lr: number; loss: number }>();
  for (const { values: v } of rows) {
    out.set(tableKey(v), { lr: Number(v.lr), loss: v.loss === undefined ? NaN : num(v.loss) });
  }
  return out;
}

/** The identity of a table row: (function, n, optimizer) or (model, dataset, approach, k). */
export function tableKey(v: Readonly<Record<string, string>>): string {
  if (v.function !== undefined) return `${v.function}|${Number(v.n)}|${v.optimizer}`;
  const k = v.k === "" || v.k === undefined ? "" : String(Number(v.k));
  return `${v.model}|${v.dataset}|${v.gradient_approach}|${k}`;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

/** Compares every searched row with the shipped row of the same key. */
export async function compareWithShipped(
  searchDir: string,
  rootDir: string,
): Promise<Comparison[]> {
  const meta = JSON.parse(await Deno.readTextFile(join(searchDir, "search.json")));
  const out: Comparison[] = [];
  for (const [task, rel] of Object.entries(meta.tables as Record<string, string>)) {
    const searched = readLrTable(await Deno.readTextFile(join(searchDir, rel)), rel);
    const shippedText = await readText(join(rootDir, rel));
    const shipped = shippedText === null ? new Map() : readLrTable(shippedText, rel);
    const labels = (meta.labels as { label: string; rows: Record<string, string> }[]).filter((
      l,
    ) => l.rows[task] !== undefined);
    for (const l of labels) {
      const key = l.rows[task];
      const s = searched.get(key);
      if (!s) throw new Error(`${rel} has no row for ${l.label}`);
      const ref = shipped.get(key);
      out.push({
        label: l.label,
        task,
        searched: s.lr,
        shipped: ref ? ref.lr : null,
        loss: s.loss,
        dlog10: ref ? Math.abs(Math.log10(s.lr) - Math.log10(ref.lr)) : null,
      });
    }
  }
  return out;
}

/** Parses `trace.csv`. */
export function parseTrace(text: string): TraceRow[] {
  return parseCsvTable(text, "trace.csv", ["label", "loss"]).map(({ values: v }) => ({
    label: v.label,
    task: v.task,
    evaluation: Number(v.evaluation),
    lr: Number(v.lr),
    loss: num(v.loss),
    pruned: v.pruned === "True" || v.pruned === "true",
    origin: v.origin,
  }));
}

/** The scatter of searched against shipped LRs (log axes, one colour per task). */
export function scatterSpec(rows: readonly Comparison[]): VegaLiteSpec {
  const values = rows.filter((r) => r.shipped !== null).map((r) => ({
    shipped: r.shipped,
    searched: r.searched,
    task: r.task,
    label: r.label,
  }));
  const lo = 1e-6, hi = 1;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: "Searched vs shipped learning rate", fontSize: FIGURE_FONTS.title },
    width: 360,
    height: 360,
    layer: [
      {
        data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] },
        mark: { type: "line", strokeDash: [4, 4], color: "#888" },
        encoding: {
          x: { field: "x", type: "quantitative", scale: { type: "log", domain: [lo, hi] } },
          y: { field: "y", type: "quantitative", scale: { type: "log", domain: [lo, hi] } },
        },
      },
      {
        data: { values },
        mark: { type: "point", filled: true, size: 30, opacity: 0.7 },
        encoding: {
          x: {
            field: "shipped",
            type: "quantitative",
            title: "shipped LR (lrs/*.csv)",
            scale: { type: "log", domain: [lo, hi] },
            axis: { format: "~e" },
          },
          y: {
            field: "searched",
            type: "quantitative",
            title: "searched LR",
            scale: { type: "log", domain: [lo, hi] },
            axis: { format: "~e" },
          },
          color: { field: "task", type: "nominal", title: "task" },
        },
      },
    ],
  };
}

/** The trace of the given labels: loss against evaluation, pruned runs as crosses. */
export function traceSpec(rows: readonly TraceRow[]): VegaLiteSpec {
  const values = rows.filter((r) => Number.isFinite(r.loss)).map((r) => ({
    evaluation: r.evaluation,
    loss: r.loss,
    label: r.label,
    run: r.pruned ? "pruned" : r.origin === "init" ? "initial" : "bred",
  }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: "LR-search trace (final loss per evaluation)", fontSize: FIGURE_FONTS.title },
    data: { values },
    facet: { field: "label", type: "nominal", title: null, sort: null },
    columns: 3,
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 200,
      height: 120,
      mark: { type: "point", size: 25 },
      encoding: {
        x: { field: "evaluation", type: "quantitative", title: "evaluation" },
        y: { field: "loss", type: "quantitative", title: "final loss", scale: { type: "symlog" } },
        shape: {
          field: "run",
          type: "nominal",
          title: "run",
          scale: { domain: ["initial", "bred", "pruned"], range: ["circle", "square", "cross"] },
        },
        color: {
          field: "run",
          type: "nominal",
          scale: {
            domain: ["initial", "bred", "pruned"],
            range: ["#0072B2", "#009E73", "#D55E00"],
          },
        },
      },
    },
  };
}

/** Builds the section from an lr-search result folder. */
export async function searchSection(searchDir: string, rootDir: string): Promise<SectionContent> {
  const comparisons = await compareWithShipped(searchDir, rootDir);
  const trace = parseTrace(await Deno.readTextFile(join(searchDir, "trace.csv")));
  const comparison: Table = {
    name: "lr_search_vs_shipped",
    title: "Searched vs shipped learning rates (extraction margin 0.05)",
    columns: [
      { header: "label", align: "l" },
      { header: "task", align: "l" },
      { header: "searched lr", align: "r" },
      { header: "shipped lr", align: "r" },
      { header: "|Δlog10 lr|", align: "r" },
      { header: "loss at searched lr", align: "r" },
    ],
    rows: comparisons.map((c) => [
      c.label,
      c.task,
      c.searched,
      c.shipped,
      c.dlog10,
      Number.isFinite(c.loss) ? c.loss : String(c.loss),
    ]),
    notes: [
      "shipped: the repository's lrs/*.csv (the authors' 100-evaluation search); searched: this run's search.",
    ],
    digits: 4,
  };
  const picked: TraceRow[] = [];
  for (const task of new Set(trace.map((t) => t.task))) {
    const labels = [...new Set(trace.filter((t) => t.task === task).map((t) => t.label))].slice(
      0,
      TRACE_LABELS,
    );
    picked.push(...trace.filter((t) => labels.includes(t.label)));
  }
  const pruned = trace.filter((t) => t.pruned).length;
  return {
    id: "lr_search",
    title: "Learning-rate search",
    notes: [
      `${
        new Set(trace.map((t) => t.label)).size
      } labels, ${trace.length} evaluations, ${pruned} pruned.`,
      `The trace figure shows the first ${TRACE_LABELS} labels of each task; trace.csv has every evaluation.`,
    ],
    tables: [comparison],
    figures: [
      {
        name: "lr_search_scatter",
        title: "Searched vs shipped LR",
        spec: scatterSpec(comparisons),
      },
      { name: "lr_search_trace", title: "Search trace", spec: traceSpec(picked) },
    ],
  };
}

/** Writes the section under `dir/<id>/` (the tables stage and the search stage both call it). */
export async function writeSearchSection(
  dir: string,
  id: string,
  searchDir: string | undefined,
  rootDir: string,
): Promise<SectionEntry> {
  const content = searchDir ? await searchSection(searchDir, rootDir) : null;
  if (content) content.id = id;
  return await writeSection(
    dir,
    id,
    "Learning-rate search",
    content,
    "the LR search was not run (functions and train used the authors' tables: --lrs authors)",
  );
}
