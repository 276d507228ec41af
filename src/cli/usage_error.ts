/**
 * The error of a bad command line or bad user input, in its own module so that
 * the library (which raises it for a missing dataset) does not load the CLI.
 *
 * @module
 */

/**
 * A bad command line. `main` wrappers (`runMain` in src/cli/args.ts) print
 * its message on one line and exit 2.
 *
 * @example Reject a flag value
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 * const k = -1;
 * if (k < 1) throw new UsageError(`--k must be a positive integer, got "${k}"`);
 * ```
 */
export class UsageError extends Error {
  /** Always "UsageError". */
  override name = "UsageError";
}
