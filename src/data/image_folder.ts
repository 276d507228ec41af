/**
 * Image-folder import: `<split>/<class>/<image>.jpg|.jpeg|.png` (optionally
 * below one or more leading folders), read from a folder or from a tar/tar.gz
 * archive in memory without extracting it. Classes are sorted alphabetically
 * and numbered in that order; images within a class are sorted by file name.
 *
 * @module
 */
import { join, relative } from "node:path";
import { listDir, readBytes } from "../io/files.ts";
import { digest, firstLine } from "./_bytes.ts";
import { decodeImage } from "./decode.ts";
import { DatasetError } from "./errors.ts";
import { readTarEntries } from "./tar.ts";
import type { ImageSplit } from "./types.ts";

/** File name endings recognised as images (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".png"];

/** Whether a path names a supported image file. */
export function isImagePath(path: string): boolean {
  const lower = path.toLowerCase();
  const base = lower.split("/").pop()!;
  return !base.startsWith(".") && IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** A decoded image folder. */
export interface ImageFolderData {
  /** Class names, sorted; the index is the label. */
  classes: string[];
  /** Image height, width, channels (the same for every image). */
  shape: [number, number, number];
  /** Splits by folder name (`train`, `test`, …), each sorted by class then file name. */
  splits: Record<string, ImageSplit>;
  /** Number of image files read. */
  fileCount: number;
  /**
   * SHA-256 over the sorted lines `<split>/<class>/<file>\t<SHA-256 of the file>`:
   * identifies the folder's contents whatever folder or archive holds them.
   */
  treeSha256: string;
}

/** Options of the image-folder readers. */
export interface ImageFolderOptions {
  /** Channels to keep: 3 (RGB, the default) or 1 (grayscale images only). */
  channels?: 1 | 3;
  /** Required image height and width, if known. */
  size?: readonly [number, number];
}

interface Item {
  split: string;
  cls: string;
  file: string;
  path: string;
  data: Uint8Array;
}

/**
 * Builds an image folder from (path, bytes) pairs; the readers below feed it.
 *
 * @param files image files with paths relative to the folder or archive root
 * @param where the folder or archive, for messages
 * @param opts channels and required size
 * @returns classes, shape and the decoded splits
 * @throws {DatasetError} on a misplaced or undecodable image, a size mismatch, or a split missing a class
 */
export function buildImageFolder(
  files: readonly { path: string; data: Uint8Array }[],
  where: string,
  opts: ImageFolderOptions = {},
): ImageFolderData {
  const channels = opts.channels ?? 3;
  const items: Item[] = [];
  for (const f of files) {
    if (!isImagePath(f.path)) continue;
    const parts = f.path.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.length < 3) {
      throw new DatasetError(
        `Cannot import image folder ${where}: ${f.path} is not inside a <split>/<class>/ folder`,
      );
    }
    const n = parts.length;
    items.push({
      split: parts[n - 3],
      cls: parts[n - 2],
      file: parts[n - 1],
      path: f.path,
      data: f.data,
    });
  }
  if (items.length === 0) {
    throw new DatasetError(
      `Cannot import image folder ${where}: no ${
        IMAGE_EXTENSIONS.join("/")
      } images found in <split>/<class>/ folders`,
    );
  }
  const classes = [...new Set(items.map((i) => i.cls))].sort(compare);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const splitNames = [...new Set(items.map((i) => i.split))].sort(compare);
  for (const s of splitNames) {
    const present = new Set(items.filter((i) => i.split === s).map((i) => i.cls));
    const missing = classes.filter((c) => !present.has(c));
    if (missing.length > 0) {
      throw new DatasetError(
        `Cannot import image folder ${where}: split ${s} has no images of class ${
          missing.join(", ")
        }`,
      );
    }
  }
  items.sort((a, b) =>
    compare(a.split, b.split) || classIndex.get(a.cls)! - classIndex.get(b.cls)! ||
    compare(a.file, b.file)
  );
  let height = opts.size?.[0] ?? 0;
  let width = opts.size?.[1] ?? 0;
  const splits: Record<string, ImageSplit> = {};
  for (const s of splitNames) {
    const group = items.filter((i) => i.split === s);
    let images = new Uint8Array(0);
    const labels = new Uint8Array(group.length);
    group.forEach((item, k) => {
      const name = `${where}: ${item.path}`;
      let img;
      try {
        img = decodeImage(item.data, item.path);
      } catch (e) {
        throw new DatasetError(`Cannot import image folder ${name}: ${firstLine(e)}`);
      }
      if (height === 0) {
        height = img.height;
        width = img.width;
      }
      if (img.height !== height || img.width !== width) {
        throw new DatasetError(
          `Cannot import image folder ${name}: image is ${img.height}×${img.width}, expected ${height}×${width}`,
        );
      }
      const size = height * width * channels;
      if (images.length === 0) images = new Uint8Array(group.length * size);
      const dst = k * size;
      if (channels === 3) images.set(img.rgb, dst);
      else {
        for (let p = 0, q = 0; p < height * width; p++, q += 3) {
          const r = img.rgb[q];
          if (img.rgb[q + 1] !== r || img.rgb[q + 2] !== r) {
            throw new DatasetError(
              `Cannot import image folder ${name}: image is in colour, expected grayscale`,
            );
          }
          images[dst + p] = r;
        }
      }
      labels[k] = classIndex.get(item.cls)!;
    });
    splits[s] = { images, labels, count: group.length };
  }
  // Paths from the split folder down, so a leading folder does not change the hash.
  const tree = items.map((i) => `${i.split}/${i.cls}/${i.file}\t${digest(i.data, "sha256")}\n`)
    .sort(compare).join("");
  return {
    classes,
    shape: [height, width, channels],
    splits,
    fileCount: items.length,
    treeSha256: digest(new TextEncoder().encode(tree), "sha256"),
  };
}

/** Code-unit string order (locale-independent, so the numbering never changes between machines). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Imports an image folder held in a tar or tar.gz archive, in memory.
 *
 * @param bytes archive contents
 * @param name archive name for messages
 * @param opts channels and required size
 * @returns classes, shape and the decoded splits
 * @throws {DatasetError} naming the archive and the entry at fault
 *
 * @example Import the CIFAR-10 image-folder archive
 * ```ts
 * import { readImageFolderArchive } from "./image_folder.ts";
 * const path = "../shared/datasets/cifar10-images.tar.gz";
 * const data = await readImageFolderArchive(await Deno.readFile(path), path);
 * console.log(data.classes, data.splits.train.count, data.splits.test.count);
 * ```
 */
export async function readImageFolderArchive(
  bytes: Uint8Array,
  name: string,
  opts: ImageFolderOptions = {},
): Promise<ImageFolderData> {
  const entries = await readTarEntries(bytes, name, isImagePath);
  return buildImageFolder(entries.map((e) => ({ path: e.name, data: e.data })), name, opts);
}

/**
 * Imports an image folder from disk (`<dir>/<split>/<class>/*.jpg|png`).
 *
 * @param dir the folder
 * @param opts channels and required size
 * @returns classes, shape and the decoded splits
 * @throws {DatasetError} naming the folder and the file at fault
 */
export async function readImageFolderDir(
  dir: string,
  opts: ImageFolderOptions = {},
): Promise<ImageFolderData> {
  const files: { path: string; data: Uint8Array }[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await listDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.isFile && isImagePath(e.name)) {
        files.push({ path: relative(dir, p).split("\\").join("/"), data: await readBytes(p) });
      }
    }
  };
  await walk(dir);
  return buildImageFolder(files, dir, opts);
}
