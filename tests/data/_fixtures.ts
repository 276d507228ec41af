/**
 * Synthetic dataset files for the data tests, so they need nothing beside the
 * checkout: tar(.gz) archives built in memory with tar-stream, JPEG/PNG
 * images, CIFAR-10 binary records and a CIFAR-10 image-folder archive whose
 * every pixel is known.
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

/** A `w×h` PNG whose pixel p, channel c (0 = R) is `value(p, c)`. */
export function rgbPng(w: number, h: number, value: (p: number, c: number) => number): Uint8Array {
  const png = new PNG({ width: w, height: h });
  for (let p = 0; p < w * h; p++) {
    for (let c = 0; c < 3; c++) png.data[4 * p + c] = value(p, c);
    png.data[4 * p + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png));
}

/** Distinct images per class and split in {@link cifarImageFolderArchive} (image i shows variant i mod this). */
export const FOLDER_VARIANTS = 3;

/**
 * Pixel p, channel c of image `i` (its index within its class) of class
 * `cls` in split `split` of {@link cifarImageFolderArchive}: differs between
 * splits, classes, variants, pixels and channels.
 */
export function folderPixel(
  split: "train" | "test",
  cls: number,
  i: number,
  p: number,
  c: number,
): number {
  return (p + 37 * cls + 11 * (i % FOLDER_VARIANTS) + (split === "test" ? 101 : 0) + 50 * c) % 256;
}

/**
 * A CIFAR-10 image-folder archive as the shared copy has it
 * (`train|test/<class>/<5-digit index>.png`, 32×32 RGB, lossless so every
 * pixel is {@link folderPixel}), with `perClass.train` and `perClass.test`
 * images of each class, written in reverse class order so that the reader's
 * sorting is exercised.
 */
export async function cifarImageFolderArchive(
  classes: readonly string[],
  perClass: { train: number; test: number },
): Promise<Uint8Array> {
  const files: { name: string; data: Uint8Array }[] = [];
  for (const split of ["test", "train"] as const) {
    for (let cls = classes.length - 1; cls >= 0; cls--) {
      const variants = Array.from(
        { length: FOLDER_VARIANTS },
        (_, v) => rgbPng(32, 32, (p, c) => folderPixel(split, cls, v, p, c)),
      );
      for (let i = 0; i < perClass[split]; i++) {
        files.push({
          name: `${split}/${classes[cls]}/${String(i).padStart(5, "0")}.png`,
          data: variants[i % FOLDER_VARIANTS],
        });
      }
    }
  }
  return await makeTar(files);
}
