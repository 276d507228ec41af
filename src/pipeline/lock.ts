/**
 * `results/pipeline.lock.json`, in the shape of DVC's `dvc.lock`: for each
 * stage, the key, parameters, what it was computed from (`deps`: source files
 * and upstream results, with hashes) and what it produced (`outs`: every file
 * with its hash). Rewritten after each stage; generated, never hand-edited.
 *
 * @module
 */
import { join } from "node:path";
import { writeJsonAtomic } from "../io/files.ts";
import type { Manifest } from "./manifest.ts";
import { displayPath, resultDir } from "./paths.ts";

/** File name of the lock file inside the results root. */
export const LOCK_FILE = "pipeline.lock.json";

/** One dependency of a stage: a source file, or an upstream stage result. */
export type LockDep =
  | { path: string; sha256: string; size: number }
  | { path: string; stage: string; key: string };

/** One output file. */
export interface LockOut {
  /** Path relative to the repository root (absolute when the results root lies outside it). */
  path: string;
  /** SHA-256 of the contents. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** One stage entry of the lock file. */
export interface LockStage {
  /** Cache key. */
  key: string;
  /** Profile the result was computed under. */
  profile: string;
  /** Backend that computed it. */
  backend: string;
  /** Resolved parameters. */
  params: unknown;
  /** Source files and upstream results. */
  deps: LockDep[];
  /** Output files. */
  outs: LockOut[];
}

/** The whole lock file. */
export interface LockFile {
  /** Format version. */
  schema: "1.0";
  /** Stage name → entry, sorted by name. */
  stages: Record<string, LockStage>;
}

/** Builds the lock entry for a result. */
export function lockEntry(m: Manifest, resultsDir: string, rootDir: string): LockStage {
  const deps: LockDep[] = Object.entries(m.sources.files).map(([path, h]) => ({
    path,
    sha256: h.sha256,
    size: h.size,
  }));
  for (const [stage, key] of Object.entries(m.inputs)) {
    deps.push({ path: displayPath(resultDir(resultsDir, stage, key), rootDir), stage, key });
  }
  const dir = resultDir(resultsDir, m.stage, m.key);
  const outs = Object.entries(m.files).map(([rel, h]) => ({
    path: displayPath(join(dir, rel), rootDir),
    sha256: h.sha256,
    size: h.size,
  }));
  return { key: m.key, profile: m.profile, backend: m.backend.name, params: m.params, deps, outs };
}

/** Reads the lock file, or an empty one when it is missing or unreadable. */
export async function readLock(resultsDir: string): Promise<LockFile> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(join(resultsDir, LOCK_FILE)));
    if (parsed?.schema === "1.0" && typeof parsed.stages === "object") return parsed;
  } catch {
    // missing or corrupt: start afresh
  }
  return { schema: "1.0", stages: {} };
}

/** Records `m` as the current result of its stage in the lock file (atomic rewrite). */
export async function updateLock(m: Manifest, resultsDir: string, rootDir: string): Promise<void> {
  const lock = await readLock(resultsDir);
  lock.stages[m.stage] = lockEntry(m, resultsDir, rootDir);
  const sorted: Record<string, LockStage> = {};
  for (const name of Object.keys(lock.stages).sort()) sorted[name] = lock.stages[name];
  await writeJsonAtomic(join(resultsDir, LOCK_FILE), { schema: "1.0", stages: sorted });
}
