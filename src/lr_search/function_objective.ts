/**
 * The LR-search objective of the function experiments (spec §5.1): gradient
 * descent (src/functions) with seed 0, early-stopping patience 100 and the
 * function's max steps, yielding f after every step.
 *
 * The descent runs whole and its curve is then yielded, so pruning decides
 * exactly as on a step-wise run but does not save its compute (a step-wise
 * descent iterator in src/functions would).
 *
 * @module
 */
import type { ApproachSpec } from "../functions/approaches.ts";
import { gradientDescent } from "../functions/descent.ts";
import { createGradientOracle } from "../functions/gradients.ts";
import { getFunction } from "../functions/registry.ts";
import { startPosition } from "../functions/starts.ts";
import { type PruningConfig, pruningConfig } from "./pruning.ts";
import type { Objective } from "./search.ts";

/** Patience of the search's descent runs. */
export const SEARCH_PATIENCE = 100;

/** An objective together with the pruning rule that goes with it. */
export interface FunctionObjective {
  /** lr → the f values after each step. */
  readonly objective: Objective;
  /** The function's max steps. */
  readonly maxSteps: number;
  /** margin 0.5, patience int(0.05·maxSteps), offset the global minimum for styblinski-tang. */
  readonly pruning: PruningConfig;
}

/**
 * The descent objective of (function, n, approach).
 *
 * @param maxSteps overrides the function's default (for small profiles and tests)
 */
export function functionObjective(
  functionName: string,
  n: number,
  approach: ApproachSpec,
  maxSteps?: number,
): FunctionObjective {
  const fn = getFunction(functionName);
  const steps = maxSteps ?? fn.maxSteps;
  const offset = fn.name === "styblinski-tang" ? fn.globalMinimum(n) : 0;
  const objective: Objective = (lr) => {
    const oracle = createGradientOracle(fn, approach, 0, n);
    try {
      const run = gradientDescent(fn, oracle, {
        lr,
        maxSteps: steps,
        patience: SEARCH_PATIENCE,
        start: startPosition(fn.defaultStart, n),
      });
      return Array.from(run.y.subarray(1));
    } finally {
      oracle.dispose();
    }
  };
  return { objective, maxSteps: steps, pruning: pruningConfig(steps, offset) };
}
