/**
 * The units of the `lr-search` stage: one unit per evaluation (label, rank,
 * index), in wave = index. A unit replays its label's proposer from the
 * finished units of earlier indices (all ranks; read through
 * `ctx.completed`, so a changed earlier unit invalidates it), evaluates its
 * proposal against the pruning baseline of those same units, and writes
 * `result.json` and `curve.csv` (one loss per yielded step or epoch).
 * Every unit of one index is independent of the others of that index.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../../io/files.ts";
import { LabelProposer, type UnitResult } from "../../lr_search/search.ts";
import { evaluateUnit, type Objective } from "../../lr_search/search.ts";
import { functionObjective } from "../../lr_search/function_objective.ts";
import { PAPER_PROPAGATOR } from "../../lr_search/propagator.ts";
import { pruningConfig } from "../../lr_search/pruning.ts";
import type { UnitContext, UnitSpec } from "../../pipeline/units.ts";
import type { TrainingData } from "../../nn/data_source.ts";
import { type FcBudget, fcValidationCurve } from "./fc_objective.ts";
import type { SearchLabel } from "./labels.ts";

/** One evaluation of the search. */
export interface SearchUnit extends UnitSpec {
  /** The label searched. */
  target: SearchLabel;
  rank: number;
  index: number;
  /** Evaluations per rank of this label. */
  perRank: number;
}

/** The part of the stage's parameters a unit depends on. */
export interface UnitSettings {
  ranks: number;
  fc: FcBudget;
}

/** File names inside a unit's folder. */
export const UNIT_FILES = { result: "result.json", curve: "curve.csv" } as const;

/** The unit id of (label, rank, index): `<label>/r=<rank>/i=<index, 3 digits>`. */
export function unitId(label: string, rank: number, index: number): string {
  return `${label}/r=${rank}/i=${String(index).padStart(3, "0")}`;
}

/** A unit's result as stored in `result.json` (non-finite losses as strings). */
export interface StoredResult {
  label: string;
  rank: number;
  index: number;
  lr_log10: number;
  lr: number;
  loss: number | string;
  /** Last value of the curve (the baseline rule's final loss), null for an empty curve. */
  final: number | string | null;
  pruned: boolean;
  /** Yielded losses (steps or epochs). */
  length: number;
  /** How the proposal was made: init or bred. */
  origin: string;
}

const enc = (x: number): number | string => (Number.isFinite(x) ? x : String(x));
/** Decodes a stored number (a string for ±∞ and NaN). */
export const dec = (x: number | string): number => (typeof x === "number" ? x : Number(x));

/** The curve file: `step,loss` with every loss as its shortest round-trip decimal. */
export function curveCsv(curve: readonly number[]): string {
  return "step,loss\n" + curve.map((v, i) => `${i + 1},${String(v)}`).join("\n") +
    (curve.length > 0 ? "\n" : "");
}

/** Parses {@link curveCsv} exactly. */
export function parseCurveCsv(text: string): number[] {
  return text.split("\n").slice(1).filter((l) => l !== "").map((l) => Number(l.split(",")[1]));
}

/** What a unit computation needs beyond its context: the objective of its label. */
export type ObjectiveFor = (unit: SearchUnit, tick: () => void) => Objective;

/** The objective of a label: function descent, or FC training on `data`. */
export function objectiveFor(
  unit: SearchUnit,
  settings: UnitSettings,
  data: TrainingData | undefined,
  tick: () => void,
): { objective: Objective; pruning: ReturnType<typeof pruningConfig> } {
  const t = unit.target;
  if (t.task === "fc-nn") {
    if (!data) throw new Error(`Cannot evaluate ${t.label}: the data stage's output is missing`);
    return {
      objective: (lr) => fcValidationCurve(t, lr, data, settings.fc, tick),
      pruning: pruningConfig(settings.fc.epochs),
    };
  }
  const f = functionObjective(t.functionName, t.n, t.approach, t.maxSteps);
  return { objective: f.objective, pruning: f.pruning };
}

/**
 * Replays the proposer of `unit`'s label from the finished units of earlier
 * indices and returns its planned unit (proposal and baseline curve).
 *
 * @param read reads the stored result of (rank, index), marking it as read
 * @param readCurve reads the curve of (rank, index)
 */
export async function replay(
  unit: SearchUnit,
  settings: UnitSettings,
  read: (rank: number, index: number) => Promise<StoredResult>,
  readCurve: (rank: number, index: number) => Promise<number[]>,
) {
  const proposer = new LabelProposer(unit.target.label, {
    ranks: settings.ranks,
    perRank: unit.perRank,
    propagator: PAPER_PROPAGATOR,
  });
  const earlier: StoredResult[] = [];
  for (let i = 0; i < unit.index; i++) {
    const planned = proposer.plan();
    const results: UnitResult[] = [];
    for (let r = 0; r < settings.ranks; r++) {
      const s = await read(r, i);
      if (s.lr !== planned[r].lr) {
        throw new Error(
          `Cannot replay ${unit.target.label}: unit r=${r} i=${i} has lr ${s.lr}, the proposer gives ${
            planned[r].lr
          }`,
        );
      }
      earlier.push(s);
      // the proposer only needs the LR and the loss; the baseline is chosen below
      results.push({
        label: s.label,
        rank: r,
        index: i,
        lrLog10: s.lr_log10,
        lr: s.lr,
        curve: [],
        loss: dec(s.loss),
        pruned: s.pruned,
      });
    }
    proposer.record(results);
  }
  const mine = proposer.plan()[unit.rank];
  // the baseline: the first finished curve, replaced by one with a strictly smaller final loss
  let best: StoredResult | undefined;
  for (const s of earlier) {
    if (s.final === null) continue;
    if (best === undefined || dec(s.final) < dec(best.final!)) best = s;
  }
  const baseline = best ? await readCurve(best.rank, best.index) : undefined;
  return { ...mine, baseline };
}

/** Computes one unit into `ctx.dir`; returns its facts. */
export async function computeSearchUnit<P extends UnitSettings>(
  unit: SearchUnit,
  ctx: UnitContext<P, TrainingData | undefined>,
): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const label = unit.target.label;
  const dirOf = (r: number, i: number) => ctx.completed(unitId(label, r, i));
  const planned = await replay(
    unit,
    ctx.params,
    async (r, i) => JSON.parse(await Deno.readTextFile(join(dirOf(r, i), UNIT_FILES.result))),
    async (r, i) => parseCurveCsv(await Deno.readTextFile(join(dirOf(r, i), UNIT_FILES.curve))),
  );
  const { objective, pruning } = objectiveFor(unit, ctx.params, ctx.state, () => ctx.tick());
  const result = await evaluateUnit(planned, objective, pruning);
  const stored: StoredResult = {
    label,
    rank: unit.rank,
    index: unit.index,
    lr_log10: result.lrLog10,
    lr: result.lr,
    loss: enc(result.loss),
    final: result.curve.length > 0 ? enc(result.curve[result.curve.length - 1]) : null,
    pruned: result.pruned,
    length: result.curve.length,
    origin: planned.proposal.origin,
  };
  await writeFileAtomic(join(ctx.dir, UNIT_FILES.curve), curveCsv(result.curve));
  await writeJsonAtomic(join(ctx.dir, UNIT_FILES.result), stored);
  return { ...stored, seconds: (performance.now() - t0) / 1000 };
}
