/**
 * The experiment grids of spec §3.4 and §3.7: which approaches run, in which
 * order, with which learning rate.
 *
 * @module
 */
import { mathLr, type MathLrTable } from "../../lrs/math.ts";
import { type ApproachSpec, BP, fg } from "../../functions/approaches.ts";
import { getFunction } from "../../functions/registry.ts";
import type { PlannedRun } from "../../functions/experiment.ts";

/** The paper's dimensions 2^0 … 2^10. */
export const PAPER_NS: readonly number[] = Array.from({ length: 11 }, (_, i) => 2 ** i);
/** The paper's tangent counts for fg-mean and frog. */
export const PAPER_KS: readonly number[] = [2, 4, 16];
/** Custom-tangents defaults (spec §3.7). */
export const CUSTOM_TANGENTS_NS: readonly number[] = [64];
/** Custom-tangents tangent counts. */
export const CUSTOM_TANGENTS_KS: readonly number[] = [16, 64];
/** Custom-tangents angles in degrees. */
export const CUSTOM_TANGENTS_ANGLES: readonly number[] = [15, 30, 45, 60, 75, 90];
/** Early-stopping patience of the paper runs. */
export const PAPER_PATIENCE = 50;
/** Early-stopping patience of the LR search (whose final values §7.3 quotes). */
export const LR_SEARCH_PATIENCE = 100;

/**
 * The approaches of the main grid, in the reference's order: bp, FG k=1 mean,
 * then for each k: FG-mean k, frog k. Normal sampler, no normalisation, no
 * scaling correction.
 *
 * @example The default eight approaches
 * ```ts
 * import { paperApproaches } from "./grid.ts";
 * paperApproaches([2, 4, 16]).length; // 8
 * ```
 */
export function paperApproaches(ks: readonly number[] = PAPER_KS): ApproachSpec[] {
  return [
    BP,
    fg(1, "mean"),
    ...ks.flatMap((k) => [fg(k, "mean"), fg(k, "orthogonal_projection")]),
  ];
}

/**
 * The custom-tangents approaches (spec §3.7): for k, for aggregation in
 * (mean, orthogonal_projection), for each angle A: FG with `specific_angle_A`.
 */
export function customTangentApproaches(
  ks: readonly number[] = CUSTOM_TANGENTS_KS,
  angles: readonly number[] = CUSTOM_TANGENTS_ANGLES,
): ApproachSpec[] {
  return ks.flatMap((k) =>
    ["mean", "orthogonal_projection"].flatMap((agg) =>
      angles.map((a) => fg(k, agg, { sampler: `specific_angle_${a}` }))
    )
  );
}

/** What a unit of work (one function × one n) runs. */
export interface PlannedUnit {
  /** Registry name of the function. */
  functionName: string;
  /** Dimension. */
  n: number;
  /** Its runs, in the reference's order (approach → seed). */
  runs: PlannedRun[];
}

/** Settings of one experiment (main grid or custom tangents). */
export interface ExperimentSettings {
  /** Function names. */
  functions: readonly string[];
  /** Dimensions. */
  ns: readonly number[];
  /** Approaches, in order. */
  approaches: readonly ApproachSpec[];
  /** Seeds. */
  seeds: readonly number[];
  /** Overrides every function's default max steps when set. */
  maxSteps?: number;
  /** Early-stopping patience (0 = off). */
  patience: number;
}

/**
 * Expands settings into units and runs in the reference's loop order
 * (n → approach → seed), looking every LR up once per (n, approach). Throws
 * before anything runs when a function is unknown or an LR row is missing.
 */
export function planExperiment(settings: ExperimentSettings, table: MathLrTable): PlannedUnit[] {
  const units: PlannedUnit[] = [];
  for (const name of settings.functions) {
    const fn = getFunction(name);
    for (const n of settings.ns) {
      if (fn.dimension !== undefined && fn.dimension !== n) {
        throw new RangeError(
          `Cannot plan ${fn.name} with n = ${n}: it is ${fn.dimension}-dimensional`,
        );
      }
      const runs: PlannedRun[] = [];
      for (const approach of settings.approaches) {
        const lr = mathLr(table, fn.name, n, approach);
        for (const seed of settings.seeds) {
          runs.push({
            functionName: fn.name,
            n,
            approach,
            lr,
            seed,
            maxSteps: settings.maxSteps ?? fn.maxSteps,
            patience: settings.patience,
          });
        }
      }
      units.push({ functionName: fn.name, n, runs });
    }
  }
  return units;
}
