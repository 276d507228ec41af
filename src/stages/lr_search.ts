/**
 * Stage `lr-search`: the paper's evolutionary learning-rate search (spec
 * §5), deterministic and resumable, with nothing but Deno. Per label,
 * `ranks × perRank` evaluations (4 × 25 in the paper) of propulate's default
 * propagator over log10(lr) ∈ [−6, 0], rank r drawing from Python's
 * `random.Random(r)` (a bit-exact port), with the final-loss-aware pruning
 * surrogate; then best-LR extraction with margin 0.05 into tables in the
 * format of `lrs/first-release/*.csv` (loss column included).
 *
 * Every evaluation (label, rank, index) is a unit in wave = index
 * (src/pipeline/units.ts): rank r's i-th proposal sees every evaluation with
 * index < i of all ranks (its own earlier ones included), for breeding and
 * for the pruning baseline; the one intended difference from propulate,
 * whose asynchronous ranks see whatever has arrived. A killed run adopts its
 * finished units and replays the proposer from them.
 *
 * Tasks: `math` and `math_custom_tangents` (function descent, seed 0,
 * patience 100) and `fc-nn` (FC on MNIST, plain SGD, node/sim, seed 0).
 * `sota-nn` (ResNet18/ViT) is not searched yet: those models are being
 * integrated in the train stage.
 *
 * Outputs: `lrs/math.csv`, `lrs/math__custom_tangents.csv`, `lrs/fc_nns.csv`
 * (the searched tables, one per task searched), `trace.csv` (every
 * evaluation), `curves/<label>/r=<rank>_i=<index>.csv` (its yielded losses),
 * `search.json` (settings and the chosen LR per label), and the report
 * section `section/` (tables and figures, see src/stages/lr_search/section.ts).
 *
 * @module
 */
import { listOf, numberIn, oneOf, positiveInt, UsageError } from "../cli/args.ts";
import { getFunction, PAPER_FUNCTIONS } from "../functions/registry.ts";
import type { Profile, Stage } from "../pipeline/stage.ts";
import { type StageUnits, unitRun } from "../pipeline/units.ts";
import { loadTrainingData, PAPER_APPROACHES } from "./train.ts";
import { withComputeBackend } from "./functions.ts";
import {
  type CustomGrid,
  customLabels,
  type FcApproach,
  type FcGrid,
  fcLabels,
  type MathGrid,
  mathLabels,
  mergeLabels,
  SEARCH_TASKS,
  type SearchLabel,
  type SearchTask,
} from "./lr_search/labels.ts";
import type { FcBudget } from "./lr_search/fc_objective.ts";
import { computeSearchUnit, type SearchUnit, unitId } from "./lr_search/units.ts";
import { finalizeSearch } from "./lr_search/finalize.ts";
import type { TrainingData } from "../nn/data_source.ts";

/** Parameters of the `lr-search` stage. */
export interface LrSearchParams {
  /** Tasks searched. */
  tasks: SearchTask[];
  /** The math grid (8 approaches per function and n). */
  math: MathGrid;
  /** The custom-tangents grid. */
  custom: CustomGrid;
  /** The FC grid and the size of one FC evaluation. */
  fc: FcGrid & FcBudget;
  /** Ranks (4 in the paper); rank r draws from `random.Random(r)`. */
  ranks: number;
  /** Evaluations per label and task (100 in the paper), a multiple of `ranks`. */
  evaluations: Record<SearchTask, number>;
  /** Extraction margin (0.05). */
  margin: number;
}

const PAPER_FC_APPROACHES: FcApproach[] = [...PAPER_APPROACHES];
const pow2 = (m: number) => Array.from({ length: m }, (_, i) => 2 ** i);
const FC_BATCHES = { batchSize: 64, evalBatchSize: 1024 };

/**
 * Default parameters per profile. `smoke` and `quick` cover the labels the
 * `functions` and `train` stages of the same profile look up, so that
 * `--lrs searched` works in every profile.
 */
export function lrSearchParams(profile: Profile): LrSearchParams {
  const common = { ranks: 4, margin: 0.05 };
  switch (profile) {
    case "smoke":
      return {
        ...common,
        tasks: ["math", "math_custom_tangents", "fc-nn"],
        math: { functions: [...PAPER_FUNCTIONS], ns: pow2(5), ks: [2, 4, 16], maxSteps: 100 },
        custom: { ns: [64], ks: [16], angles: [45, 90], maxSteps: 100 },
        fc: {
          widths: [256],
          dataset: "mnist",
          approaches: [{ approach: "bp", k: null }, { approach: "fg", k: 4 }, {
            approach: "frog",
            k: 4,
          }],
          epochs: 2,
          maxBatchesPerEpoch: 10,
          evalLimit: 500,
          ...FC_BATCHES,
        },
        evaluations: { math: 8, math_custom_tangents: 8, "fc-nn": 8 },
      };
    case "quick":
      return {
        ...common,
        tasks: ["math", "math_custom_tangents", "fc-nn"],
        // sphere and styblinski-tang keep their 1000 steps; rosenbrock is capped from 25000
        math: { functions: [...PAPER_FUNCTIONS], ns: pow2(9), ks: [2, 4, 16], maxSteps: 1000 },
        custom: { ns: [64], ks: [16, 64], angles: [15, 30, 45, 60, 75, 90], maxSteps: null },
        fc: {
          widths: [256],
          dataset: "mnist",
          approaches: PAPER_FC_APPROACHES,
          epochs: 3,
          maxBatchesPerEpoch: 50,
          evalLimit: 1000,
          ...FC_BATCHES,
        },
        evaluations: { math: 24, math_custom_tangents: 24, "fc-nn": 16 },
      };
    case "paper":
      return {
        ...common,
        tasks: ["math", "math_custom_tangents", "fc-nn"],
        math: { functions: [...PAPER_FUNCTIONS], ns: pow2(11), ks: [2, 4, 16], maxSteps: null },
        custom: { ns: [64], ks: [16, 64], angles: [15, 30, 45, 60, 75, 90], maxSteps: null },
        fc: {
          widths: [256, 1024, 4096],
          dataset: "mnist",
          approaches: PAPER_FC_APPROACHES,
          epochs: 200,
          maxBatchesPerEpoch: null,
          evalLimit: null,
          ...FC_BATCHES,
        },
        evaluations: { math: 100, math_custom_tangents: 100, "fc-nn": 100 },
      };
  }
}

/**
 * Every label of these parameters, in table order; a label of two tasks
 * (frog k=16 at n = 64: math and custom tangents) is searched once.
 */
export function searchLabels(p: LrSearchParams): SearchLabel[] {
  return mergeLabels([
    p.tasks.includes("math") ? mathLabels(p.math) : [],
    p.tasks.includes("math_custom_tangents") ? customLabels(p.custom) : [],
    p.tasks.includes("fc-nn") ? fcLabels(p.fc) : [],
  ]);
}

/** The units: per label, per index, per rank (wave = index). */
export function listSearchUnits(p: LrSearchParams): SearchUnit[] {
  const units: SearchUnit[] = [];
  for (const target of searchLabels(p)) {
    const perRank = p.evaluations[target.task] / p.ranks;
    for (let index = 0; index < perRank; index++) {
      for (let rank = 0; rank < p.ranks; rank++) {
        units.push({
          id: unitId(target.label, rank, index),
          target,
          rank,
          index,
          perRank,
          wave: index,
          weight: target.task === "fc-nn" ? p.fc.epochs : 1,
          fingerprint: {
            v: 1,
            target,
            rank,
            index,
            perRank,
            ranks: p.ranks,
            ...(target.task === "fc-nn" ? { fc: p.fc } : {}),
          },
        });
      }
    }
  }
  return units;
}

/** List, compute and finalize of the lr-search stage. */
export const lrSearchUnits: StageUnits<LrSearchParams, SearchUnit, TrainingData | undefined> = {
  label: "evaluations",
  list: listSearchUnits,
  async setup(ctx) {
    if (!ctx.params.tasks.includes("fc-nn")) return undefined;
    const input = ctx.inputs.data;
    if (!input) throw new Error("Cannot search FC LRs: the data stage's output is missing");
    return await loadTrainingData(input.dir, ctx.params.fc.dataset);
  },
  async compute(u, ctx) {
    if (u.target.task === "fc-nn") return await computeSearchUnit(u, ctx);
    const { result } = await withComputeBackend(ctx.backend.name, () => computeSearchUnit(u, ctx));
    return result;
  },
  finalize: finalizeSearch,
};

type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;
const str = (v: FlagValues[string]) => v as string | string[];
const one = (v: FlagValues[string]) => (Array.isArray(v) ? v[v.length - 1] : v) as string;

/** Applies the stage's flags (throws UsageError on bad input). */
export function applyLrSearchFlags(values: FlagValues, base: LrSearchParams): LrSearchParams {
  const p: LrSearchParams = structuredClone(base);
  if (values.task !== undefined) {
    p.tasks = listOf("task", str(values.task), (s) => {
      if (s === "sota-nn") {
        throw new UsageError(
          "--task sota-nn is not available yet (ResNet18/ViT are being integrated); use math, math_custom_tangents or fc-nn",
        );
      }
      return oneOf("task", s, SEARCH_TASKS);
    });
  }
  if (values.function !== undefined) {
    p.math.functions = listOf("function", str(values.function), (name) => {
      try {
        return getFunction(name).name;
      } catch (e) {
        throw new UsageError(`--function: ${(e as Error).message}`);
      }
    });
  }
  if (values.n !== undefined) p.math.ns = listOf("n", str(values.n), (s) => positiveInt("n", s));
  if (values.k !== undefined) p.math.ks = listOf("k", str(values.k), (s) => positiveInt("k", s));
  if (values["max-steps"] !== undefined) {
    p.math.maxSteps = positiveInt("max-steps", one(values["max-steps"]));
    p.custom.maxSteps = p.math.maxSteps;
  }
  if (values.width !== undefined) {
    p.fc.widths = listOf("width", str(values.width), (s) => positiveInt("width", s));
  }
  if (values.epochs !== undefined) p.fc.epochs = positiveInt("epochs", one(values.epochs));
  if (values.evaluations !== undefined) {
    const e = positiveInt("evaluations", one(values.evaluations));
    if (e % p.ranks !== 0) {
      throw new UsageError(`--evaluations must be a multiple of the ${p.ranks} ranks, got ${e}`);
    }
    p.evaluations = { math: e, math_custom_tangents: e, "fc-nn": e };
  }
  if (values.margin !== undefined) p.margin = numberIn("margin", one(values.margin), 0, 1);
  for (
    const [flag, list] of [["task", p.tasks], ["function", p.math.functions], ["n", p.math.ns], [
      "width",
      p.fc.widths,
    ]] as const
  ) {
    if (list.length === 0) throw new UsageError(`--${flag} must name at least one value`);
  }
  return p;
}

/**
 * The `lr-search` stage.
 *
 * @example Search the quick profile, or one function's LRs
 * ```sh
 * deno task lr-search --profile quick
 * deno task lr-search --task math --function sphere --n 2,4 --evaluations 8
 * ```
 */
export const lrSearchStage: Stage<LrSearchParams> = {
  name: "lr-search",
  description:
    "The paper's evolutionary LR search (propulate's propagator, Python's RNG, pruning), deterministic and resumable; writes lrs-format tables",
  deps: [],
  upstream: (p) => (p.tasks.includes("fc-nn") ? ["data"] : []),
  onDemand: true,
  sources: [
    "src/stages/lr_search.ts",
    "src/stages/lr_search/",
    "src/lr_search",
    "src/functions",
    "src/nn",
    "src/core",
    "src/jvp",
    "src/io/files.ts",
    "src/pipeline/csv.ts",
    "src/stages/functions.ts",
    "src/stages/functions/grid.ts",
    "src/stages/train/runs.ts",
    "src/data/prepared.ts",
    "src/data/normalize.ts",
    "src/report",
  ],
  params: lrSearchParams,
  flags: {
    options: {
      task: { type: "string", multiple: true },
      function: { type: "string", multiple: true },
      n: { type: "string", multiple: true },
      k: { type: "string", multiple: true },
      "max-steps": { type: "string" },
      width: { type: "string", multiple: true },
      epochs: { type: "string" },
      evaluations: { type: "string" },
      margin: { type: "string" },
    },
    help: {
      task: "math, math_custom_tangents, fc-nn (default all three; sota-nn is not available yet)",
      function: "functions of the math task (default: the paper's three)",
      n: "dimensions of the math task, e.g. 1,2,4 (paper: 1…1024)",
      k: "tangent counts of fg-mean and frog (default 2,4,16)",
      "max-steps": "caps each function's max steps (paper: 1000, rosenbrock 25000)",
      width: "FC widths (paper: 256,1024,4096)",
      epochs: "epoch budget of an FC evaluation (paper: 200)",
      evaluations: "evaluations per label, a multiple of the 4 ranks (paper: 100)",
      margin: "extraction margin (paper: 0.05)",
    },
    apply: applyLrSearchFlags,
  },
  units: lrSearchUnits,
  run: unitRun(lrSearchUnits),
};
