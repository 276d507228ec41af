/**
 * The manifest written into every completed stage result
 * (`results/cache/<stage>/<key>/manifest.json`), and the check that decides
 * whether a cached folder can be trusted.
 *
 * @module
 */
import { join } from "node:path";
import { type FileHash, hashTree } from "./hash.ts";
import type { Profile } from "./stage.ts";

/** Name of the manifest file inside a result folder. */
export const MANIFEST_FILE = "manifest.json";
/** Manifest format version; a different version is not trusted. */
export const MANIFEST_FORMAT = 1;

/** What produced one stage result, and the hashes of what it holds. */
export interface Manifest {
  /** {@link MANIFEST_FORMAT}. */
  format: number;
  /** Stage name. */
  stage: string;
  /** Cache key (the folder name). */
  key: string;
  /** Resolved parameters. */
  params: unknown;
  /** Profile requested when the result was computed (params, not the profile, enter the key). */
  profile: Profile;
  /** Upstream stage name → key of the result this one was computed from. */
  inputs: Record<string, string>;
  /** Source files that entered the key. */
  sources: { hash: string; files: Record<string, FileHash> };
  /** Every output file (forward-slash path relative to the folder) → hash; excludes the manifest. */
  files: Record<string, FileHash>;
  /** Backend that computed it; `inKey` says whether its name entered the key. */
  backend: { requested: string; name: string; inKey: boolean; versions: Record<string, string> };
  /** Runtime versions. */
  versions: Record<string, string>;
  /** ISO timestamp when run() started (for this final, possibly resumed, attempt). */
  startedAt: string;
  /** ISO timestamp when run() resolved. */
  finishedAt: string;
  /** Wall time of run() in seconds. */
  wallSeconds: number;
  /** Whether run() resumed a `.partial` folder left by an earlier, interrupted run. */
  resumed: boolean;
  /** What run() returned (empty when it returned nothing). */
  summary: Record<string, unknown>;
}

/** Outcome of {@link checkResult}. */
export type ResultCheck =
  | { ok: true; manifest: Manifest }
  | { ok: false; exists: boolean; reason: string };

/**
 * Decides whether `dir` holds a complete, untampered result for (`stage`,
 * `key`): the folder exists, its manifest parses, names the same stage, key
 * and format, and the files on disk are exactly those listed, with the listed
 * hashes.
 */
export async function checkResult(dir: string, stage: string, key: string): Promise<ResultCheck> {
  let text: string;
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) return { ok: false, exists: true, reason: "not a folder" };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { ok: false, exists: false, reason: "missing" };
    throw e;
  }
  try {
    text = await Deno.readTextFile(join(dir, MANIFEST_FILE));
  } catch {
    return { ok: false, exists: true, reason: `no readable ${MANIFEST_FILE}` };
  }
  let m: Manifest;
  try {
    m = JSON.parse(text);
  } catch {
    return { ok: false, exists: true, reason: `${MANIFEST_FILE} is not valid JSON` };
  }
  if (m?.format !== MANIFEST_FORMAT || m.stage !== stage || m.key !== key || !m.files) {
    return {
      ok: false,
      exists: true,
      reason: `${MANIFEST_FILE} does not describe ${stage}/${key}`,
    };
  }
  const onDisk = await hashTree(dir, (rel) => rel === MANIFEST_FILE);
  const listed = Object.keys(m.files);
  const found = Object.keys(onDisk);
  for (const f of listed) {
    if (!onDisk[f]) return { ok: false, exists: true, reason: `file ${f} is missing` };
    if (onDisk[f].sha256 !== m.files[f].sha256) {
      return { ok: false, exists: true, reason: `file ${f} does not match its hash` };
    }
  }
  for (const f of found) {
    if (!m.files[f]) return { ok: false, exists: true, reason: `unlisted file ${f}` };
  }
  return { ok: true, manifest: m };
}
