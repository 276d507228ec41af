/**
 * One training run as a unit of work (an FC network, ResNet18 or the ViT on
 * MNIST or CIFAR-10): its id, its LR lookup, and its two
 * files (`runs/<run-id>_train_progress.csv`, `runs/<run-id>.json`), each
 * written atomically (the train stage commits each run as a unit).
 *
 * @module
 */
import { join } from "node:path";
import { nnLr, type NnLrTable } from "../../lrs/nn.ts";
import { writeJsonAtomic } from "../../io/files.ts";
import { writeCsvAtomic } from "../../pipeline/csv.ts";
import type { TrainingData } from "../../nn/data_source.ts";
import { createFc } from "../../nn/fc.ts";
import { type GradientSpec, tableApproach } from "../../nn/gradients/mode.ts";
import { bufferCount, disposeModel, type Model, parameterCount } from "../../nn/model.ts";
import { createModel, type ModelName } from "../../nn/models.ts";
import { optimizerPreset } from "../../nn/optimizer.ts";
import { progressColumns, progressRows, type RunFacts } from "../../nn/progress_csv.ts";
import { trainModel, type TrainResult, type TrainSettings } from "../../nn/trainer.ts";

/** Columns of `runs.csv`, the index of every run. */
export const RUNS_COLUMNS = [
  "model",
  "dataset",
  "gradient_approach",
  "k",
  "seed",
  "mode",
  "perturbation",
  "lr",
  "file",
] as const;

/** A planned run. */
export interface RunPlan {
  /** fc (default), resnet18 or vit. */
  model?: ModelName;
  /** Hidden width W (fc only). */
  width?: number;
  /** Dataset name (`mnist` or `cifar10`). */
  dataset: string;
  /** The gradient mode. */
  gradient: GradientSpec;
  /** The run's seed. */
  seed: number;
  /** The learning rate (from the table or `--lr`). */
  lr: number;
}

/** The LR-table model key, `fc_w=<W>`. */
export function fcModelKey(width: number): string {
  return `fc_w=${width}`;
}

/** The LR-table model key of a plan: `fc_w=<W>`, `resnet18` or `vit`. */
export function modelKey(plan: Pick<RunPlan, "model" | "width">): string {
  const m = plan.model ?? "fc";
  if (m !== "fc") return m;
  if (plan.width === undefined) throw new RangeError("Cannot name an fc run: width is required");
  return fcModelKey(plan.width);
}

/** Training batch size of a dataset (spec §4.2: MNIST 64, CIFAR-10 128). */
export function datasetBatchSize(dataset: string): number {
  if (dataset === "mnist") return 64;
  if (dataset === "cifar10") return 128;
  throw new RangeError(`Unknown dataset "${dataset}": expected mnist or cifar10`);
}

/**
 * The run id: `fc_w=256__mnist__bp__seed=0`,
 * `fc_w=256__mnist__frog_k=16__sim-node__seed=0`, `resnet18__cifar10__bp__seed=0`.
 */
export function runId(plan: RunPlan): string {
  const g = plan.gradient;
  const approach = g.approach === "bp"
    ? "bp"
    : `${tableApproach(g.approach)}_k=${g.k}__${g.mode}-${g.perturbation}`;
  return `${modelKey(plan)}__${plan.dataset}__${approach}__seed=${plan.seed}`;
}

/**
 * The paper LR of a run (spec §5.3): an FC run (`width`) from
 * `lrs/fc_nns.csv`, ResNet18 or the ViT (`width` = the model name) from
 * `lrs/sota_nns.csv`; or from `tables` (searched LRs) when given.
 *
 * @throws RangeError naming the key when the table has no row for it
 */
export function paperLr(
  width: number | Exclude<ModelName, "fc">,
  dataset: string,
  gradient: GradientSpec,
  tables?: readonly NnLrTable[],
): number {
  return nnLr(
    typeof width === "number" ? fcModelKey(width) : width,
    dataset,
    tableApproach(gradient.approach),
    gradient.approach === "bp" ? undefined : gradient.k,
    tables,
  );
}

/** The `runs.csv` row of a run. */
export function runsRow(plan: RunPlan): (string | number)[] {
  const g = plan.gradient;
  const bp = g.approach === "bp";
  return [
    modelKey(plan),
    plan.dataset,
    tableApproach(g.approach),
    bp ? "" : g.k,
    plan.seed,
    bp ? "" : g.mode,
    bp ? "" : g.perturbation,
    plan.lr,
    `runs/${runId(plan)}_train_progress.csv`,
  ];
}

/** Training settings shared by the runs of a stage. */
export type SharedSettings = Omit<TrainSettings, "gradient" | "lr" | "seed">;

/** Paths of a run's files inside a stage folder. */
export function runFiles(outDir: string, plan: RunPlan): { csv: string; json: string } {
  const id = runId(plan);
  return {
    csv: join(outDir, "runs", `${id}_train_progress.csv`),
    json: join(outDir, "runs", `${id}.json`),
  };
}

/** Batch losses kept in a run's JSON (the first steps; the original prints every one). */
export const BATCH_LOSSES_KEPT = 1000;

/** The run's model, built for the dataset's input (FC from the flat size, the others from the image shape). */
export function planModel(plan: RunPlan, data: TrainingData): Model {
  const model = plan.model ?? "fc";
  if (model === "fc") {
    if (plan.width === undefined) throw new RangeError("Cannot create fc model: width is required");
    return createFc({
      width: plan.width,
      inputSize: data.inputSize,
      numClasses: data.numClasses,
      seed: plan.seed,
    });
  }
  if (!data.inputShape) {
    throw new RangeError(`Cannot create ${model} model: dataset ${data.name} has no image shape`);
  }
  return createModel({
    model,
    inputShape: data.inputShape,
    numClasses: data.numClasses,
    seed: plan.seed,
  });
}

/**
 * Trains one run and writes its progress CSV and effective config JSON.
 *
 * @returns the training result
 */
export async function runTraining(
  outDir: string,
  plan: RunPlan,
  data: TrainingData,
  shared: SharedSettings,
  extra: Record<string, unknown> = {},
  onEpoch?: () => void,
): Promise<TrainResult> {
  const id = runId(plan);
  const files = runFiles(outDir, plan);
  const model = planModel(plan, data);
  const nParams = parameterCount(model);
  const nBuffers = bufferCount(model);
  const settings: TrainSettings = {
    ...shared,
    gradient: plan.gradient,
    lr: plan.lr,
    seed: plan.seed,
  };
  const facts: RunFacts = {
    spec: plan.gradient,
    seed: plan.seed,
    modelConfig: model.config,
    dataset: plan.dataset,
    model: model.name,
    optimizer: settings.optimizer,
    resultFilename: `${id}_train_progress.csv`,
  };
  const t0 = performance.now();
  let result: TrainResult;
  try {
    result = await trainModel(model, data, settings, onEpoch);
  } finally {
    disposeModel(model);
  }
  await writeCsvAtomic(files.csv, progressColumns(facts), progressRows(facts, result.records));
  const last = result.records[result.records.length - 1];
  const g = plan.gradient;
  await writeJsonAtomic(files.json, {
    run_id: id,
    model: modelKey(plan),
    model_config: model.config,
    parameters: nParams,
    buffers: nBuffers,
    dataset: plan.dataset,
    gradient_approach: tableApproach(g.approach),
    gradient_computation: g.approach,
    k: g.approach === "bp" ? null : g.k,
    fg_computation_mode: g.approach === "bp" ? null : g.mode,
    perturbation_mode: g.perturbation,
    aggregation: g.approach === "bp"
      ? null
      : g.approach === "fg"
      ? "mean"
      : "orthogonal_projection",
    seed: plan.seed,
    seeds: {
      init: `new Rng(${plan.seed}, "init")`,
      shuffle: `new Rng(${plan.seed}, "shuffle")`,
      tangents: g.approach === "bp" ? null : `new Rng(${plan.seed + 1}, "tangents")`,
    },
    lr: plan.lr,
    optimizer: settings.optimizer,
    sgd: {
      ...optimizerPreset(settings.optimizer, plan.lr, settings.epochs),
      ...(settings.schedule ? { schedule: settings.schedule } : {}),
    },
    lr_schedule_stepped: "per batch",
    epochs: settings.epochs,
    batch_size: settings.batchSize,
    eval_batch_size: settings.evalBatchSize,
    early_stopping_patience: settings.patience,
    break_at_loss: 10,
    max_batches_per_epoch: settings.maxBatchesPerEpoch ?? null,
    bn_double_update: nBuffers > 0 && g.approach !== "bp" && g.mode === "sim" &&
        g.perturbation === "node"
      ? settings.gradientOptions?.doubleBufferUpdate ?? false
      : null,
    eval_limit: settings.evalLimit ?? null,
    epochs_run: last ? last.epoch : 0,
    steps: result.steps,
    stop_reason: result.stopReason ?? null,
    batch_losses: result.batchLosses.slice(0, BATCH_LOSSES_KEPT),
    final: last
      ? {
        train_loss: last.train_loss,
        train_accuracy: last.train_accuracy,
        val_loss: last.val_loss,
        val_accuracy: last.val_accuracy,
        test_loss: last.test_loss,
        test_accuracy: last.test_accuracy,
      }
      : null,
    seconds: (performance.now() - t0) / 1000,
    progress_file: `${id}_train_progress.csv`,
    ...extra,
  });
  return result;
}
