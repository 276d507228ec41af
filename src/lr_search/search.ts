/**
 * The deterministic, generation-synchronous search of one label (spec §5.1).
 *
 * The one intended difference from propulate: its ranks run asynchronously,
 * so what a rank knows when it breeds depends on timing. Here rank r's i-th
 * proposal (unit (label, r, i)) sees exactly the units with index < i of all
 * ranks (its own earlier ones included), in (index, rank) order, both for
 * breeding and for the pruning baseline. All units of one index are therefore
 * independent and can run in parallel, and a resume replays the proposer from
 * the finished units' results.
 *
 * @module
 */
import { type Individual, PAPER_PROPAGATOR, type Proposal, propose } from "./propagator.ts";
import type { PropagatorConfig } from "./propagator.ts";
import { PruneMonitor, type PruningConfig, selectBaseline } from "./pruning.ts";
import { PythonRandom } from "./python_random.ts";

/** One evaluation of a search: its label, its rank and its index on that rank. */
export interface UnitId {
  readonly label: string;
  readonly rank: number;
  readonly index: number;
}

/** A unit ready to run: what to evaluate and against which baseline. */
export interface PlannedUnit extends UnitId {
  /** The proposal (log10 lr and how it was bred). */
  readonly proposal: Proposal;
  /** 10^lrLog10. */
  readonly lr: number;
  /** The pruning baseline (best finished curve with index < this index), if any. */
  readonly baseline?: readonly number[];
}

/** A finished unit. */
export interface UnitResult extends UnitId {
  readonly lrLog10: number;
  readonly lr: number;
  /** The yielded losses (NaN mapped to +∞), up to the pruning step. */
  readonly curve: readonly number[];
  /** The last yielded loss (+∞ when nothing was yielded). */
  readonly loss: number;
  /** Whether the surrogate cancelled the run. */
  readonly pruned: boolean;
}

/** The objective: per-step losses for a learning rate, as an (async) iterable or a promise of one. */
export type Objective = (
  lr: number,
  unit: UnitId,
) => Iterable<number> | AsyncIterable<number> | Promise<Iterable<number>>;

/** Options of a label's search. */
export interface SearchOptions {
  /** Number of ranks (4 in the paper). */
  readonly ranks?: number;
  /** Evaluations per rank (25 in the paper: 100 evaluations on 4 ranks). */
  readonly perRank?: number;
  /** Rank r draws from `random.Random(seedOffset + r)`; default 0. */
  readonly seedOffset?: number;
  /** The propagator (default {@link PAPER_PROPAGATOR}). */
  readonly propagator?: PropagatorConfig;
  /** Pruning; omit to never prune. */
  readonly pruning?: PruningConfig;
}

const byOrder = (a: UnitId, b: UnitId) => a.index - b.index || a.rank - b.rank;

/**
 * The proposer of one label. Feed it each index's results with
 * {@link LabelProposer.record}; {@link LabelProposer.plan} then gives the next
 * index's units. Replaying recorded results gives the same later proposals.
 */
export class LabelProposer {
  readonly label: string;
  readonly ranks: number;
  readonly perRank: number;
  readonly #config: PropagatorConfig;
  readonly #rngs: PythonRandom[];
  readonly #results: UnitResult[] = [];
  #next = 0;
  #planned?: PlannedUnit[];

  /** A fresh proposer: rank r seeded with `seedOffset + r`. */
  constructor(label: string, options: SearchOptions = {}) {
    this.label = label;
    this.ranks = options.ranks ?? 4;
    this.perRank = options.perRank ?? 25;
    this.#config = options.propagator ?? PAPER_PROPAGATOR;
    this.#rngs = Array.from(
      { length: this.ranks },
      (_, r) => new PythonRandom((options.seedOffset ?? 0) + r),
    );
  }

  /** The index whose units {@link plan} returns next; `perRank` when done. */
  get nextIndex(): number {
    return this.#next;
  }

  /** All results recorded so far, in (index, rank) order. */
  get results(): readonly UnitResult[] {
    return this.#results;
  }

  /** The units of the next index (one per rank); the same array until they are recorded. */
  plan(): PlannedUnit[] {
    if (this.#next >= this.perRank) return [];
    if (this.#planned) return this.#planned;
    const population: Individual[] = this.#results.map((r) => ({
      lrLog10: r.lrLog10,
      loss: r.loss,
    }));
    const baseline = selectBaseline(this.#results.map((r) => r.curve));
    this.#planned = this.#rngs.map((rng, rank) => {
      const proposal = propose(rng, population, this.#config);
      return {
        label: this.label,
        rank,
        index: this.#next,
        proposal,
        lr: 10 ** proposal.lrLog10,
        baseline,
      };
    });
    return this.#planned;
  }

  /**
   * Records the planned index's results (one per rank, any order).
   *
   * @throws RangeError when a result does not belong to the planned units or its LR differs
   */
  record(results: readonly UnitResult[]): void {
    const planned = this.plan();
    if (results.length !== planned.length) {
      throw new RangeError(
        `Cannot record index ${this.#next} of ${this.label}: expected ${planned.length} results, got ${results.length}`,
      );
    }
    const sorted = [...results].sort(byOrder);
    sorted.forEach((r, k) => {
      const p = planned[k];
      if (r.label !== p.label || r.rank !== p.rank || r.index !== p.index || r.lr !== p.lr) {
        throw new RangeError(
          `Cannot record ${r.label} rank ${r.rank} index ${r.index}: it was not proposed (expected rank ${p.rank} index ${p.index}, lr ${p.lr})`,
        );
      }
    });
    this.#results.push(...sorted);
    this.#next++;
    this.#planned = undefined;
  }
}

/**
 * Runs one unit: feeds the objective's losses (NaN → +∞) to the pruning
 * monitor and stops the iterator when the run is cancelled.
 */
export async function evaluateUnit(
  unit: PlannedUnit,
  objective: Objective,
  pruning?: PruningConfig,
): Promise<UnitResult> {
  const monitor = pruning ? new PruneMonitor(unit.baseline, pruning) : undefined;
  const curve: number[] = [];
  let pruned = false;
  const source = await objective(unit.lr, unit);
  for await (const raw of source as AsyncIterable<number>) {
    const loss = Number.isNaN(raw) ? Infinity : raw;
    curve.push(loss);
    if (monitor?.observe(loss)) {
      pruned = true;
      break;
    }
  }
  return {
    label: unit.label,
    rank: unit.rank,
    index: unit.index,
    lrLog10: unit.proposal.lrLog10,
    lr: unit.lr,
    curve,
    loss: curve.length > 0 ? curve[curve.length - 1] : Infinity,
    pruned,
  };
}

/**
 * Searches one label: `ranks × perRank` evaluations, index by index.
 *
 * @example A toy objective
 * ```ts
 * import { searchLabel } from "./search.ts";
 * const results = await searchLabel("toy", (lr) => [Math.abs(Math.log10(lr) + 2)], { perRank: 3 });
 * results.length; // 12
 * ```
 */
export async function searchLabel(
  label: string,
  objective: Objective,
  options: SearchOptions = {},
): Promise<readonly UnitResult[]> {
  const proposer = new LabelProposer(label, options);
  while (proposer.nextIndex < proposer.perRank) {
    const units = proposer.plan();
    const results: UnitResult[] = [];
    for (const u of units) results.push(await evaluateUnit(u, objective, options.pruning));
    proposer.record(results);
  }
  return proposer.results;
}
