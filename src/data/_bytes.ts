/**
 * Small byte helpers shared by the readers: gzip detection and inflation,
 * checksums, existence checks.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { isNotFound } from "../io/files.ts";
import { DatasetError } from "./errors.ts";

/** Whether `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates gzip data, or returns `bytes` unchanged when it is not gzipped. */
export function maybeGunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new DatasetError(
      `Cannot read ${name}: corrupt or truncated gzip data (${firstLine(e)})`,
    );
  }
}

/** Hex digest of `bytes` (`sha256` or `md5`). */
export function digest(bytes: Uint8Array, algorithm: "sha256" | "md5"): string {
  return createHash(algorithm).update(bytes).digest("hex");
}

/** The first line of an error's message. */
export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0];
}

/** Whether a file or folder exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}
