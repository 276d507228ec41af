/**
 * Reading the LR tables (lrs/*.csv) ahead of a run, in a stage's preflight.
 *
 * @module
 */
import { UsageError } from "../cli/usage_error.ts";

/**
 * Runs `plan` (which looks up every LR the stage will use) and turns a
 * malformed table (SyntaxError naming the file and line) or a missing row
 * (RangeError naming the table and key) into a one-line usage error, so the
 * runner stops with exit code 2 before anything is written.
 */
export function lrTableCheck(plan: () => unknown): void {
  try {
    plan();
  } catch (e) {
    if (e instanceof SyntaxError || e instanceof RangeError) {
      throw new UsageError(`Cannot plan the runs: ${e.message.split("\n")[0]}`);
    }
    throw e;
  }
}
