/**
 * Downloads with a timeout and checksum verification (MD5 and/or SHA-256, as
 * published beside the canonical files). The file is kept in memory; nothing
 * is written unless the checksum matches.
 *
 * @module
 */
import { digest, firstLine } from "./_bytes.ts";
import { DatasetError } from "./errors.ts";
import type { DownloadSpec } from "./specs.ts";

/** The fetch function used for downloads (injectable for tests). */
export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

/** Options of {@link downloadVerified}. */
export interface DownloadOptions {
  /** Fetch implementation (default: global fetch). */
  fetch?: FetchFn;
  /** Give up when no byte arrives for this long, in milliseconds (default 30000). */
  idleTimeoutMs?: number;
  /** Progress and mirror-failure lines. */
  log?: (message: string) => void;
}

/** A downloaded file that matched its published checksum. */
export interface Downloaded {
  /** The URL it came from. */
  url: string;
  /** The contents. */
  bytes: Uint8Array;
  /** Hex checksums. */
  md5: string;
  /** Hex SHA-256. */
  sha256: string;
}

/** A download that failed for a network reason (not a checksum mismatch). */
export class DownloadError extends Error {
  /** Always `"DownloadError"`. */
  override name = "DownloadError";
}

async function fetchBytes(url: string, fetchFn: FetchFn, idleMs: number): Promise<Uint8Array> {
  const ctrl = new AbortController();
  let timer = setTimeout(() => ctrl.abort(), idleMs);
  const bump = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(), idleMs);
  };
  try {
    const res = await fetchFn(url, { signal: ctrl.signal });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new DownloadError(`HTTP ${res.status} ${res.statusText}`.trim());
    }
    const chunks: Uint8Array[] = [];
    let length = 0;
    const reader = res.body.getReader();
    for (;;) {
      bump();
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
    const out = new Uint8Array(length);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  } catch (e) {
    if (e instanceof DownloadError) throw e;
    const why = ctrl.signal.aborted ? `no data for ${idleMs / 1000} s` : firstLine(e);
    throw new DownloadError(why);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Downloads a file from the first mirror that answers and checks it against
 * the published checksum(s).
 *
 * @param spec URLs and checksums
 * @param opts fetch, timeout, log
 * @returns the verified contents and their checksums
 * @throws {DownloadError} when every mirror failed (offline, HTTP error, timeout)
 * @throws {DatasetError} when a download does not match its checksum
 *
 * @example Download CIFAR-10 with its MD5 checked
 * ```ts
 * import { downloadVerified } from "./download.ts";
 * import { CIFAR10 } from "./specs.ts";
 * const file = await downloadVerified(CIFAR10.downloads[0], { idleTimeoutMs: 30000 });
 * console.log(file.url, file.md5, file.bytes.length);
 * ```
 */
export async function downloadVerified(
  spec: DownloadSpec,
  opts: DownloadOptions = {},
): Promise<Downloaded> {
  const fetchFn = opts.fetch ?? fetch;
  const idleMs = opts.idleTimeoutMs ?? 30000;
  const failures: string[] = [];
  for (const url of spec.urls) {
    let bytes: Uint8Array;
    try {
      opts.log?.(`downloading ${url}`);
      bytes = await fetchBytes(url, fetchFn, idleMs);
    } catch (e) {
      failures.push(`${url}: ${firstLine(e)}`);
      opts.log?.(`download failed: ${url}: ${firstLine(e)}`);
      continue;
    }
    const md5 = digest(bytes, "md5");
    const sha256 = digest(bytes, "sha256");
    if (spec.md5 && md5 !== spec.md5) {
      throw new DatasetError(
        `Checksum mismatch for ${url}: md5 ${md5}, expected ${spec.md5} (corrupt or changed download)`,
      );
    }
    if (spec.sha256 && sha256 !== spec.sha256) {
      throw new DatasetError(
        `Checksum mismatch for ${url}: sha256 ${sha256}, expected ${spec.sha256} (corrupt or changed download)`,
      );
    }
    return { url, bytes, md5, sha256 };
  }
  throw new DownloadError(`Cannot download ${spec.file}: ${failures.join("; ")}`);
}
