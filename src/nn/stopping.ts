/**
 * The original trainer's stop rules (spec §4.5): divergence (criterion loss
 * ≥ 10 or NaN) and early stopping (patience on the criterion loss, min_delta
 * 0, epoch 0 counts). The criterion loss is the first non-NaN of (val, test,
 * train).
 *
 * @module
 */

/** The loss at or above which a run counts as diverged (`break_at_loss`). */
export const BREAK_AT_LOSS = 10;

/** The first non-NaN of (val, test, train) losses. */
export function criterionLoss(val: number, test: number, train: number): number {
  for (const v of [val, test, train]) if (!Number.isNaN(v)) return v;
  return NaN;
}

/** Why a run stopped before its epoch budget, if it did. */
export type TrainingStopReason = "diverged" | "early_stopping";

/**
 * Tracks the best criterion loss and decides when to stop.
 *
 * @example Patience 2
 * ```ts
 * import { StopRule } from "./stopping.ts";
 * const rule = new StopRule(2);
 * console.assert(rule.update(1) === undefined); // epoch 0 counts
 * console.assert(rule.update(1) === undefined); // no improvement, counter 1
 * console.assert(rule.update(1.5) === "early_stopping"); // counter 2
 * ```
 */
export class StopRule {
  /** The best criterion loss so far. */
  best: number = Infinity;
  /** Epochs since the last improvement. */
  counter = 0;

  /**
   * @param patience epochs without improvement before stopping; ≤ 0 disables early stopping
   * @param minDelta an epoch improves only if loss < best − minDelta
   * @param breakAtLoss divergence threshold
   */
  /** Creates a rule; see the parameters. */
  constructor(
    readonly patience = 10,
    readonly minDelta = 0,
    readonly breakAtLoss = BREAK_AT_LOSS,
  ) {}

  /** Feeds one epoch's criterion loss; returns why to stop, or undefined to go on. */
  update(loss: number): TrainingStopReason | undefined {
    if (Number.isNaN(loss) || loss >= this.breakAtLoss) return "diverged";
    if (this.patience <= 0) return undefined;
    if (loss < this.best - this.minDelta) {
      this.best = loss;
      this.counter = 0;
      return undefined;
    }
    this.counter++;
    return this.counter >= this.patience ? "early_stopping" : undefined;
  }
}
