/**
 * The learning-rate search of the paper (spec §5), deterministic and
 * resumable: a bit-exact port of Python's `random.Random`, propulate's default
 * propagator for log10(lr), the final-loss-aware pruning surrogate, the
 * generation-synchronous proposer and driver, the function-descent objective,
 * and best-LR extraction into `lrs`-format tables.
 *
 * @example Search bp's LR on the 2-D sphere (12 evaluations)
 * ```ts
 * import { BP } from "../functions/approaches.ts";
 * import { extractBest, functionObjective, searchLabel } from "./mod.ts";
 * const { objective, pruning } = functionObjective("sphere", 2, BP, 200);
 * const results = await searchLabel("math/sphere_n=0002/bp", objective, { perRank: 3, pruning });
 * extractBest(results).lr;
 * ```
 *
 * @module
 */
export * from "./extract.ts";
export * from "./function_objective.ts";
export * from "./propagator.ts";
export * from "./pruning.ts";
export * from "./python_random.ts";
export * from "./search.ts";
