/**
 * JVP rules for kernels whose float output is locally constant in its inputs
 * (rounding, sign, step, zeros-like): every output tangent is a symbolic zero.
 * Kernels with only non-float outputs (comparisons, argMax, …) need no rule:
 * the engine never asks for one.
 *
 * @module
 */
import { defZero } from "../define.ts";
import type { JvpRuleTable } from "../registry.ts";

/** Rules for piecewise-constant kernels. */
export const zeroRules: JvpRuleTable = {
  Floor: defZero(),
  Ceil: defZero(),
  Round: defZero(),
  Sign: defZero(),
  Step: defZero(),
  ZerosLike: defZero(),
  OnesLike: defZero(),
};
