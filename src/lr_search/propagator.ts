/**
 * Propulate's default propagator for one float trait, log10(lr) (spec §5.1),
 * drawing from Python's `random.Random` in propulate's exact call order, so
 * that a rank's proposals equal propulate's for the same population.
 *
 * The chain, with the draws each step makes (propulate `get_default_propagator`):
 * - fewer than `populationSize` known individuals: `InitUniform`
 *   (probability 1): `random()` (the gate), then `uniform(lo, hi)`;
 * - otherwise:
 *   1. `SelectMin`: the `populationSize` smallest losses (a stable sort, so
 *      ties keep population order); no draws;
 *   2. `SelectUniform`: `sample(best, 2)`;
 *   3. `CrossoverUniform`: `random()` (gate, probability 1), then per trait
 *      `random()`; the second parent's value is taken when that draw is
 *      greater than 0.7. Propulate passes its `crossover_prob` 0.7 as the
 *      first parent's relative contribution, not as the probability;
 *   4. `PointMutation` (probability 0.4): `random()`; if applied,
 *      `sample([trait], 1)` (one `getrandbits(1)` per try) and `uniform(lo, hi)`;
 *   5. `IntervalMutationNormal` (probability 1): `random()`,
 *      `sample([trait], 1)`, `gauss(x, (hi − lo)·0.05)`, clipped to [lo, hi];
 *   6. `InitUniform` (probability 0.1): `random()`; if applied, `uniform(lo, hi)`.
 *
 * @module
 */
import type { PythonRandom } from "./python_random.ts";

/** An evaluated individual: its trait and its loss (NaN already mapped to +∞). */
export interface Individual {
  /** log10 of the learning rate. */
  readonly lrLog10: number;
  /** The objective's value (the last yielded loss). */
  readonly loss: number;
}

/** The propagator's parameters (propulate's defaults for the paper's search). */
export interface PropagatorConfig {
  /** Breeding population size; below it, individuals are drawn uniformly. */
  readonly populationSize: number;
  /** The trait's limits [lo, hi] (floats in propulate). */
  readonly limits: readonly [number, number];
  /** `CrossoverUniform`'s relative contribution of the first parent. */
  readonly crossoverContribution: number;
  /** `PointMutation`'s probability. */
  readonly mutationProbability: number;
  /** The final `InitUniform`'s probability. */
  readonly randomInitProbability: number;
  /** σ = (hi − lo)·sigmaFactor for `IntervalMutationNormal`. */
  readonly sigmaFactor: number;
}

/** The paper's search: log10(lr) ∈ [−6, 0], population 8, propulate's 0.7 / 0.4 / 0.1 / 0.05. */
export const PAPER_PROPAGATOR: PropagatorConfig = {
  populationSize: 8,
  limits: [-6.0, 0.0],
  crossoverContribution: 0.7,
  mutationProbability: 0.4,
  randomInitProbability: 0.1,
  sigmaFactor: 0.05,
};

/** How a proposal came about (for the search trace). */
export type ProposalOrigin = "init" | "bred";

/** One new individual and what happened while breeding it. */
export interface Proposal {
  /** The proposed log10(lr). */
  readonly lrLog10: number;
  /** `init` while the population is smaller than `populationSize`, else `bred`. */
  readonly origin: ProposalOrigin;
  /** Bred only: the parents' log10(lr) in sampling order. */
  readonly parents?: readonly [number, number];
  /** Bred only: the crossover took the second parent's value. */
  readonly crossedOver?: boolean;
  /** Bred only: the point mutation redrew the value uniformly. */
  readonly pointMutated?: boolean;
  /** Bred only: the final random re-initialisation replaced the value. */
  readonly reinitialised?: boolean;
}

/**
 * Breeds one proposal from the individuals this rank knows, in population
 * order, with propulate's call order on `rng` (see the module docs).
 *
 * @param rng the rank's generator (`random.Random(rank)`), advanced in place
 * @param population the known evaluated individuals, in population order
 * @param config the propagator's parameters
 * @throws RangeError for a NaN loss (map NaN to +∞ first) or bad limits
 *
 * @example The first proposal of rank 0
 * ```ts
 * import { PythonRandom } from "./python_random.ts";
 * import { propose } from "./propagator.ts";
 * propose(new PythonRandom(0), []).lrLog10; // −6 + 6·(second random() of seed 0)
 * ```
 */
export function propose(
  rng: PythonRandom,
  population: readonly Individual[],
  config: PropagatorConfig = PAPER_PROPAGATOR,
): Proposal {
  const [lo, hi] = config.limits;
  if (!(lo < hi)) {
    throw new RangeError(`Cannot propose: limits must satisfy lo < hi, got [${lo}, ${hi}]`);
  }
  for (const ind of population) {
    if (Number.isNaN(ind.loss)) {
      throw new RangeError(`Cannot propose: individual ${ind.lrLog10} has a NaN loss`);
    }
  }
  if (population.length < config.populationSize) {
    rng.random(); // InitUniform's gate: random() < 1.0 always holds
    return { lrLog10: rng.uniform(lo, hi), origin: "init" };
  }
  const best = population
    .map((ind, i) => ({ ind, i }))
    .sort((a, b) => a.ind.loss - b.ind.loss || a.i - b.i)
    .slice(0, config.populationSize)
    .map(({ ind }) => ind);
  const [first, second] = rng.sample(best, 2);
  let x = first.lrLog10;
  rng.random(); // CrossoverUniform's gate (probability 1)
  const crossedOver = rng.random() > config.crossoverContribution;
  if (crossedOver) x = second.lrLog10;
  const pointMutated = rng.random() < config.mutationProbability;
  if (pointMutated) {
    rng.sample([0], 1); // the trait to mutate (there is one)
    x = rng.uniform(lo, hi);
  }
  rng.random(); // IntervalMutationNormal's gate (probability 1)
  rng.sample([0], 1);
  x = rng.gauss(x, (hi - lo) * config.sigmaFactor);
  x = Math.max(lo, Math.min(hi, x));
  const reinitialised = rng.random() < config.randomInitProbability;
  if (reinitialised) x = rng.uniform(lo, hi);
  return {
    lrLog10: x,
    origin: "bred",
    parents: [first.lrLog10, second.lrLog10],
    crossedOver,
    pointMutated,
    reinitialised,
  };
}
