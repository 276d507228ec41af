/**
 * The readable view of the latest result of each stage:
 * `results/latest/<stage>.json` (a copy of the manifest plus `dir`, the
 * result folder) and the relative symlink `results/latest/<stage>` →
 * `../cache/<stage>/<key>` (skipped where symlinks are not allowed).
 * "Latest" means the result the most recent invocation resolved to, whether
 * it ran or came from the cache.
 *
 * @module
 */
import { join } from "node:path";
import { TEMP_SUFFIX, writeJsonAtomic } from "../io/files.ts";
import type { Manifest } from "./manifest.ts";
import { displayPath, resultDir } from "./paths.ts";

/** Folder of the latest views inside the results root. */
export const LATEST_DIR = "latest";

/** Points `results/latest/<stage>` at `m`'s folder and writes `results/latest/<stage>.json`. */
export async function updateLatest(
  m: Manifest,
  resultsDir: string,
  rootDir: string,
): Promise<void> {
  const latest = join(resultsDir, LATEST_DIR);
  const dir = resultDir(resultsDir, m.stage, m.key);
  await writeJsonAtomic(join(latest, `${m.stage}.json`), {
    dir: displayPath(dir, rootDir),
    ...m,
  });
  const link = join(latest, m.stage);
  const tmp = `${link}.${Deno.pid}${TEMP_SUFFIX}`;
  try {
    await Deno.remove(tmp).catch(() => {});
    await Deno.symlink(join("..", "cache", m.stage, m.key), tmp);
    await Deno.rename(tmp, link);
  } catch {
    await Deno.remove(tmp).catch(() => {});
  }
}
