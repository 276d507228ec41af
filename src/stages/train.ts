/**
 * Stage `train`: FC networks on MNIST with backpropagation and multi-tangent
 * forward gradients (paper §4.4; spec §4). Reads the data stage's prepared
 * MNIST, trains every planned run and writes `runs/<run-id>_train_progress.csv`
 * (columns spec §4.7), `runs/<run-id>.json` (the effective config) and
 * `runs.csv` (the index of every run). Each run is a unit
 * (src/pipeline/units.ts): finished runs of a killed attempt are adopted,
 * verified, on resume.
 *
 * @module
 */
import { join } from "node:path";
import {
  listOf,
  nonNegativeInt,
  oneOf,
  positiveInt,
  positiveNumber,
  UsageError,
} from "../cli/args.ts";
import { readPreparedDataset } from "../data/prepared.ts";
import { imageSplitSource, type TrainingData } from "../nn/data_source.ts";
import {
  type Approach,
  APPROACHES,
  FG_MODES,
  type FgMode,
  type Perturbation,
  PERTURBATIONS,
} from "../nn/gradients/mode.ts";
import { type OptimizerName, OPTIMIZERS } from "../nn/optimizer.ts";
import {
  type FcRunPlan,
  paperLr,
  runFc,
  runFiles,
  runId,
  RUNS_COLUMNS,
  runsRow,
} from "./train/runs.ts";
import { writeCsvAtomic } from "../pipeline/csv.ts";
import { lrTableCheck } from "./_lr_tables.ts";
import {
  LR_SOURCES,
  LRS_FLAG_HELP,
  type LrSource,
  lrsUpstream,
  PLACEHOLDER_LR,
  searchedNnTables,
} from "./_searched_lrs.ts";
import type { NnLrTable } from "../lrs/nn.ts";
import { gib, memoryBudget, requireFits } from "../cli/memory.ts";
import { writeFileAtomic } from "../io/files.ts";
import type { Profile, Stage } from "../pipeline/stage.ts";
import { type StageUnits, unitRun, type UnitSpec } from "../pipeline/units.ts";

/** One approach of the grid: bp, or fg/frog with k tangents. */
export interface ApproachK {
  /** bp, fg or frog. */
  approach: Approach;
  /** Number of tangents; null for bp. */
  k: number | null;
}

/** Parameters of the `train` stage. */
export interface TrainParams {
  /** Dataset (MNIST in the paper's FC experiment). */
  dataset: "mnist";
  /** Hidden widths W. */
  widths: number[];
  /** Approaches with their k. */
  approaches: ApproachK[];
  /** Seeds (init and shuffling from the seed, tangents from seed + 1). */
  seeds: number[];
  /** Epoch budget E (epochs 0…E). */
  epochs: number;
  /** Cap on training batches per epoch; null = the full training split. */
  maxBatchesPerEpoch: number | null;
  /** Evaluate on only the first n samples of each split; null = all of them. */
  evalLimit: number | null;
  /** sim (the paper's) or fwad (true forward mode). */
  mode: FgMode;
  /** node (the paper's) or weight perturbation. */
  perturbation: Perturbation;
  /** LR for every run instead of the table's; null = lrs/fc_nns.csv. */
  lr: number | null;
  /** Optimizer preset. */
  optimizer: OptimizerName;
  /** Early-stopping patience; 0 disables it. */
  patience: number;
  /** Training batch size. */
  batchSize: number;
  /** Evaluation batch size. */
  evalBatchSize: number;
  /** The LR table: the authors' (`lrs/fc_nns.csv`, also when absent) or the upstream `lr-search` stage's. */
  lrs?: LrSource;
}

const PAPER_APPROACHES: ApproachK[] = [
  { approach: "bp", k: null },
  { approach: "fg", k: 1 },
  { approach: "fg", k: 2 },
  { approach: "fg", k: 4 },
  { approach: "fg", k: 16 },
  { approach: "frog", k: 2 },
  { approach: "frog", k: 4 },
  { approach: "frog", k: 16 },
];

/** Default parameters per profile. */
export function trainParams(profile: Profile): TrainParams {
  const common = {
    dataset: "mnist" as const,
    mode: "sim" as const,
    perturbation: "node" as const,
    lr: null,
    optimizer: "plain_sgd" as const,
    patience: 10,
    batchSize: 64,
    evalBatchSize: 1024,
    lrs: "authors" as const,
  };
  switch (profile) {
    case "smoke":
      // About 450 steps in all: three approaches, one epoch of 150 batches, eval on 2000 samples a split.
      return {
        ...common,
        widths: [256],
        approaches: [{ approach: "bp", k: null }, { approach: "fg", k: 4 }, {
          approach: "frog",
          k: 4,
        }],
        seeds: [0],
        epochs: 1,
        maxBatchesPerEpoch: 150,
        evalLimit: 2000,
      };
    case "quick":
      // W=256, all 8 approaches, seed 0, 10 full epochs (782 batches each), full evaluation:
      // about 10 min on wasm on a 2-core machine (5 epochs took 5m25s under load), less on
      // the native backend.
      return {
        ...common,
        widths: [256],
        approaches: PAPER_APPROACHES,
        seeds: [0],
        epochs: 10,
        maxBatchesPerEpoch: null,
        evalLimit: null,
      };
    case "paper":
      return {
        ...common,
        widths: [256, 1024, 4096],
        approaches: PAPER_APPROACHES,
        seeds: [0, 1, 2],
        epochs: 200,
        maxBatchesPerEpoch: null,
        evalLimit: null,
      };
  }
}

/**
 * Every planned run, in order (width, approach, seed), with its LR (from
 * `tables`, default the repository's; with `--lrs searched` and no tables
 * given, a placeholder that the unit resolves when computed).
 *
 * @throws RangeError naming the key when the LR table has no row and no `lr` is given
 */
export function planTrain(p: TrainParams, tables?: readonly NnLrTable[]): FcRunPlan[] {
  const plans: FcRunPlan[] = [];
  for (const width of p.widths) {
    for (const a of p.approaches) {
      for (const seed of p.seeds) {
        const gradient = {
          approach: a.approach,
          k: a.k ?? 1,
          mode: p.mode,
          perturbation: p.perturbation,
        };
        const lr = p.lr ??
          (p.lrs === "searched" && !tables
            ? PLACEHOLDER_LR
            : paperLr(width, p.dataset, gradient, tables));
        plans.push({ width, dataset: p.dataset, gradient, seed, lr });
      }
    }
  }
  return plans;
}

type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;
const str = (v: FlagValues[string]) => v as string | string[];
const one = (v: FlagValues[string]) => (Array.isArray(v) ? v[v.length - 1] : v) as string;

/** Applies the stage's flags to a profile's parameters (throws UsageError on bad input). */
export function applyTrainFlags(values: FlagValues, base: TrainParams): TrainParams {
  const p: TrainParams = structuredClone(base);
  if (values.width !== undefined) {
    p.widths = listOf("width", str(values.width), (s) => positiveInt("width", s));
  }
  if (values.approach !== undefined || values.k !== undefined) {
    const approaches = values.approach !== undefined
      ? listOf("approach", str(values.approach), (s) => oneOf("approach", s, APPROACHES))
      : [...new Set(base.approaches.map((a) => a.approach))];
    const ks = values.k !== undefined
      ? listOf("k", str(values.k), (s) => positiveInt("k", s))
      : null;
    const grid: ApproachK[] = [];
    for (const a of new Set(approaches)) {
      if (a === "bp") {
        grid.push({ approach: "bp", k: null });
        continue;
      }
      const own = ks ?? base.approaches.filter((b) => b.approach === a).map((b) => b.k!);
      for (const k of own.length > 0 ? own : [1]) grid.push({ approach: a, k });
    }
    p.approaches = grid;
  }
  if (values.seeds !== undefined) {
    p.seeds = listOf("seeds", str(values.seeds), (s) => nonNegativeInt("seeds", s));
  }
  if (values.epochs !== undefined) p.epochs = positiveInt("epochs", one(values.epochs));
  if (values["max-batches-per-epoch"] !== undefined) {
    p.maxBatchesPerEpoch = positiveInt(
      "max-batches-per-epoch",
      one(values["max-batches-per-epoch"]),
    );
  }
  if (values["eval-limit"] !== undefined) {
    p.evalLimit = positiveInt("eval-limit", one(values["eval-limit"]));
  }
  if (values.mode !== undefined) p.mode = oneOf("mode", one(values.mode), FG_MODES);
  if (values.perturbation !== undefined) {
    p.perturbation = oneOf("perturbation", one(values.perturbation), PERTURBATIONS);
  }
  if (values.lr !== undefined) {
    p.lr = positiveNumber("lr", one(values.lr));
  }
  if (values.optimizer !== undefined) {
    p.optimizer = oneOf("optimizer", one(values.optimizer), OPTIMIZERS);
  }
  if (values.patience !== undefined) p.patience = nonNegativeInt("patience", one(values.patience));
  if (values.lrs !== undefined) p.lrs = oneOf("lrs", one(values.lrs), LR_SOURCES);
  for (
    const [flag, list] of [["width", p.widths], ["seeds", p.seeds], [
      "approach",
      p.approaches,
    ]] as const
  ) {
    if (list.length === 0) throw new UsageError(`--${flag} must name at least one value`);
  }
  try {
    planTrain(p);
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (give --lr to train without a table LR)`);
  }
  if (values.width !== undefined) {
    const budget = memoryBudget();
    requireFits(
      "width",
      Math.max(...p.widths),
      (w) => trainRunBytes(w, p) <= budget,
      `this machine's memory (${gib(budget)} usable)`,
    );
  }
  return p;
}

/**
 * Peak bytes of the largest run of `p` at hidden width `w`, the stage's memory
 * model: the FC parameters P (784·W + (depth − 1)·W² + 10·W plus biases) held
 * with their gradient, update and a working copy (4 × 4P bytes); weight
 * perturbation adds k tangents of P (and the next step's, drawn ahead: 2 × 4kP);
 * activations of an evaluation batch (with their k tangents) add 4·B·W·(k + 1)
 * per layer.
 */
export function trainRunBytes(w: number, p: TrainParams): number {
  const depth = 2;
  const P = 784 * w + (depth - 1) * w * w + 10 * w + depth * w + 10;
  const k = Math.max(1, ...p.approaches.map((a) => a.k ?? 1));
  const tangents = p.perturbation === "weight" ? 2 * 4 * k * P : 0;
  const batch = Math.max(p.batchSize, p.evalBatchSize);
  return 16 * P + tangents + 4 * batch * w * (k + 1) * (depth + 1);
}

/** Reads the prepared dataset of the data stage as trainer splits. */
export async function loadTrainingData(dir: string, name: string): Promise<TrainingData> {
  const ds = await readPreparedDataset(dir, name);
  const [h, w, c] = ds.meta.shape;
  return {
    name,
    inputSize: h * w * c,
    numClasses: ds.meta.classes.length,
    train: imageSplitSource(ds.train, ds.meta),
    val: ds.val.count > 0 ? imageSplitSource(ds.val, ds.meta) : undefined,
    test: imageSplitSource(ds.test, ds.meta),
  };
}

/** A listed run with its LR from the searched table when `--lrs searched` (else as listed). */
function resolvedPlan(
  plan: FcRunPlan,
  p: TrainParams,
  inputs: Parameters<typeof searchedNnTables>[0],
): FcRunPlan {
  if (p.lrs !== "searched" || p.lr !== null) return plan;
  return {
    ...plan,
    lr: paperLr(plan.width, plan.dataset, plan.gradient, searchedNnTables(inputs)),
  };
}

/** One unit of the train stage: one training run. */
export interface TrainUnit extends UnitSpec {
  /** The planned run (width, gradient mode, seed, LR). */
  plan: FcRunPlan;
}

/** Training settings shared by every run of a parameter set. */
function sharedSettings(p: TrainParams) {
  return {
    optimizer: p.optimizer,
    epochs: p.epochs,
    batchSize: p.batchSize,
    evalBatchSize: p.evalBatchSize,
    patience: p.patience,
    maxBatchesPerEpoch: p.maxBatchesPerEpoch ?? undefined,
    evalLimit: p.evalLimit ?? undefined,
  };
}

/** List, compute and finalize of the train stage (src/pipeline/units.ts): one unit per run. */
export const trainUnits: StageUnits<TrainParams, TrainUnit, TrainingData> = {
  label: "training epochs",
  list: (p) =>
    planTrain(p).map((plan) => ({
      id: runId(plan),
      plan,
      weight: p.epochs,
      fingerprint: { v: 1, plan, shared: sharedSettings(p) },
    })),
  async setup(ctx) {
    const input = ctx.inputs.data;
    if (!input) throw new Error("Cannot train: the data stage's output is missing");
    return await loadTrainingData(input.dir, ctx.params.dataset);
  },
  async compute(u, ctx) {
    const t0 = performance.now();
    let ticked = 0;
    const plan = resolvedPlan(u.plan, ctx.params, ctx.inputs);
    const result = await runFc(ctx.dir, plan, ctx.state, sharedSettings(ctx.params), {
      backend: ctx.backend.name,
    }, () => {
      if (ticked > 0) ctx.tick();
      ticked++;
    });
    const last = result.records[result.records.length - 1];
    ctx.log(
      `${u.id}: epoch ${last.epoch}, test acc ${last.test_accuracy.toFixed(4)}, ` +
        `val loss ${last.val_loss.toFixed(4)}${result.stopReason ? ` (${result.stopReason})` : ""}`,
    );
    return { seconds: (performance.now() - t0) / 1000 };
  },
  async finalize(ctx) {
    for (const c of ctx.units) {
      const from = runFiles(c.dir, c.unit.plan), to = runFiles(ctx.outDir, c.unit.plan);
      await writeFileAtomic(to.csv, await Deno.readFile(from.csv));
      await writeFileAtomic(to.json, await Deno.readFile(from.json));
    }
    await writeCsvAtomic(
      join(ctx.outDir, "runs.csv"),
      RUNS_COLUMNS,
      ctx.units.map((c) => runsRow(resolvedPlan(c.unit.plan, ctx.params, ctx.inputs))),
    );
    const reused = ctx.units.filter((c) => c.reused).length;
    return {
      runs: ctx.units.length,
      trained: ctx.units.length - reused,
      reused,
      seconds: ctx.units.reduce((s, c) => s + Number(c.facts.seconds ?? 0), 0),
    };
  },
};

/**
 * The `train` stage.
 *
 * @example Run the smoke grid, or one run from the command line
 * ```sh
 * deno task train --profile smoke
 * deno task train --width 256 --approach frog --k 16 --seeds 0 --epochs 1
 * ```
 */
export const trainStage: Stage<TrainParams> = {
  name: "train",
  description:
    "FC networks on MNIST with bp, fg-mean and frog (node perturbation, simulated FG) (paper §4.4)",
  deps: ["data"],
  upstream: lrsUpstream,
  sources: [
    "src/stages/train.ts",
    "src/stages/_lr_tables.ts",
    "src/stages/_searched_lrs.ts",
    "src/stages/train/",
    "src/nn",
    "src/core",
    "src/jvp",
    "src/lrs",
    "src/data/normalize.ts",
    "src/data/prepared.ts",
    "src/io/files.ts",
    "src/pipeline/csv.ts",
    "lrs/fc_nns.csv",
    "lrs/sota_nns.csv",
  ],
  params: trainParams,
  flags: {
    options: {
      width: { type: "string", multiple: true },
      approach: { type: "string", multiple: true },
      k: { type: "string", multiple: true },
      seeds: { type: "string", multiple: true },
      epochs: { type: "string" },
      "max-batches-per-epoch": { type: "string" },
      "eval-limit": { type: "string" },
      mode: { type: "string" },
      perturbation: { type: "string" },
      lr: { type: "string" },
      optimizer: { type: "string" },
      patience: { type: "string" },
      lrs: { type: "string" },
    },
    help: {
      width: "hidden widths, e.g. 256,1024 (paper: 256,1024,4096)",
      approach: "bp, fg (fg-mean) or frog, e.g. bp,frog (default: the paper's grid)",
      k: "tangent counts of fg and frog, e.g. 2,4,16 (paper: fg 1,2,4,16; frog 2,4,16)",
      seeds: "seeds, e.g. 0,1,2 (paper: 0,1,2)",
      epochs: "epoch budget (paper: 200)",
      "max-batches-per-epoch": "cap on training batches per epoch (default: all)",
      "eval-limit": "evaluate on the first N samples of each split (default: all)",
      mode: "forward-gradient computation: sim (paper) or fwad (true forward mode)",
      perturbation: "node (paper) or weight",
      lr: "learning rate for every run instead of lrs/fc_nns.csv",
      optimizer: "plain_sgd (paper) or sota_sgd",
      patience: "early-stopping patience in epochs, 0 = off (paper: 10)",
      lrs: LRS_FLAG_HELP,
    },
    apply: applyTrainFlags,
  },
  units: trainUnits,
  preflight({ params, inputs }) {
    // the LR table (the authors' or the searched one) is read here, so a malformed or
    // incomplete one stops the run before any folder is written
    lrTableCheck(() =>
      planTrain(params, params.lrs === "searched" ? searchedNnTables(inputs) : undefined)
    );
  },
  run: unitRun(trainUnits),
};
