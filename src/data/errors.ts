/**
 * The errors raised for corrupt dataset files and for datasets that cannot be found.
 *
 * @module
 */
import { UsageError } from "../cli/usage_error.ts";

/**
 * A dataset file is missing, corrupt or inconsistent. The message is one line
 * that names the file (or the source) and what is wrong.
 *
 * @example Catch a corrupt file
 * ```ts
 * import { DatasetError } from "./errors.ts";
 * try {
 *   throw new DatasetError("Cannot read IDX file x.idx: truncated");
 * } catch (e) {
 *   console.assert(e instanceof DatasetError);
 * }
 * ```
 */
export class DatasetError extends Error {
  /** Always `"DatasetError"`. */
  override name = "DatasetError";
}

/**
 * No source of a dataset exists (or a path given for it does not): a usage
 * problem, so command-line entry points print the one-line message, which
 * names the flag and environment variable to set, and exit with code 2.
 *
 * @example Tell a missing dataset from a corrupt one
 * ```ts
 * import { MissingDatasetError } from "./errors.ts";
 * const e = new MissingDatasetError("Cannot find MNIST: pass --mnist-dir <path>");
 * console.assert(e.name === "MissingDatasetError");
 * ```
 */
export class MissingDatasetError extends UsageError {
  /** Always `"MissingDatasetError"`. */
  override name = "MissingDatasetError";
}
