/**
 * Content hashing for the pipeline cache: canonical JSON, SHA-256 of files
 * and folder trees, and the cache key of a stage.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join, relative, resolve, sep } from "node:path";

/** SHA-256 and size of one file. */
export interface FileHash {
  /** Lower-case hex SHA-256 of the contents. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/**
 * Serialises a JSON value with object keys sorted at every level, so equal
 * values always give the same text. `undefined` object members are dropped
 * (as JSON.stringify does); non-finite numbers, functions, symbols, bigints
 * and `undefined` array items throw a TypeError naming the path, because JSON
 * cannot represent them faithfully.
 *
 * @param value A JSON-serialisable value.
 * @returns The canonical JSON text (no whitespace).
 *
 * @example Key order does not matter
 * ```ts
 * import { canonicalJson } from "./hash.ts";
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return encode(value, "$");
}

function encode(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) {
        throw new TypeError(`Cannot hash ${path}: ${value} is not representable in JSON`);
      }
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => encode(v, `${path}[${i}]`)).join(",")}]`;
      }
      const obj = value as Record<string, unknown>;
      if (typeof (obj as { toJSON?: unknown }).toJSON === "function") {
        return encode((obj as { toJSON(): unknown }).toJSON(), path);
      }
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort(compareCodeUnits);
      return `{${
        keys.map((k) => `${JSON.stringify(k)}:${encode(obj[k], `${path}.${k}`)}`).join(",")
      }}`;
    }
    default:
      throw new TypeError(`Cannot hash ${path}: a ${typeof value} is not JSON`);
  }
}

/** Orders strings by UTF-16 code units (locale-independent, stable everywhere). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * SHA-256 of a string (UTF-8) or bytes, as lower-case hex.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./hash.ts";
 * sha256Hex("abc").slice(0, 8); // "ba7816bf"
 * ```
 */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Streams a file through SHA-256 (1 MiB chunks), returning its hash and size. */
export async function hashFile(path: string): Promise<FileHash> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(1 << 20);
  let size = 0;
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    hash.update(buf.subarray(0, n));
    size += n;
  }
  return { sha256: hash.digest("hex"), size };
}

/** Turns an OS path fragment into a forward-slash relative path. */
function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/**
 * Lists every file under `dir` (recursively, following symlinks), as
 * forward-slash paths relative to `dir`, sorted by code units.
 *
 * @param dir Folder to walk.
 * @param skip Returns true for relative paths (files or folders) to leave out.
 */
export async function listFiles(
  dir: string,
  skip: (rel: string) => boolean = () => false,
): Promise<string[]> {
  const out: string[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    for await (const entry of Deno.readDir(abs)) {
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (skip(childRel)) continue;
      const childAbs = join(abs, entry.name);
      const isDir = entry.isDirectory ||
        (entry.isSymlink && (await Deno.stat(childAbs)).isDirectory);
      if (isDir) await walk(childAbs, childRel);
      else out.push(childRel);
    }
  }
  await walk(dir, "");
  return out.sort(compareCodeUnits);
}

/**
 * Hashes every file under `dir`.
 *
 * @returns A map from forward-slash relative path to its hash, in sorted order.
 */
export async function hashTree(
  dir: string,
  skip?: (rel: string) => boolean,
): Promise<Record<string, FileHash>> {
  const files = await listFiles(dir, skip);
  const out: Record<string, FileHash> = {};
  for (const rel of files) out[rel] = await hashFile(join(dir, rel));
  return out;
}

/** The hashed source files of a stage. */
export interface SourcesHash {
  /** SHA-256 over the sorted (path, file hash) list. */
  hash: string;
  /** Every file that entered the hash, by repository-relative path. */
  files: Record<string, FileHash>;
}

/**
 * Hashes a stage's `sources`: each entry is a file or folder relative to
 * `rootDir`; folders are walked recursively. The result covers each file's
 * repository-relative path and contents, so renaming, editing, adding or
 * removing a file changes it.
 *
 * @param rootDir Repository root the paths are relative to.
 * @param sources Files or folders.
 * @throws Error naming the path when a source does not exist.
 */
export async function hashSources(
  rootDir: string,
  sources: readonly string[],
): Promise<SourcesHash> {
  const files: Record<string, FileHash> = {};
  for (const src of sources) {
    const abs = resolve(rootDir, src);
    const rel = toPosix(relative(rootDir, abs));
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(abs);
    } catch {
      throw new Error(`Cannot hash stage sources: "${src}" does not exist under ${rootDir}`);
    }
    if (info.isDirectory) {
      for (const f of await listFiles(abs)) {
        files[rel === "" ? f : `${rel}/${f}`] = await hashFile(join(abs, f));
      }
    } else {
      files[rel] = await hashFile(abs);
    }
  }
  const sorted = Object.keys(files).sort(compareCodeUnits);
  const ordered: Record<string, FileHash> = {};
  for (const k of sorted) ordered[k] = files[k];
  const hash = sha256Hex(canonicalJson(sorted.map((k) => [k, files[k].sha256])));
  return { hash, files: ordered };
}

/**
 * Hashes input files or folders given by absolute path (folders walked
 * recursively, symlinks followed): the contents and the absolute paths enter
 * the hash, so a truncated, edited, added or removed file changes it.
 *
 * @param paths Absolute paths of files or folders.
 * @throws Error naming the path when one does not exist.
 */
export async function hashInputFiles(paths: readonly string[]): Promise<SourcesHash> {
  const files: Record<string, FileHash> = {};
  for (const p of paths) {
    const abs = toPosix(resolve(p));
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(abs);
    } catch {
      throw new Error(`Cannot hash stage input files: "${p}" does not exist`);
    }
    if (info.isDirectory) {
      for (const f of await listFiles(abs)) files[`${abs}/${f}`] = await hashFile(join(abs, f));
    } else {
      files[abs] = await hashFile(abs);
    }
  }
  const sorted = Object.keys(files).sort(compareCodeUnits);
  const ordered: Record<string, FileHash> = {};
  for (const k of sorted) ordered[k] = files[k];
  const hash = sha256Hex(canonicalJson(sorted.map((k) => [k, files[k].sha256])));
  return { hash, files: ordered };
}

/** Everything that identifies one stage result. */
export interface KeyParts {
  /** Stage name. */
  stage: string;
  /** Resolved parameters. */
  params: unknown;
  /** Upstream stage name → its result key. */
  inputs: Record<string, string>;
  /** Hash of the stage's source files ({@link hashSources}). */
  sources: string;
  /** Hash of the stage's declared input files, when it has any (left out of the key otherwise). */
  inputFiles?: string;
  /** The running tfjs backend's name, or null for a backend-independent stage. */
  backend: string | null;
}

/**
 * The cache key of a stage result: SHA-256 over the canonical JSON of
 * {@link KeyParts}.
 *
 * @example
 * ```ts
 * import { cacheKey } from "./hash.ts";
 * const key = cacheKey({ stage: "approx", params: { n: 4 }, inputs: {}, sources: "00", backend: "cpu" });
 * key.length; // 64
 * ```
 */
export function cacheKey(parts: KeyParts): string {
  return sha256Hex(canonicalJson({ format: 1, ...parts }));
}
