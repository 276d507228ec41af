/**
 * Running planned descent runs and turning them into the reference's rows
 * (spec §3.3 history columns, §3.6 summary and printed pivot table).
 *
 * @module
 */
import {
  approachConfig,
  type ApproachSpec,
  gradientLabel,
  OPTIMIZER_CONFIG_COLUMNS,
} from "./approaches.ts";
import { type DescentResult, gradientDescent } from "./descent.ts";
import { csvCell, pyFloat, sig3 } from "./format.ts";
import { createGradientOracle } from "./gradients.ts";
import { getFunction } from "./registry.ts";
import { startPosition } from "./starts.ts";

/** One planned run of the function experiments (the grids are planned by the functions stage). */
export interface PlannedRun {
  /** Registry name of the function. */
  functionName: string;
  /** Dimension. */
  n: number;
  /** Gradient approach. */
  approach: ApproachSpec;
  /** Step size from the LR table. */
  lr: number;
  /** Seed of the run (seeds the tangent generator). */
  seed: number;
  /** Maximum number of steps. */
  maxSteps: number;
  /** Early-stopping patience (0 = off). */
  patience: number;
}

/** Columns of `<function>__all.csv`, in order. FG-only config cells are empty for bp. */
export const HISTORY_COLUMNS: readonly string[] = [
  "y",
  "step_duration_s",
  "time_s",
  "step",
  "_steps",
  "_optimizer_step_size",
  "_optimizer_early_stopping_patience",
  ...OPTIMIZER_CONFIG_COLUMNS,
  "n",
  "_optimizer_label_short",
  "_optimizer_label_long",
  "_function",
];

/** Columns of `<function>__summary.csv` (spec §3.6). */
export const SUMMARY_COLUMNS: readonly string[] = [
  "function",
  "n",
  "optimizer",
  "seed",
  "best",
  "last",
  "lr",
];

/** One summary row (spec §3.6). */
export interface SummaryRow {
  /** Function name. */
  function: string;
  /** Dimension. */
  n: number;
  /** The label with ignore ['lr'], i.e. including scaling_correction. */
  optimizer: string;
  /** The run's seed. */
  seed: number;
  /** min_t y_t including y₀ (NaN ignored). */
  best: number;
  /** The final y. */
  last: number;
  /** The step size. */
  lr: number;
}

/** A finished run. */
export interface RunOutcome {
  /** What was run. */
  run: PlannedRun;
  /** The recorded history. */
  result: DescentResult;
  /** The summary row. */
  summary: SummaryRow;
}

/**
 * Runs one planned descent: the function's default start, the approach's
 * oracle seeded with the run's seed, the spec's loop.
 *
 * @example One bp run on the sphere
 * ```ts
 * import { executeRun } from "./experiment.ts";
 * import { BP } from "./approaches.ts";
 * const out = executeRun({
 *   functionName: "sphere", n: 4, approach: BP, lr: 0.1, seed: 0, maxSteps: 100, patience: 50,
 * });
 * out.summary.last; // ≈ 0
 * ```
 */
export function executeRun(run: PlannedRun): RunOutcome {
  const fn = getFunction(run.functionName);
  const oracle = createGradientOracle(fn, run.approach, run.seed, run.n);
  let result: DescentResult;
  try {
    result = gradientDescent(fn, oracle, {
      lr: run.lr,
      maxSteps: run.maxSteps,
      patience: run.patience,
      start: startPosition(fn.defaultStart, run.n),
    });
  } finally {
    oracle.dispose();
  }
  let best = Infinity;
  for (const v of result.y) if (v < best) best = v;
  if (best === Infinity && result.y.every(Number.isNaN)) best = NaN;
  return {
    run,
    result,
    summary: {
      function: fn.name,
      n: run.n,
      optimizer: gradientLabel(run.approach, ["lr"]),
      seed: run.seed,
      best,
      last: result.y[result.steps],
      lr: run.lr,
    },
  };
}

/** The history rows of one run as CSV lines (no header), in {@link HISTORY_COLUMNS} order. */
export function historyCsv(outcome: RunOutcome): string {
  const { run, result } = outcome;
  const config = approachConfig(run.approach, run.seed);
  const label = csvCell(gradientLabel(run.approach, ["lr"]));
  const configCells = [
    String(run.maxSteps),
    pyFloat(run.lr),
    String(run.patience),
    ...OPTIMIZER_CONFIG_COLUMNS.map((c) => csvCell(config[c] ?? "")),
    String(run.n),
    label,
    label,
    csvCell(run.functionName),
  ].join(",");
  const lines: string[] = new Array(result.steps + 1);
  let time = 0;
  for (let t = 0; t <= result.steps; t++) {
    time += result.stepDurationS[t];
    lines[t] = `${pyFloat(result.y[t])},${pyFloat(result.stepDurationS[t])},${
      pyFloat(time)
    },${t},${configCells}\n`;
  }
  return lines.join("");
}

/** One summary row as a CSV line, in {@link SUMMARY_COLUMNS} order. */
export function summaryCsv(row: SummaryRow): string {
  return [
    csvCell(row.function),
    String(row.n),
    csvCell(row.optimizer),
    String(row.seed),
    pyFloat(row.best),
    pyFloat(row.last),
    pyFloat(row.lr),
  ].join(",") + "\n";
}

/**
 * The printed table of spec §3.6: `last` averaged over seeds, one row per
 * (function, optimizer) sorted like pandas' pivot_table, one column per n.
 *
 * @example
 * ```ts
 * import { pivotLast } from "./experiment.ts";
 * console.log(pivotLast([
 *   { function: "sphere", n: 1, optimizer: "Backpropagation", seed: 0, best: 0, last: 0, lr: 0.1 },
 * ]));
 * ```
 */
export function pivotLast(rows: readonly SummaryRow[]): string {
  const ns = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  const groups = new Map<string, { fn: string; opt: string; sums: Map<number, number[]> }>();
  for (const r of rows) {
    const key = `${r.function}\u0000${r.optimizer}`;
    let g = groups.get(key);
    if (!g) groups.set(key, g = { fn: r.function, opt: r.optimizer, sums: new Map() });
    const list = g.sums.get(r.n) ?? [];
    list.push(r.last);
    g.sums.set(r.n, list);
  }
  const sorted = [...groups.values()].sort((a, b) =>
    a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : a.opt < b.opt ? -1 : a.opt > b.opt ? 1 : 0
  );
  const table: string[][] = [["function", "optimizer", ...ns.map(String)]];
  for (const g of sorted) {
    table.push([
      g.fn,
      g.opt,
      ...ns.map((n) => {
        const v = g.sums.get(n);
        if (!v) return "";
        const finite = v.filter((x) => !Number.isNaN(x));
        return finite.length === 0
          ? "nan"
          : sig3(finite.reduce((s, x) => s + x, 0) / finite.length);
      }),
    ]);
  }
  const widths = table[0].map((_, j) => Math.max(...table.map((row) => row[j].length)));
  return table.map((row) =>
    row.map((c, j) => (j < 2 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ")
  ).join("\n");
}
