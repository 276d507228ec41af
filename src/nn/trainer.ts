/**
 * The training loop of the original (spec §4.5): epoch 0 only evaluates;
 * every later epoch trains on a fresh shuffle, then evaluates train (on the
 * unshuffled training subset), val and test; a NaN batch loss aborts the
 * epoch after its optimizer step; divergence and early stopping end the run.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Rng } from "../core/rng.ts";
import type { SplitSource, TrainingData } from "./data_source.ts";
import { spreadSplit } from "./data_source.ts";
import {
  createGradientMode,
  type GradientModeOptions,
  type GradientSpec,
} from "./gradients/mode.ts";
import { correctCount, perSampleCrossEntropy } from "./loss.ts";
import { forward, type Model } from "./model.ts";
import { type OptimizerName, optimizerPreset, type Schedule, Sgd } from "./optimizer.ts";
import type { EpochRecord } from "./progress_csv.ts";
import { criterionLoss, StopRule, type TrainingStopReason } from "./stopping.ts";
import { Timers } from "./timers.ts";

/** Settings of one training run. */
export interface TrainSettings {
  /** The gradient mode. */
  gradient: GradientSpec;
  /** Initial learning rate. */
  lr: number;
  /** Optimizer preset (plain_sgd in every paper run). */
  optimizer: OptimizerName;
  /** Overrides the preset's LR schedule. */
  schedule?: Schedule;
  /** Epoch budget E (epochs 0…E are logged). */
  epochs: number;
  /** Seed: init and shuffling from `seed`, tangents from `seed + 1`. */
  seed: number;
  /** Training batch size (64 for MNIST). */
  batchSize: number;
  /** Evaluation batch size (1024). */
  evalBatchSize: number;
  /** Early-stopping patience on the criterion loss; ≤ 0 disables it. */
  patience: number;
  /** Cap on training batches per epoch (smoke and quick profiles); undefined = all. */
  maxBatchesPerEpoch?: number;
  /** Evaluate on only n evenly spaced samples of each split (`spreadSplit`); undefined = all. */
  evalLimit?: number;
  /**
   * Options of the gradient mode (the original's double BatchNorm update,
   * weight-JVP chunking, tangent source, prefetch).
   */
  gradientOptions?: GradientModeOptions;
}

/** The outcome of a run. */
export interface TrainResult {
  /** One record per evaluated epoch (0…last). */
  records: EpochRecord[];
  /** Why the run ended before its budget, if it did. */
  stopReason?: TrainingStopReason;
  /** Optimizer steps taken. */
  steps: number;
  /** The train-mode batch loss of every step, in order (the original prints them). */
  batchLosses: number[];
}

/**
 * Mean cross-entropy and accuracy of `model` on a split, in batches, in eval
 * mode (BatchNorm uses its running statistics; nothing is updated).
 *
 * @returns NaN for both when the split is missing or empty
 */
export async function evaluate(
  model: Model,
  split: SplitSource | undefined,
  batchSize: number,
): Promise<{ loss: number; accuracy: number }> {
  if (!split || split.count === 0) return { loss: NaN, accuracy: NaN };
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const idx = new Int32Array(Math.min(batchSize, split.count - start));
    for (let i = 0; i < idx.length; i++) idx[i] = start + i;
    const { x, y } = split.batch(idx);
    const logits = tf.tidy(() => forward(model, x, "none", model.params, { mode: "eval" }));
    const s = tf.tidy(() => tf.sum(perSampleCrossEntropy(logits, y)));
    lossSum += (await s.data())[0];
    correct += await correctCount(logits, y);
    tf.dispose([x, y, logits, s]);
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count };
}

/**
 * Trains `model` in place (its parameters are replaced step by step).
 *
 * @param model the model (initialised from the run's seed)
 * @param data train/val/test splits
 * @param settings the run's settings
 * @param onEpoch called after each evaluated epoch
 *
 * @example Two epochs of frog on a tiny synthetic problem
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { createFc } from "./fc.ts";
 * import { trainModel } from "./trainer.ts";
 * const split = {
 *   count: 8,
 *   batch: (idx: ArrayLike<number>) => ({
 *     x: tf.tensor2d(Array.from(idx, (i) => [i % 2, 1 - (i % 2)]).flat(), [idx.length, 2]),
 *     y: tf.tensor1d(Array.from(idx, (i) => i % 2), "int32"),
 *   }),
 * };
 * const data = { name: "toy", inputSize: 2, numClasses: 2, train: split, test: split };
 * const model = createFc({ width: 4, inputSize: 2, numClasses: 2, seed: 0 });
 * const result = await trainModel(model, data, {
 *   gradient: { approach: "frog", k: 2, mode: "sim", perturbation: "node" },
 *   lr: 0.1, optimizer: "plain_sgd", epochs: 2, seed: 0, batchSize: 4,
 *   evalBatchSize: 8, patience: 10,
 * });
 * console.assert(result.records.length === 3);
 * ```
 */
export async function trainModel(
  model: Model,
  data: TrainingData,
  settings: TrainSettings,
  onEpoch?: (record: EpochRecord) => void | Promise<void>,
): Promise<TrainResult> {
  const s = settings;
  const preset = optimizerPreset(s.optimizer, s.lr, s.epochs);
  const opt = new Sgd({ ...preset, ...(s.schedule ? { schedule: s.schedule } : {}) });
  const mode = createGradientMode(s.gradient, s.seed, s.gradientOptions);
  const shuffle = new Rng(s.seed, "shuffle");
  const stop = new StopRule(s.patience);
  const timers = new Timers();
  const evalSplits = {
    train: spreadSplit(data.train, s.evalLimit),
    val: data.val ? spreadSplit(data.val, s.evalLimit) : undefined,
    test: spreadSplit(data.test, s.evalLimit),
  };
  const records: EpochRecord[] = [];
  const batchLosses: number[] = [];
  let stopReason: TrainingStopReason | undefined;
  try {
    for (let epoch = 0; epoch <= s.epochs; epoch++) {
      timers.reset();
      let trainSeconds = 0;
      if (epoch > 0) {
        const t0 = performance.now();
        const perm = shuffle.permutation(data.train.count);
        let batches = Math.ceil(perm.length / s.batchSize);
        if (s.maxBatchesPerEpoch !== undefined) batches = Math.min(batches, s.maxBatchesPerEpoch);
        for (let b = 0; b < batches; b++) {
          const { x, y } = data.train.batch(perm.subarray(b * s.batchSize, (b + 1) * s.batchSize));
          const r = await mode.compute(model, x, y, timers);
          const loss = (await r.loss.data())[0];
          batchLosses.push(loss);
          const tStep = performance.now();
          model.params = opt.step(model.params, r.grads);
          timers.add("step", (performance.now() - tStep) / 1000);
          tf.dispose([x, y, r.loss, ...r.grads, ...(r.d ? [r.d] : [])]);
          if (Number.isNaN(loss)) break;
        }
        trainSeconds = (performance.now() - t0) / 1000;
      }
      const tEval = performance.now();
      const train = await evaluate(model, evalSplits.train, s.evalBatchSize);
      const val = await evaluate(model, evalSplits.val, s.evalBatchSize);
      const test = await evaluate(model, evalSplits.test, s.evalBatchSize);
      const record: EpochRecord = {
        epoch,
        train_loss: train.loss,
        train_accuracy: train.accuracy,
        val_loss: val.loss,
        val_accuracy: val.accuracy,
        test_loss: test.loss,
        test_accuracy: test.accuracy,
        trainSeconds,
        evalSeconds: (performance.now() - tEval) / 1000,
        timers: Object.fromEntries(timers.names().map((n) => [n, timers.get(n)])),
      };
      records.push(record);
      await onEpoch?.(record);
      stopReason = stop.update(criterionLoss(val.loss, test.loss, train.loss));
      if (stopReason) break;
    }
  } finally {
    opt.dispose();
    mode.close?.();
  }
  return { records, stopReason, steps: opt.steps, batchLosses };
}
