/**
 * The LR-search objective of the FC networks (spec §5.1): training as in the
 * train stage (the same model, data and trainer: src/nn), plain SGD with a
 * constant LR, node perturbation, simulated FG, seed 0; the validation loss
 * after every training epoch is yielded (NaN → +∞ by the search). Training
 * stops on NaN or after 10 epochs without an improvement larger than 1e−6.
 *
 * One difference from the original: the trainer's divergence stop (a
 * validation loss ≥ 10) still applies; the original search has none, so its
 * runs at such LRs went on until the 10-epoch patience ended them.
 *
 * @module
 */
import { createFc } from "../../nn/fc.ts";
import type { TrainingData } from "../../nn/data_source.ts";
import { disposeModel } from "../../nn/model.ts";
import { StopRule } from "../../nn/stopping.ts";
import { trainModel } from "../../nn/trainer.ts";
import type { FcLabel } from "./labels.ts";

/** The search's early stopping: 10 epochs without an improvement larger than 1e−6. */
export const SEARCH_FC_PATIENCE = 10;
/** Minimum improvement of the search's early stopping. */
export const SEARCH_FC_MIN_DELTA = 1e-6;

/** Sizes of one FC evaluation. */
export interface FcBudget {
  /** Epoch budget (200 in the paper's search). */
  epochs: number;
  /** Cap on training batches per epoch; null = all. */
  maxBatchesPerEpoch: number | null;
  /** Evaluate on the first n samples of each split; null = all. */
  evalLimit: number | null;
  batchSize: number;
  evalBatchSize: number;
}

class StopSearch extends Error {}

/**
 * Trains the label's network at `lr` and returns the validation loss after
 * each training epoch (epochs 1…), ending where the search's rule stops it.
 *
 * @param onEpoch called after each epoch (progress)
 */
export async function fcValidationCurve(
  label: FcLabel,
  lr: number,
  data: TrainingData,
  budget: FcBudget,
  onEpoch?: () => void,
): Promise<number[]> {
  const model = createFc({
    width: label.width,
    inputSize: data.inputSize,
    numClasses: data.numClasses,
    seed: 0,
  });
  const curve: number[] = [];
  const stop = new StopRule(SEARCH_FC_PATIENCE, SEARCH_FC_MIN_DELTA, Infinity);
  try {
    await trainModel(model, data, {
      gradient: label.gradient,
      lr,
      optimizer: "plain_sgd",
      epochs: budget.epochs,
      seed: 0,
      batchSize: budget.batchSize,
      evalBatchSize: budget.evalBatchSize,
      // the trainer's own early stopping is off: the search's rule below decides
      patience: 0,
      maxBatchesPerEpoch: budget.maxBatchesPerEpoch ?? undefined,
      evalLimit: budget.evalLimit ?? undefined,
    }, (record) => {
      if (record.epoch === 0) return;
      curve.push(record.val_loss);
      onEpoch?.();
      if (stop.update(record.val_loss)) throw new StopSearch();
    });
  } catch (e) {
    if (!(e instanceof StopSearch)) throw e;
  } finally {
    disposeModel(model);
  }
  return curve;
}
