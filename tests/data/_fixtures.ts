/**
 * Small synthetic dataset files for the data tests: tar(.gz) archives built
 * in memory with tar-stream, JPEG/PNG images of one colour, CIFAR-10 binary
 * records.
 *
 * @module
 */
import tarStream from "npm:tar-stream@3.2.2";
import jpeg from "npm:jpeg-js@0.4.4";
import { PNG } from "npm:pngjs@7.0.0";
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";

/** Builds a tar archive (gzipped unless `gzip` is false) holding `files`. */
export async function makeTar(
  files: readonly { name: string; data: Uint8Array }[],
  gzip = true,
): Promise<Uint8Array> {
  const pack = tarStream.pack();
  const chunks: Uint8Array[] = [];
  pack.on("data", (c: unknown) => chunks.push(c as Uint8Array));
  const done = new Promise<void>((resolve, reject) => {
    pack.on("end", () => resolve());
    pack.on("error", (e: unknown) => reject(e));
  });
  for (const f of files) {
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { name: f.name, size: f.data.length },
        Buffer.from(f.data),
        (err) => err ? reject(err) : resolve(),
      )
    );
  }
  pack.finalize();
  await done;
  const tar = new Uint8Array(Buffer.concat(chunks));
  return gzip ? new Uint8Array(gzipSync(tar)) : tar;
}

/** A `w×h` JPEG (quality 100) filled with one RGB colour. */
export function solidJpeg(w: number, h: number, rgb: readonly number[]): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) data.set([rgb[0], rgb[1], rgb[2], 255], 4 * p);
  return new Uint8Array(jpeg.encode({ data, width: w, height: h }, 100).data);
}

/** A `w×h` PNG whose pixel p has RGB (p, 2p, 3p) mod 256. */
export function patternPng(w: number, h: number): Uint8Array {
  const png = new PNG({ width: w, height: h });
  for (let p = 0; p < w * h; p++) {
    png.data[4 * p] = p % 256;
    png.data[4 * p + 1] = (2 * p) % 256;
    png.data[4 * p + 2] = (3 * p) % 256;
    png.data[4 * p + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png));
}

/** RGB value of pixel p in {@link patternPng}. */
export function patternValue(p: number, channel: number): number {
  return ((channel + 1) * p) % 256;
}

/**
 * CIFAR-10 binary records: record r has label `labels[r]` and the pixel of
 * plane c at position p equal to (r + 7c + p) mod 256.
 */
export function cifarRecords(labels: readonly number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((l, r) => {
    out[r * 3073] = l;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) out[r * 3073 + 1 + c * 1024 + p] = (r + 7 * c + p) % 256;
    }
  });
  return out;
}
