/**
 * Function-optimisation section: reads the functions stage's
 * `math_experiments/<function>__summary.csv` and `__all.csv` (reference-spec
 * §3.3, §3.6) and the custom-tangents files, and builds the final-value tables
 * (like §7.3), the convergence curves and the custom-tangents table by angle.
 *
 * @module
 */
import { join } from "node:path";
import { streamCsv } from "./csv.ts";
import { num, readCsvIfExists, uniqueSorted } from "./records.ts";
import {
  type Approach,
  approachName,
  approachOrder,
  parseOptimizerLabel,
  samplerAngle,
} from "./approaches.ts";
import type { Cell, Table } from "./table.ts";
import type { SectionContent } from "./outputs.ts";
import { type FigurePoint, lineFigureSpec } from "./figure.ts";
import { approachStyles } from "./palette.ts";
import { mean, sampleStd } from "./stats.ts";
import { globalMinimum } from "./reference.ts";

/** One optimisation run (a row of a `__summary.csv`) plus its settings from the history. */
export interface FunctionRun {
  function: string;
  n: number;
  approach: Approach;
  seed: number;
  best: number;
  last: number;
  lr: number;
  /** Early-stopping patience, from `_optimizer_early_stopping_patience` (NaN when unknown). */
  patience: number;
  /** Step budget, from `_steps` (NaN when unknown). */
  maxSteps: number;
  /** Steps actually executed (NaN when unknown). */
  steps: number;
}

/** A convergence curve of one run: f after each step (index = step). */
export interface Curve {
  function: string;
  n: number;
  approach: Approach;
  seed: number;
  y: number[];
}

/** Everything read from the functions stage. */
export interface FunctionsData {
  runs: FunctionRun[];
  curves: Curve[];
  /** Custom-tangents runs (styblinski-tang with specific-angle tangents). */
  custom: FunctionRun[];
  /** bp runs under the authors' LR-search settings (`reference_bp/`; empty when not run). */
  referenceBp: FunctionRun[];
}

function runKey(fn: string, n: number, label: string, seed: number): string {
  return `${fn}|${n}|${label}|${seed}`;
}

interface HistoryFacts {
  patience: Map<string, number>;
  maxSteps: Map<string, number>;
  steps: Map<string, number>;
  curves: Map<string, Curve>;
}

async function readHistory(
  path: string,
  fn: string,
  keepCurve: (n: number) => boolean,
): Promise<HistoryFacts | null> {
  const facts: HistoryFacts = {
    patience: new Map(),
    maxSteps: new Map(),
    steps: new Map(),
    curves: new Map(),
  };
  try {
    await streamCsv(path, (r) => {
      const n = num(r, "n");
      const label = r._optimizer_label_long ?? r._optimizer_label_short ?? "";
      const seed = Number(r._optimizer_seed ?? "0");
      const key = runKey(r._function ?? fn, n, label, seed);
      const step = num(r, "step");
      if (!facts.patience.has(key)) {
        facts.patience.set(key, Number(r._optimizer_early_stopping_patience ?? NaN));
        facts.maxSteps.set(key, Number(r._steps ?? NaN));
      }
      facts.steps.set(key, Math.max(step, facts.steps.get(key) ?? 0));
      if (keepCurve(n)) {
        let c = facts.curves.get(key);
        if (!c) {
          c = { function: r._function ?? fn, n, approach: parseOptimizerLabel(label), seed, y: [] };
          facts.curves.set(key, c);
        }
        c.y[step] = num(r, "y");
      }
    });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  return facts;
}

/** The n values whose convergence curves are drawn: the largest and the one nearest √largest. */
export function curveNs(ns: number[]): number[] {
  if (ns.length === 0) return [];
  const largest = Math.max(...ns);
  const target = Math.sqrt(largest);
  const mid = ns.reduce((b, n) =>
    Math.abs(Math.log2(n / target)) < Math.abs(Math.log2(b / target)) ? n : b
  );
  return uniqueSorted([mid, largest]);
}

async function readGroup(
  dir: string,
  sub: string,
  fns?: string[],
): Promise<{ runs: FunctionRun[]; curves: Curve[] }> {
  const runs: FunctionRun[] = [];
  const curves: Curve[] = [];
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(join(dir, sub))].map((e) => e.name).filter((f) =>
      f.endsWith("__summary.csv")
    );
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  for (const file of names.sort()) {
    const fn = file.slice(0, -"__summary.csv".length);
    if (fns && !fns.includes(fn)) continue;
    const recs = (await readCsvIfExists(join(dir, sub, file))) ?? [];
    const ns = uniqueSorted(recs.map((r) => num(r, "n")));
    const keep = new Set(curveNs(ns));
    const hist = await readHistory(join(dir, sub, `${fn}__all.csv`), fn, (n) => keep.has(n));
    for (const r of recs) {
      const label = r.optimizer;
      const key = runKey(r.function ?? fn, num(r, "n"), label, num(r, "seed"));
      runs.push({
        function: r.function ?? fn,
        n: num(r, "n"),
        approach: parseOptimizerLabel(label),
        seed: num(r, "seed"),
        best: num(r, "best"),
        last: num(r, "last"),
        lr: num(r, "lr"),
        patience: hist?.patience.get(key) ?? NaN,
        maxSteps: hist?.maxSteps.get(key) ?? NaN,
        steps: hist?.steps.get(key) ?? NaN,
      });
    }
    if (hist) curves.push(...hist.curves.values());
  }
  return { runs, curves };
}

/**
 * Reads the functions stage folder.
 *
 * @returns The runs and selected curves, or null when it holds no summary rows.
 */
export async function readFunctions(dir: string): Promise<FunctionsData | null> {
  const main = await readGroup(dir, "math_experiments");
  const custom = await readGroup(dir, "custom_tangents");
  const referenceBp = await readGroup(dir, "reference_bp");
  if (main.runs.length === 0 && custom.runs.length === 0 && referenceBp.runs.length === 0) {
    return null;
  }
  return {
    runs: main.runs,
    curves: main.curves,
    custom: custom.runs,
    referenceBp: referenceBp.runs,
  };
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

function sortedApproaches(runs: FunctionRun[]): Approach[] {
  const byName = new Map<string, Approach>();
  for (const r of runs) byName.set(approachName(r.approach, true), r.approach);
  return [...byName.values()].sort((a, b) => approachOrder(a) - approachOrder(b));
}

function finalTable(
  runs: FunctionRun[],
  reduce: "mean" | "min",
  name: string,
  title: string,
): Table {
  const ns = uniqueSorted(runs.map((r) => r.n));
  const fns = [...new Set(runs.map((r) => r.function))];
  const rows: Cell[][] = [];
  for (const fn of fns) {
    const fr = runs.filter((r) => r.function === fn);
    for (const a of sortedApproaches(fr)) {
      const an = approachName(a, true);
      rows.push([
        fn,
        an,
        ...ns.map((n): Cell => {
          const vals = fr.filter((r) => r.n === n && approachName(r.approach, true) === an).map((
            r,
          ) => r.last);
          if (vals.length === 0) return null;
          return reduce === "mean" ? mean(vals) : Math.min(...vals);
        }),
      ]);
    }
  }
  const seeds = uniqueSorted(runs.map((r) => r.seed));
  return {
    name,
    title,
    digits: 3,
    numberFormat: "column",
    blockColumn: 0,
    keyColumns: 2,
    columns: [
      { header: "function", align: "l" },
      { header: "approach", align: "l" },
      ...ns.map((n) => ({ header: `n=${n}`, align: "r" as const })),
    ],
    rows,
    notes: [
      reduce === "mean"
        ? `Final f after gradient descent, mean over seeds {${seeds.join(", ")}}.`
        : `Final f after gradient descent, the best (smallest) over seeds {${seeds.join(", ")}}.`,
      "Numbers: one format per column and function (3 significant figures of the largest value, at least 2 of the smallest; exponent form where the values span too many decades). 0 is exactly zero.",
      "Global minima: sphere and rosenbrock 0, styblinski-tang −39.16617·n.",
    ],
  };
}

function customTable(runs: FunctionRun[]): Table {
  const angles = uniqueSorted(
    runs.map((r) => samplerAngle(r.approach.sampler)).filter((a): a is number => a !== undefined),
  );
  const groups = groupBy(runs, (r) => `${r.function}|${r.n}|${approachName(r.approach)}`);
  const rows: Cell[][] = [];
  const hasNormal = runs.some((r) => samplerAngle(r.approach.sampler) === undefined);
  const keys = [...groups.keys()].sort((a, b) => {
    const ra = groups.get(a)![0], rb = groups.get(b)![0];
    return ra.n - rb.n || approachOrder(ra.approach) - approachOrder(rb.approach);
  });
  for (const key of keys) {
    const g = groups.get(key)!;
    const { function: fn, n } = g[0];
    const normal = g.filter((r) => samplerAngle(r.approach.sampler) === undefined).map((r) =>
      r.last
    );
    rows.push([
      fn,
      n,
      approachName(g[0].approach),
      ...angles.map((ang): Cell => {
        const vals = g.filter((r) => samplerAngle(r.approach.sampler) === ang).map((r) => r.last);
        if (vals.length === 0) return null;
        return vals.length > 1 ? { mean: mean(vals), pm: sampleStd(vals) } : vals[0];
      }),
      ...(hasNormal
        ? [
          normal.length === 0
            ? null
            : normal.length > 1
            ? { mean: mean(normal), pm: sampleStd(normal) }
            : normal[0],
        ]
        : []),
    ]);
  }
  return {
    name: "custom_tangents_final",
    title: "Custom tangents: final f by angle between the tangents",
    digits: 5,
    numberFormat: "column",
    keyColumns: 3,
    columns: [
      { header: "function", align: "l" },
      { header: "n", align: "r" },
      { header: "approach", align: "l" },
      ...angles.map((a) => ({ header: `${a}°`, align: "r" as const })),
      ...(hasNormal ? [{ header: "normal tangents", align: "r" as const }] : []),
    ],
    rows,
    notes: [
      "Cells: final f, mean ± sample std over seeds (a single number for one seed), rounded to the std's second significant figure; ± 0: every seed gave the same value.",
      "Tangents: unit length, secondary tangents at the given angle to the first (specific_angle_A).",
    ],
  };
}

/** Mean curve over seeds; a run that stopped early holds its final value. */
export function meanCurve(curves: Curve[]): number[] {
  const len = Math.max(...curves.map((c) => c.y.length));
  const out: number[] = [];
  for (let s = 0; s < len; s++) {
    let sum = 0;
    for (const c of curves) {
      let i = Math.min(s, c.y.length - 1);
      while (i > 0 && c.y[i] === undefined) i--;
      sum += c.y[i];
    }
    out.push(sum / curves.length);
  }
  return out;
}

function curvePoints(curves: Curve[], maxPoints = 250): FigurePoint[] {
  const pts: FigurePoint[] = [];
  const groups = groupBy(curves, (c) => `${c.n}|${approachName(c.approach, true)}`);
  for (const g of groups.values()) {
    const m = meanCurve(g);
    const fStar = globalMinimum(g[0].function, g[0].n);
    const stride = Math.max(1, Math.ceil(m.length / maxPoints));
    for (let s = 0; s < m.length; s++) {
      if (s % stride !== 0 && s !== m.length - 1) continue;
      const gap = m[s] - fStar;
      if (!(gap > 0)) continue; // exact optimum: not drawable on a log axis
      pts.push({ x: s, y: gap, series: approachName(g[0].approach, true), panel: `n=${g[0].n}` });
    }
  }
  return pts;
}

/**
 * Builds the function-optimisation tables and figures.
 *
 * @param data Runs from {@link readFunctions}.
 */
export function functionsSection(data: FunctionsData): SectionContent {
  const tables: Table[] = [];
  const figures: SectionContent["figures"] = [];
  const notes: string[] = [];
  if (data.runs.length > 0) {
    tables.push(
      finalTable(
        data.runs,
        "mean",
        "functions_final_mean",
        "Final function value, mean over seeds",
      ),
    );
    tables.push(
      finalTable(data.runs, "min", "functions_final_best", "Final function value, best seed"),
    );
    const patience = uniqueSorted(data.runs.map((r) => r.patience).filter(Number.isFinite));
    const steps = uniqueSorted(data.runs.map((r) => r.maxSteps).filter(Number.isFinite));
    notes.push(
      `Functions: ${[...new Set(data.runs.map((r) => r.function))].join(", ")}; n ∈ {${
        uniqueSorted(data.runs.map((r) => r.n)).join(", ")
      }}; early-stopping patience ${patience.join("/") || "unknown"}; step budget ${
        steps.join("/") || "unknown"
      }.`,
    );
    for (const fn of [...new Set(data.curves.map((c) => c.function))]) {
      const cs = data.curves.filter((c) => c.function === fn);
      const order = sortedApproaches(data.runs.filter((r) => r.function === fn)).map((a) =>
        approachName(a, true)
      );
      figures.push({
        name: `convergence_${fn.replace(/[^A-Za-z0-9_-]/g, "_")}`,
        title: `Convergence on ${fn}`,
        spec: lineFigureSpec({
          title: `Gradient descent on ${fn}: distance to the optimum against step`,
          subtitle:
            "f(x) − f*, mean over seeds (a run that stopped early holds its final value); log axis, exact optima not drawn",
          xTitle: "step",
          yTitle: "f(x) − f*",
          seriesTitle: "approach",
          points: curvePoints(cs),
          seriesOrder: order,
          styles: approachStyles(order),
          yScale: "log",
          yFormat: "~e",
          markers: false,
          independentY: true,
          columns: 2,
        }),
      });
    }
  } else {
    notes.push("The closed-form function grid was not run in this profile.");
  }
  if (data.custom.length > 0) tables.push(customTable(data.custom));
  else notes.push("The custom-tangents variant was not run in this profile.");
  return { id: "functions", title: "Function optimisation", notes, tables, figures };
}
