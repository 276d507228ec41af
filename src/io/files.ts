/**
 * Atomic file writes and small file tests, shared by the domain modules
 * (datasets) and the pipeline: each file appears under its final name only
 * when complete, so a killed run never leaves a truncated file that looks
 * finished. Temporary files carry the {@link TEMP_SUFFIX}; the runner deletes
 * stale ones before resuming a stage and never hashes them.
 *
 * Built on `node:fs`, so the library's file readers and writers run unchanged
 * in Deno and in Node.
 *
 * @module
 */
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import process from "node:process";

/** Suffix of the temporary files written by {@link writeFileAtomic}. */
export const TEMP_SUFFIX = ".fgtmp";

let counter = 0;

/**
 * Writes `data` to `path` atomically: into a temporary file beside it, then a
 * rename. Creates missing parent folders.
 *
 * @param path Destination file.
 * @param data Text (written as UTF-8) or bytes.
 *
 * @example Write a unit's result inside a stage
 * ```ts
 * import { writeFileAtomic } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/unit_0.txt`, "done\n");
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${counter++}${TEMP_SUFFIX}`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/**
 * Writes a value as pretty JSON (2-space indent, final newline), atomically.
 *
 * @example
 * ```ts
 * import { writeJsonAtomic } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * await writeJsonAtomic(`${dir}/meta.json`, { n: 4 });
 * ```
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** Whether `e` says that a file or folder does not exist (`ENOENT`). */
export function isNotFound(e: unknown): boolean {
  return (e as { code?: unknown })?.code === "ENOENT";
}

/** Whether `path` exists and is a regular file (e.g. a completed unit of work). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Whether `path` exists (file, folder or link). */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Whether `path` exists and is a folder (following links). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/**
 * Reads a whole file as a plain `Uint8Array` (not a Node `Buffer`, whose
 * `slice` shares memory), in Deno and in Node.
 *
 * @example
 * ```ts
 * import { readBytes, writeFileAtomic } from "./files.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/b.bin`, new Uint8Array([1, 2, 3]));
 * console.log((await readBytes(`${dir}/b.bin`)).length); // 3
 * ```
 */
export async function readBytes(path: string): Promise<Uint8Array> {
  const b = await readFile(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Reads a whole file as UTF-8 text. */
export function readText(path: string): Promise<string> {
  return readFile(path, "utf8");
}

/** One entry of {@link listDir}: its name and whether it is a file or a folder (links not followed). */
export interface DirEntry {
  /** The entry's name inside the folder. */
  name: string;
  /** Whether it is a regular file. */
  isFile: boolean;
  /** Whether it is a folder. */
  isDirectory: boolean;
}

/** The entries of a folder, in the order the file system gives them. */
export async function listDir(dir: string): Promise<DirEntry[]> {
  return (await readdir(dir, { withFileTypes: true })).map((e) => ({
    name: e.name,
    isFile: e.isFile(),
    isDirectory: e.isDirectory(),
  }));
}

/**
 * Deletes every leftover temporary file (name ending in {@link TEMP_SUFFIX})
 * under `dir`, recursively.
 *
 * @returns How many files were removed.
 */
export async function removeTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await listDir(dir)) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory) removed += await removeTempFiles(abs);
    else if (entry.name.endsWith(TEMP_SUFFIX)) {
      await rm(abs);
      removed++;
    }
  }
  return removed;
}
