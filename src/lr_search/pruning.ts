/**
 * The authors' final-loss-aware static surrogate (spec §5.1): early pruning
 * of a run whose per-step losses stay far above the best finished run's.
 *
 * @module
 */

/** The pruning rule's parameters. */
export interface PruningConfig {
  /** Margin of the threshold (0.5 in the paper). */
  readonly margin: number;
  /** Offset: the function's global minimum for styblinski-tang (−39.16599·n), else 0. */
  readonly offset: number;
  /** The condition must hold for more than this many consecutive steps: int(0.05·max steps). */
  readonly patience: number;
}

/** The paper's rule for an objective with `maxSteps` steps (or epochs) and a given offset. */
export function pruningConfig(maxSteps: number, offset = 0): PruningConfig {
  return { margin: 0.5, offset, patience: Math.trunc(0.05 * maxSteps) };
}

/** A curve with its trailing NaNs removed; undefined when nothing is left (an all-NaN run). */
export function trimCurve(curve: readonly number[]): number[] | undefined {
  let end = curve.length;
  while (end > 0 && Number.isNaN(curve[end - 1])) end--;
  return end === 0 ? undefined : curve.slice(0, end);
}

/**
 * The baseline among finished curves in the given order: the first usable
 * one, replaced only by a curve whose final loss is strictly smaller.
 */
export function selectBaseline(curves: Iterable<readonly number[]>): number[] | undefined {
  let best: number[] | undefined;
  for (const c of curves) {
    const t = trimCurve(c);
    if (t && (best === undefined || t[t.length - 1] < best[best.length - 1])) best = t;
  }
  return best;
}

/**
 * Watches one run against a baseline: {@link PruneMonitor.observe} returns
 * true once `loss_t > (baseline_t − offset)/margin + offset` and
 * `baseline final < loss_t` have held for more than `patience` consecutive
 * steps (past the baseline's end its last value is used). No baseline: never prunes.
 */
export class PruneMonitor {
  readonly #baseline?: readonly number[];
  readonly #config: PruningConfig;
  #t = 0;
  #run = 0;

  /** A monitor for one run. */
  constructor(baseline: readonly number[] | undefined, config: PruningConfig) {
    this.#baseline = baseline;
    this.#config = config;
  }

  /** Feeds the next yielded loss; true when the run should be cancelled now. */
  observe(loss: number): boolean {
    const b = this.#baseline;
    const t = this.#t++;
    if (!b || b.length === 0) return false;
    const { margin, offset, patience } = this.#config;
    const bt = b[Math.min(t, b.length - 1)];
    const worse = loss > (bt - offset) / margin + offset && b[b.length - 1] < loss;
    this.#run = worse ? this.#run + 1 : 0;
    return this.#run > patience;
  }
}
