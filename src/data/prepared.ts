/**
 * The data stage's output format and its reader. Per dataset, a folder
 * `<dataset>/` holds `meta.json` and, for each split (`train`, `val`, `test`),
 * `<split>-images.idx` (uint8 NHWC, IDX dims `[count, H, W, C]`) and
 * `<split>-labels.idx` (uint8, IDX dims `[count]`).
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readBytes, readText, writeFileAtomic } from "../io/files.ts";
import { digest, firstLine } from "./_bytes.ts";
import { DatasetError } from "./errors.ts";
import { checkLabels, encodeIdx, parseIdx } from "./idx.ts";
import { pixelStats } from "./normalize.ts";
import type { SourceAttempt, SourceRecord } from "./sources.ts";
import type { ImageSplit } from "./types.ts";

/** Split names of a prepared dataset. */
export const SPLITS = ["train", "val", "test"] as const;
/** One of {@link SPLITS}. */
export type SplitName = typeof SPLITS[number];

/** Version of the prepared-dataset layout. */
export const PREPARED_FORMAT = 1;

/** Contents of `<dataset>/meta.json`. */
export interface PreparedMeta {
  /** Layout version ({@link PREPARED_FORMAT}). */
  format: number;
  /** Dataset name (`mnist`, `cifar10`). */
  name: string;
  /** Human name. */
  title: string;
  /** Height, width, channels. */
  shape: [number, number, number];
  /** Class names; index = label. */
  classes: string[];
  /** Images per split. */
  counts: Record<SplitName, number>;
  /** Images per class, per split. */
  labelCounts: Record<SplitName, number[]>;
  /** Per-channel normalisation mean on [0, 1] pixels (reference spec §4.2). */
  mean: number[];
  /** Per-channel normalisation std on [0, 1] pixels (reference spec §4.2). */
  std: number[];
  /** Per-channel pixel mean/std measured on the training split, [0, 1] scale (for checking). */
  measured: { mean: number[]; std: number[] };
  /** How the validation split was drawn. */
  split: {
    /** Generator seed (0, independent of any run seed). */
    seed: number;
    /** Rng stream path. */
    stream: (string | number)[];
    /** Size of the official training set that was split. */
    of: number;
    /** Training images kept. */
    train: number;
    /** Validation images. */
    val: number;
    /** How the indices were used. */
    method: string;
  };
  /** The source read, with checksums of its files. */
  source: SourceRecord;
  /** Every source tried, in order. */
  sourceAttempts: SourceAttempt[];
  /** Output files per split, with SHA-256 checksums. */
  files: Record<
    SplitName,
    { images: string; labels: string; imagesSha256: string; labelsSha256: string }
  >;
}

/** What {@link writePreparedDataset} needs besides the splits. */
export type PreparedMetaInput = Omit<
  PreparedMeta,
  "format" | "counts" | "labelCounts" | "measured" | "files"
>;

function labelHistogram(labels: Uint8Array, numClasses: number): number[] {
  const h = new Array(numClasses).fill(0);
  for (const l of labels) h[l]++;
  return h;
}

/**
 * Writes one prepared dataset into `<outDir>/<name>/`: the split files first,
 * each atomically, then `meta.json` (so a folder with meta.json is complete).
 *
 * @param outDir the data stage's output folder
 * @param info meta facts (name, shape, classes, normalisation, split, source)
 * @param splits the train, val and test images and labels
 * @returns the meta written
 */
export async function writePreparedDataset(
  outDir: string,
  info: PreparedMetaInput,
  splits: Record<SplitName, ImageSplit>,
): Promise<PreparedMeta> {
  const dir = join(outDir, info.name);
  await mkdir(dir, { recursive: true });
  const [h, w, c] = info.shape;
  const files = {} as PreparedMeta["files"];
  const counts = {} as PreparedMeta["counts"];
  const labelCounts = {} as PreparedMeta["labelCounts"];
  for (const s of SPLITS) {
    const { images, labels, count } = splits[s];
    const imageBytes = encodeIdx([count, h, w, c], images);
    const labelBytes = encodeIdx([count], labels);
    const names = { images: `${s}-images.idx`, labels: `${s}-labels.idx` };
    await writeFileAtomic(join(dir, names.images), imageBytes);
    await writeFileAtomic(join(dir, names.labels), labelBytes);
    files[s] = {
      ...names,
      imagesSha256: digest(imageBytes, "sha256"),
      labelsSha256: digest(labelBytes, "sha256"),
    };
    counts[s] = count;
    labelCounts[s] = labelHistogram(labels, info.classes.length);
  }
  const meta: PreparedMeta = {
    format: PREPARED_FORMAT,
    ...info,
    counts,
    labelCounts,
    measured: pixelStats(splits.train.images, c),
    files,
  };
  await writeFileAtomic(join(dir, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
  return meta;
}

/** A prepared dataset read back: meta plus the three splits. */
export interface PreparedDataset {
  /** Contents of meta.json. */
  meta: PreparedMeta;
  /** Training split (official training set minus the validation split). */
  train: ImageSplit;
  /** Validation split. */
  val: ImageSplit;
  /** Official test set. */
  test: ImageSplit;
}

/**
 * Reads a prepared dataset written by the data stage, checking every file's
 * IDX header against meta.json (counts, image shape, label range), and
 * optionally the SHA-256 checksums.
 *
 * @param dir the data stage's output folder (holding `<name>/meta.json`)
 * @param name dataset name (`mnist`, `cifar10`)
 * @param opts `verify: true` also checks each file's SHA-256 against meta.json
 * @returns meta and the train, val and test splits (uint8 NHWC images, uint8 labels)
 * @throws {DatasetError} naming the file when it is missing, corrupt or inconsistent with meta.json
 *
 * @example Read MNIST prepared by the data stage and build a batch
 * ```ts
 * import { normalizedBatch, readPreparedDataset } from "./mod.ts";
 * const { meta, train } = await readPreparedDataset("results/latest/data", "mnist");
 * const x = normalizedBatch(train, [0, 1, 2], meta); // Float32Array of 3·28·28·1
 * console.log(meta.counts, x.length);
 * ```
 */
export async function readPreparedDataset(
  dir: string,
  name: string,
  opts: { verify?: boolean } = {},
): Promise<PreparedDataset> {
  const base = join(dir, name);
  const metaPath = join(base, "meta.json");
  let meta: PreparedMeta;
  try {
    meta = JSON.parse(await readText(metaPath));
  } catch (e) {
    throw new DatasetError(`Cannot read prepared dataset ${metaPath}: ${firstLine(e)}`);
  }
  if (meta.format !== PREPARED_FORMAT) {
    throw new DatasetError(
      `Cannot read prepared dataset ${metaPath}: format ${meta.format}, expected ${PREPARED_FORMAT} (rerun the data stage)`,
    );
  }
  const [h, w, c] = meta.shape;
  const read = async (file: string, sha: string): Promise<{ path: string; bytes: Uint8Array }> => {
    const path = join(base, file);
    let bytes: Uint8Array;
    try {
      bytes = await readBytes(path);
    } catch (e) {
      throw new DatasetError(`Cannot read prepared dataset file ${path}: ${firstLine(e)}`);
    }
    if (opts.verify && digest(bytes, "sha256") !== sha) {
      throw new DatasetError(
        `Cannot read prepared dataset file ${path}: SHA-256 differs from meta.json`,
      );
    }
    return { path, bytes };
  };
  const out = {} as Record<SplitName, ImageSplit>;
  for (const s of SPLITS) {
    const f = meta.files[s];
    const im = await read(f.images, f.imagesSha256);
    const lb = await read(f.labels, f.labelsSha256);
    const images = parseIdx(im.bytes, im.path, 4);
    const labels = parseIdx(lb.bytes, lb.path, 1);
    const count = meta.counts[s];
    const want = [count, h, w, c].join("×");
    if (images.dims.join("×") !== want) {
      throw new DatasetError(
        `Cannot read prepared dataset file ${im.path}: dimensions ${
          images.dims.join("×")
        }, meta.json says ${want}`,
      );
    }
    if (labels.dims[0] !== count) {
      throw new DatasetError(
        `Cannot read prepared dataset file ${lb.path}: count mismatch: ${
          labels.dims[0]
        } labels, meta.json says ${count}`,
      );
    }
    checkLabels(labels.data, meta.classes.length, `prepared dataset file ${lb.path}`);
    out[s] = { images: images.data, labels: labels.data, count };
  }
  return { meta, ...out };
}
