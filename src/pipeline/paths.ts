/**
 * Where the pipeline reads sources and writes results.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** Absolute path of the repository root (two folders above this file). */
export const REPO_ROOT: string = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** Environment variable that moves the results root (tests use a temp folder). */
export const RESULTS_DIR_ENV = "FG_RESULTS_DIR";

/**
 * The results root: `$FG_RESULTS_DIR` when set (relative to the current
 * folder), otherwise `<rootDir>/results`.
 *
 * @param rootDir Repository root.
 */
export function defaultResultsDir(rootDir: string = REPO_ROOT): string {
  const env = Deno.env.get(RESULTS_DIR_ENV);
  return env ? resolve(env) : join(rootDir, "results");
}

/** Cache folder of one stage result: `<resultsDir>/cache/<stage>/<key>`. */
export function resultDir(resultsDir: string, stage: string, key: string): string {
  return join(resultsDir, "cache", stage, key);
}

/**
 * `path` relative to `base` with forward slashes when it lies inside `base`,
 * otherwise the absolute path.
 */
export function displayPath(path: string, base: string): string {
  const rel = relative(base, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return rel === "" ? "." : path;
  return sep === "/" ? rel : rel.split(sep).join("/");
}
