/**
 * The manifest written into every completed stage result
 * (`results/cache/<stage>/<key>/manifest.json`), and the check that decides
 * whether a cached folder can be trusted.
 *
 * A manifest is verifiable on its own: its `seal` is the SHA-256 of its
 * canonical JSON without the seal, and the parts that define the result
 * (stage, params, upstream keys, source hash, input-file hash, backend) must
 * reproduce its key. An edited `params`, `backend` or `summary` is therefore
 * detected, and the result is discarded and recomputed.
 *
 * @module
 */
import { join } from "node:path";
import {
  cacheKey,
  canonicalJson,
  compareCodeUnits,
  type FileHash,
  hashTree,
  sha256Hex,
} from "./hash.ts";
import type { Profile } from "./stage.ts";

/** Name of the manifest file inside a result folder. */
export const MANIFEST_FILE = "manifest.json";
/** Manifest format version; a different version is not trusted. */
export const MANIFEST_FORMAT = 2;

/** A set of hashed files: the combined hash and each file's hash. */
export interface HashedFiles {
  /** SHA-256 over the sorted (path, file hash) list ({@link filesHash}). */
  hash: string;
  /** Every file, by path. */
  files: Record<string, FileHash>;
}

/** The combined hash of a file set: SHA-256 over the sorted (path, SHA-256) pairs. */
export function filesHash(files: Record<string, FileHash>): string {
  const sorted = Object.keys(files).sort(compareCodeUnits);
  return sha256Hex(canonicalJson(sorted.map((k) => [k, files[k].sha256])));
}

/**
 * The seal of a JSON record: SHA-256 of its canonical JSON with the `seal`
 * member left out. A record whose stored seal differs was edited.
 */
export function sealOf(record: object): string {
  const { seal: _seal, ...rest } = record as Record<string, unknown>;
  return sha256Hex(canonicalJson(rest));
}

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
  sources: HashedFiles;
  /**
   * Input files outside the repository sources whose contents entered the key
   * (e.g. a dataset folder given by a flag); absent when the stage has none.
   */
  inputFiles?: HashedFiles;
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
  /** {@link sealOf} the rest of the manifest; written last by {@link sealManifest}. */
  seal: string;
}

/** Returns `m` with its seal (computed over every other member). */
export function sealManifest(m: Omit<Manifest, "seal">): Manifest {
  const plain = JSON.parse(JSON.stringify(m)) as Omit<Manifest, "seal">;
  return { ...plain, seal: sealOf(plain) };
}

/** The key that a manifest's own parts give (see `cacheKey` in hash.ts). */
export function manifestKey(m: Manifest): string {
  return cacheKey({
    stage: m.stage,
    params: m.params,
    inputs: m.inputs,
    sources: m.sources.hash,
    inputFiles: m.inputFiles?.hash,
    backend: m.backend.inKey ? m.backend.name : null,
  });
}

/** Why a parsed manifest cannot be trusted for (`stage`, `key`), or undefined when it can. */
export function manifestProblem(m: Manifest, stage: string, key: string): string | undefined {
  if (
    m === null || typeof m !== "object" || m.format !== MANIFEST_FORMAT || m.stage !== stage ||
    m.key !== key || !m.files || !m.sources?.files || !m.backend || typeof m.seal !== "string"
  ) {
    return `${MANIFEST_FILE} does not describe ${stage}/${key}`;
  }
  let seal: string;
  try {
    seal = sealOf(m);
  } catch {
    return `${MANIFEST_FILE} holds values that are not JSON`;
  }
  if (seal !== m.seal) return `${MANIFEST_FILE} was edited (its seal does not match)`;
  if (filesHash(m.sources.files) !== m.sources.hash) {
    return `${MANIFEST_FILE} lists source files that do not give its source hash`;
  }
  if (m.inputFiles && filesHash(m.inputFiles.files) !== m.inputFiles.hash) {
    return `${MANIFEST_FILE} lists input files that do not give its input hash`;
  }
  if (manifestKey(m) !== key) {
    return `${MANIFEST_FILE}'s params, inputs, sources and backend do not give its key`;
  }
}

/** Outcome of {@link checkResult}. */
export type ResultCheck =
  | { ok: true; manifest: Manifest }
  | { ok: false; exists: boolean; reason: string };

/**
 * Decides whether `dir` holds a complete, untampered result for (`stage`,
 * `key`): the folder exists, its manifest parses, names the same stage, key
 * and format, carries a matching seal, its parts reproduce the key, and the
 * files on disk are exactly those listed, with the listed hashes.
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
  const problem = manifestProblem(m, stage, key);
  if (problem) return { ok: false, exists: true, reason: problem };
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
