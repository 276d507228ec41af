/**
 * Finalize of the `lr-search` stage: best-LR extraction per label (margin
 * 0.05, spec §5.2), the tables in the `lrs/first-release` format, the search
 * trace, the curves, `search.json`, and the report section.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../../io/files.ts";
import { type Evaluated, extractBest, mathTableCsv, nnTableCsv } from "../../lr_search/extract.ts";
import type { MathTableRow, NnTableRow } from "../../lr_search/extract.ts";
import type { CompletedUnit, FinalizeContext } from "../../pipeline/units.ts";
import { writeCsvAtomic } from "../../pipeline/csv.ts";
import { fcModelKey } from "../train/runs.ts";
import { tableApproach } from "../../nn/gradients/mode.ts";
import { gradientApproachCell, inTable, mathK, optimizerCell, type SearchLabel } from "./labels.ts";
import type { SearchTask } from "./labels.ts";
import { dec, type SearchUnit, UNIT_FILES } from "./units.ts";
import { tableKey, writeSearchSection } from "./section.ts";

/** Where each task's table goes inside the stage folder. */
export const SEARCHED_TABLES: Record<SearchTask, string> = {
  math: "lrs/math.csv",
  math_custom_tangents: "lrs/math__custom_tangents.csv",
  "fc-nn": "lrs/fc_nns.csv",
};

/** Columns of `trace.csv`. */
export const TRACE_COLUMNS = [
  "label",
  "task",
  "evaluation",
  "rank",
  "index",
  "origin",
  "lr_log10",
  "lr",
  "loss",
  "pruned",
  "steps",
] as const;

/** One label's outcome. */
export interface LabelOutcome {
  label: string;
  task: SearchTask;
  /** The chosen LR and its loss. */
  lr: number;
  loss: number;
  /** Every evaluation in (index, rank) order. */
  evaluations: {
    rank: number;
    index: number;
    lr: number;
    lrLog10: number;
    loss: number;
    pruned: boolean;
    origin: string;
    steps: number;
  }[];
}

/** The chosen LR of every label from the completed units (list order: label, index, rank). */
export function outcomes(
  units: readonly CompletedUnit<SearchUnit>[],
  margin: number,
): { target: SearchLabel; outcome: LabelOutcome }[] {
  const byLabel = new Map<string, CompletedUnit<SearchUnit>[]>();
  for (const c of units) {
    const l = c.unit.target.label;
    byLabel.set(l, [...(byLabel.get(l) ?? []), c]);
  }
  return [...byLabel.values()].map((cs) => {
    cs.sort((a, b) => a.unit.index - b.unit.index || a.unit.rank - b.unit.rank);
    const evaluations = cs.map((c) => ({
      rank: c.unit.rank,
      index: c.unit.index,
      lr: Number(c.facts.lr),
      lrLog10: Number(c.facts.lr_log10),
      loss: dec(c.facts.loss as number | string),
      pruned: c.facts.pruned === true,
      origin: String(c.facts.origin),
      steps: Number(c.facts.length),
    }));
    const best: Evaluated = extractBest(evaluations, margin);
    const target = cs[0].unit.target;
    return {
      target,
      outcome: {
        label: target.label,
        task: target.task,
        lr: best.lr,
        loss: best.loss,
        evaluations,
      },
    };
  });
}

/** The table rows of one task. */
export function tableCsv(
  task: SearchTask,
  chosen: readonly { target: SearchLabel; outcome: LabelOutcome }[],
): string {
  const mine = chosen.filter((c) => inTable(c.target, task));
  if (task === "fc-nn") {
    const rows: NnTableRow[] = mine.map(({ target: t, outcome: o }) => {
      if (t.task !== "fc-nn") throw new Error("unreachable");
      const bp = t.gradient.approach === "bp";
      return {
        model: fcModelKey(t.width),
        dataset: t.dataset,
        gradientApproach: tableApproach(t.gradient.approach),
        k: bp ? "" : `${t.gradient.k}.0`,
        lr: o.lr,
        loss: o.loss,
      };
    });
    return nnTableCsv(rows);
  }
  const rows: MathTableRow[] = mine.map(({ target: t, outcome: o }) => {
    if (t.task === "fc-nn") throw new Error("unreachable");
    return {
      function: t.functionName,
      n: t.n,
      gradientApproach: gradientApproachCell(t.approach),
      k: mathK(t, task),
      optimizer: optimizerCell(t.approach),
      lr: o.lr,
      loss: o.loss,
    };
  });
  return mathTableCsv(rows);
}

/** The table rows of a label: task → row key ({@link tableKey}). */
export function rowKeys(t: SearchLabel, tasks: readonly SearchTask[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const task of tasks.filter((x) => inTable(t, x))) {
    out[task] = t.task === "fc-nn"
      ? tableKey({
        model: fcModelKey(t.width),
        dataset: t.dataset,
        gradient_approach: tableApproach(t.gradient.approach),
        k: t.gradient.approach === "bp" ? "" : String(t.gradient.k),
      })
      : tableKey({
        function: t.functionName,
        n: String(t.n),
        optimizer: optimizerCell(t.approach),
      });
  }
  return out;
}

/** Folder of a label's curves: the label with `/` as `+`. */
export function curveDir(label: string): string {
  return `curves/${label.replaceAll("/", "+")}`;
}

/** The stage's finalize. */
export async function finalizeSearch<
  P extends { tasks: SearchTask[]; margin: number; ranks: number },
>(ctx: FinalizeContext<P, SearchUnit>): Promise<Record<string, unknown>> {
  const chosen = outcomes(ctx.units, ctx.params.margin);
  for (const task of ctx.params.tasks) {
    if (!chosen.some((c) => inTable(c.target, task))) continue;
    await writeFileAtomic(join(ctx.outDir, SEARCHED_TABLES[task]), tableCsv(task, chosen));
  }
  const rows: (string | number)[][] = [];
  for (const { outcome: o } of chosen) {
    for (const e of o.evaluations) {
      rows.push([
        o.label,
        o.task,
        e.index * ctx.params.ranks + e.rank,
        e.rank,
        e.index,
        e.origin,
        e.lrLog10,
        e.lr,
        e.loss,
        e.pruned ? "true" : "false",
        e.steps,
      ]);
    }
  }
  await writeCsvAtomic(join(ctx.outDir, "trace.csv"), TRACE_COLUMNS, rows);
  for (const c of ctx.units) {
    const name = `r=${c.unit.rank}_i=${String(c.unit.index).padStart(3, "0")}.csv`;
    await writeFileAtomic(
      join(ctx.outDir, curveDir(c.unit.target.label), name),
      await Deno.readFile(join(c.dir, UNIT_FILES.curve)),
    );
  }
  const labels = chosen.map(({ target, outcome: o }) => ({
    label: o.label,
    task: o.task,
    rows: rowKeys(target, ctx.params.tasks),
    lr: o.lr,
    loss: Number.isFinite(o.loss) ? o.loss : String(o.loss),
    evaluations: o.evaluations.length,
    pruned: o.evaluations.filter((e) => e.pruned).length,
    initial: o.evaluations.filter((e) => e.origin === "init").map((e) => e.lrLog10),
  }));
  await writeJsonAtomic(join(ctx.outDir, "search.json"), {
    format: 1,
    tables: Object.fromEntries(
      ctx.params.tasks.filter((t) => chosen.some((c) => inTable(c.target, t))).map((
        t,
      ) => [t, SEARCHED_TABLES[t]]),
    ),
    labels,
  });
  const section = await writeSearchSection(ctx.outDir, "section", ctx.outDir, ctx.rootDir);
  const reused = ctx.units.filter((c) => c.reused).length;
  ctx.log(
    `${chosen.length} labels, ${ctx.units.length} evaluations (${reused} adopted), ${
      rows.filter((r) => r[9] === "true").length
    } pruned`,
  );
  return {
    labels: chosen.length,
    evaluations: ctx.units.length,
    adopted: reused,
    pruned: rows.filter((r) => r[9] === "true").length,
    seconds: ctx.units.reduce((s, c) => s + Number(c.facts.seconds ?? 0), 0),
    section: section.status,
  };
}
