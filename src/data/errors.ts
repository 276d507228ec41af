/**
 * The error raised for unreadable, corrupt or missing dataset files.
 *
 * @module
 */

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
  override name = "DatasetError";
}
