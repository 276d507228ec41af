/**
 * The per-epoch progress CSV of a training run, with the original's columns
 * in the original's order (spec §4.7).
 *
 * @module
 */
import { fgModelClass, type GradientSpec, timerNames } from "./gradients/mode.ts";
import { aggregationOf } from "./gradients/mode.ts";

/** The metric columns that start every row. */
export const METRIC_COLUMNS = [
  "epoch",
  "train_loss",
  "train_accuracy",
  "val_loss",
  "val_accuracy",
  "test_loss",
  "test_accuracy",
] as const;

/** Facts about a run that fill the constant columns. */
export interface RunFacts {
  /** The run's gradient. */
  spec: GradientSpec;
  /** The run's seed. */
  seed: number;
  /** Model config columns (`model__*`), in order. */
  modelConfig: Readonly<Record<string, string | number>>;
  /** `mnist`. */
  dataset: string;
  /** `fc`. */
  model: string;
  /** `plain_sgd`. */
  optimizer: string;
  /** The progress CSV's file name. */
  resultFilename: string;
}

/** The constant (per-run) columns and values, in column order, after the timers. */
export function constantColumns(f: RunFacts): [string, string | number][] {
  const bp = f.spec.approach === "bp";
  const cols: [string, string | number][] = [
    ["k", bp ? "" : f.spec.k],
    ["seed", f.seed],
    ["fg_computation_mode", bp ? "" : f.spec.mode],
  ];
  if (!bp) {
    cols.push(
      ["fg_model__cls", fgModelClass(f.spec)],
      ["fg_model__aggregation_mode", aggregationOf(f.spec.approach)],
      ["fg_model__tangent_sampler", "normal"],
      ["fg_model__aggregation_kwargs", "{}"],
      ["fg_model__tangent_postprocessing", "[]"],
      ["fg_model__normalize_tangents", "False"],
      ["fg_model__tangent_sampling_kwargs", "{}"],
      ["fg_model__global_tangent", "True"],
      ["fg_model__scaling_correction", "False"],
    );
  }
  for (const [k, v] of Object.entries(f.modelConfig)) cols.push([k, v]);
  if (!bp && f.spec.mode === "sim") {
    cols.push(["fg_model__local_jvps", "False"], ["fg_model__global_jvp_agg", "sum"]);
  }
  cols.push(
    ["result_filename", f.resultFilename],
    ["dataset", f.dataset],
    ["gradient_computation", f.spec.approach],
    ["perturbation_mode", f.spec.perturbation],
    ["model", f.model],
    ["optimizer", f.optimizer],
  );
  return cols;
}

/** Every column of the progress CSV of a run, in order. */
export function progressColumns(f: RunFacts): string[] {
  return [
    ...METRIC_COLUMNS,
    "time__train_epoch_s",
    "time__evaluate_epoch_s",
    ...timerNames(f.spec).map((n) => `time__${n}_s`),
    ...constantColumns(f).map(([k]) => k),
  ];
}

/** One evaluated epoch. */
export interface EpochRecord {
  /** Epoch number (0 = before training). */
  epoch: number;
  /** Mean cross-entropy on the (unshuffled) training split. */
  train_loss: number;
  /** Accuracy on the training split. */
  train_accuracy: number;
  /** Mean cross-entropy on the validation split (NaN without one). */
  val_loss: number;
  /** Accuracy on the validation split (NaN without one). */
  val_accuracy: number;
  /** Mean cross-entropy on the test split. */
  test_loss: number;
  /** Accuracy on the test split. */
  test_accuracy: number;
  /** Seconds spent training this epoch (0 at epoch 0). */
  trainSeconds: number;
  /** Seconds spent evaluating this epoch. */
  evalSeconds: number;
  /** Per-batch timer totals of this epoch (empty at epoch 0: NaN columns). */
  timers: Record<string, number>;
}

/**
 * The CSV rows of a run (cells in {@link progressColumns} order). The timer
 * columns of epoch 0 (no training yet) are null, written as empty cells ("not
 * applicable"); a NaN loss or accuracy is written as `NaN`.
 *
 * @example
 * ```ts
 * import { progressColumns, progressRows } from "./progress_csv.ts";
 * const facts = {
 *   spec: { approach: "bp", k: 1, mode: "sim", perturbation: "node" } as const,
 *   seed: 0, modelConfig: { model__name: "fc" }, dataset: "mnist", model: "fc",
 *   optimizer: "plain_sgd", resultFilename: "run_train_progress.csv",
 * };
 * console.assert(progressColumns(facts)[0] === "epoch");
 * console.assert(progressRows(facts, []).length === 0);
 * ```
 */
export function progressRows(
  f: RunFacts,
  records: readonly EpochRecord[],
): (string | number | null)[][] {
  const names = timerNames(f.spec);
  const constants = constantColumns(f).map(([, v]) => v);
  return records.map((r) => [
    r.epoch,
    r.train_loss,
    r.train_accuracy,
    r.val_loss,
    r.val_accuracy,
    r.test_loss,
    r.test_accuracy,
    r.trainSeconds,
    r.evalSeconds,
    ...names.map((n) => r.epoch === 0 ? null : r.timers[n] ?? 0),
    ...constants,
  ]);
}
