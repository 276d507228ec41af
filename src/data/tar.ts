/**
 * Reading (gzipped) tar archives in memory, without extracting them to disk,
 * via the npm `tar-stream` parser and node:zlib.
 *
 * @module
 */
import tarStream from "npm:tar-stream@3.2.2";
import { firstLine, maybeGunzip } from "./_bytes.ts";
import { DatasetError } from "./errors.ts";

/** One regular file from an archive. */
export interface TarEntry {
  /** Path inside the archive, with `/` separators and no leading `./`. */
  name: string;
  /** File contents. */
  data: Uint8Array;
}

/**
 * Reads every regular file of a tar or tar.gz archive held in memory whose
 * name passes `keep` (all files when omitted).
 *
 * @param bytes archive contents (gzip is detected by its magic number)
 * @param name archive name for error messages
 * @param keep filter on the entry name; skipped entries are not copied
 * @returns the kept files in archive order
 * @throws {DatasetError} for corrupt or truncated archives
 *
 * @example Read one file from an archive
 * ```ts
 * import { readTarEntries } from "./tar.ts";
 * const bytes = await Deno.readFile("archive.tar.gz");
 * const entries = await readTarEntries(bytes, "archive.tar.gz", (n) => n.endsWith(".bin"));
 * console.log(entries.map((e) => e.name));
 * ```
 */
export async function readTarEntries(
  bytes: Uint8Array,
  name: string,
  keep: (entryName: string) => boolean = () => true,
): Promise<TarEntry[]> {
  const raw = maybeGunzip(bytes, name);
  const entries: TarEntry[] = [];
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const entryName = header.name.replace(/^(\.\/)+/, "");
      const wanted = header.type === "file" && keep(entryName);
      const chunks: Uint8Array[] = [];
      let length = 0;
      stream.on("data", (value) => {
        if (wanted) {
          const chunk = value as Uint8Array;
          chunks.push(chunk);
          length += chunk.length;
        }
      });
      stream.on("error", (e: unknown) => reject(e));
      stream.on("end", () => {
        if (wanted) {
          let data: Uint8Array;
          if (chunks.length === 1) data = new Uint8Array(chunks[0]);
          else {
            data = new Uint8Array(length);
            let o = 0;
            for (const c of chunks) {
              data.set(c, o);
              o += c.length;
            }
          }
          entries.push({ name: entryName, data });
        }
        next();
      });
      stream.resume();
    });
    extract.on("finish", () => resolve());
    extract.on("error", (e: unknown) => reject(e));
  });
  try {
    extract.end(raw);
    await done;
  } catch (e) {
    throw new DatasetError(`Cannot read tar archive ${name}: ${firstLine(e)}`);
  }
  return entries;
}
