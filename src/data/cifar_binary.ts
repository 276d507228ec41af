/**
 * The official CIFAR-10 binary release: `data_batch_1.bin` … `data_batch_5.bin`
 * and `test_batch.bin` (10000 records each), where a record is one label byte
 * followed by 3072 pixel bytes as three 32×32 planes (R, then G, then B). The
 * batches are read from a folder or straight out of `cifar-10-binary.tar.gz`.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { isNotFound, readBytes } from "../io/files.ts";
import { DatasetError } from "./errors.ts";
import { checkLabels } from "./idx.ts";
import { readTarEntries } from "./tar.ts";
import type { ImageSplit } from "./types.ts";

/** Bytes in one CIFAR-10 binary record: 1 label + 32·32·3 pixels. */
export const CIFAR_RECORD_BYTES: number = 1 + 32 * 32 * 3;
/** Training batch file names, in the order their records are concatenated. */
export const CIFAR_TRAIN_BATCHES: readonly string[] = [1, 2, 3, 4, 5].map((i) =>
  `data_batch_${i}.bin`
);
/** Test batch file name. */
export const CIFAR_TEST_BATCH = "test_batch.bin";
/** Records in one official batch file. */
export const CIFAR_RECORDS_PER_BATCH = 10000;

/**
 * Parses one CIFAR-10 binary batch into NHWC images (channel-last, RGB) and
 * labels, checking the length and every label.
 *
 * @param bytes the batch file contents
 * @param name the file name for error messages
 * @param numClasses labels must be below this (10)
 * @returns the images (`count·32·32·3` bytes, NHWC) and labels
 * @throws {DatasetError} when the length is not a whole number of records or a label is out of range
 *
 * @example Parse a one-record batch
 * ```ts
 * import { CIFAR_RECORD_BYTES, parseCifarBatch } from "./cifar_binary.ts";
 * const record = new Uint8Array(CIFAR_RECORD_BYTES);
 * record[0] = 3; // label
 * record[1] = 200; // red value of pixel (0, 0)
 * const { images, labels } = parseCifarBatch(record, "one.bin");
 * console.assert(labels[0] === 3 && images[0] === 200);
 * ```
 */
export function parseCifarBatch(bytes: Uint8Array, name: string, numClasses = 10): ImageSplit {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD_BYTES !== 0) {
    throw new DatasetError(
      `Cannot read CIFAR-10 batch ${name}: ${bytes.length} bytes is not a whole number of ` +
        `${CIFAR_RECORD_BYTES}-byte records (truncated or not a CIFAR-10 binary batch)`,
    );
  }
  const count = bytes.length / CIFAR_RECORD_BYTES;
  const plane = 32 * 32;
  const labels = new Uint8Array(count);
  const images = new Uint8Array(count * plane * 3);
  for (let r = 0; r < count; r++) {
    const base = r * CIFAR_RECORD_BYTES;
    labels[r] = bytes[base];
    const src = base + 1;
    const dst = r * plane * 3;
    for (let p = 0; p < plane; p++) {
      images[dst + 3 * p] = bytes[src + p];
      images[dst + 3 * p + 1] = bytes[src + plane + p];
      images[dst + 3 * p + 2] = bytes[src + 2 * plane + p];
    }
  }
  checkLabels(labels, numClasses, `CIFAR-10 batch ${name}`);
  return { images, labels, count };
}

/**
 * Concatenates parsed batches in order.
 *
 * @param parts parsed batches
 * @returns one split holding all records
 */
export function concatSplits(parts: readonly ImageSplit[]): ImageSplit {
  const count = parts.reduce((a, p) => a + p.count, 0);
  const imageBytes = parts.reduce((a, p) => a + p.images.length, 0);
  const images = new Uint8Array(imageBytes);
  const labels = new Uint8Array(count);
  let io = 0, lo = 0;
  for (const p of parts) {
    images.set(p.images, io);
    labels.set(p.labels, lo);
    io += p.images.length;
    lo += p.count;
  }
  return { images, labels, count };
}

/** The official CIFAR-10 train (50000) and test (10000) records. */
export interface CifarBinaryData {
  /** Records of data_batch_1..5, in order. */
  train: ImageSplit;
  /** Records of test_batch. */
  test: ImageSplit;
  /** The batch files read (name inside the folder or archive), for provenance. */
  files: { name: string; bytes: number }[];
}

function assemble(
  files: Map<string, Uint8Array>,
  where: string,
  strictCounts: boolean,
): CifarBinaryData {
  const read = (file: string): ImageSplit => {
    const bytes = files.get(file);
    if (!bytes) {
      throw new DatasetError(`Cannot read CIFAR-10 binary batches in ${where}: ${file} is missing`);
    }
    const split = parseCifarBatch(bytes, `${where}/${file}`);
    if (strictCounts && split.count !== CIFAR_RECORDS_PER_BATCH) {
      throw new DatasetError(
        `Cannot read CIFAR-10 batch ${where}/${file}: ${split.count} records, expected ${CIFAR_RECORDS_PER_BATCH}`,
      );
    }
    return split;
  };
  const train = concatSplits(CIFAR_TRAIN_BATCHES.map(read));
  const test = read(CIFAR_TEST_BATCH);
  const names = [...CIFAR_TRAIN_BATCHES, CIFAR_TEST_BATCH];
  return {
    train,
    test,
    files: names.map((n) => ({ name: n, bytes: files.get(n)!.length })),
  };
}

const BATCH_NAMES = new Set([...CIFAR_TRAIN_BATCHES, CIFAR_TEST_BATCH]);

/**
 * Reads the CIFAR-10 binary batches from a folder (the batches directly inside
 * it or inside its `cifar-10-batches-bin/` subfolder).
 *
 * @param dir the folder
 * @param strictCounts require 10000 records per batch (the official release)
 * @returns train and test records
 * @throws {DatasetError} when a batch is missing or corrupt
 */
export async function readCifarBinaryFolder(
  dir: string,
  strictCounts = true,
): Promise<CifarBinaryData> {
  let base = dir;
  try {
    await stat(join(dir, CIFAR_TEST_BATCH));
  } catch {
    base = join(dir, "cifar-10-batches-bin");
  }
  const files = new Map<string, Uint8Array>();
  for (const name of BATCH_NAMES) {
    try {
      files.set(name, await readBytes(join(base, name)));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return assemble(files, base, strictCounts);
}

/**
 * Whether an archive entry or file name is one of the six CIFAR-10 batch files.
 *
 * @param name a path; only its last component counts
 */
export function isCifarBatchName(name: string): boolean {
  return BATCH_NAMES.has(name.split("/").pop()!);
}

/**
 * Assembles the CIFAR-10 binary batches from archive entries (any folder
 * prefix; the last path component must be the batch file name).
 *
 * @param entries archive entries holding the six batch files
 * @param name the archive name for messages
 * @param strictCounts require 10000 records per batch (the official release)
 * @returns train and test records
 * @throws {DatasetError} when a batch is missing or corrupt
 */
export function cifarBinaryFromEntries(
  entries: readonly { name: string; data: Uint8Array }[],
  name: string,
  strictCounts = true,
): CifarBinaryData {
  const files = new Map<string, Uint8Array>();
  for (const e of entries) {
    if (isCifarBatchName(e.name)) files.set(e.name.split("/").pop()!, e.data);
  }
  return assemble(files, name, strictCounts);
}

/**
 * Reads the CIFAR-10 binary batches out of `cifar-10-binary.tar.gz` (or any
 * tar/tar.gz holding the six batch files) in memory.
 *
 * @param bytes the archive contents
 * @param name the archive name for messages
 * @param strictCounts require 10000 records per batch (the official release)
 * @returns train and test records
 * @throws {DatasetError} when a batch is missing or corrupt
 *
 * @example Read the official archive
 * ```ts
 * import { readCifarBinaryArchive } from "./cifar_binary.ts";
 * const path = "cifar-10-binary.tar.gz";
 * const { train, test } = await readCifarBinaryArchive(await Deno.readFile(path), path);
 * console.log(train.count, test.count); // 50000 10000
 * ```
 */
export async function readCifarBinaryArchive(
  bytes: Uint8Array,
  name: string,
  strictCounts = true,
): Promise<CifarBinaryData> {
  const entries = await readTarEntries(bytes, name, isCifarBatchName);
  return cifarBinaryFromEntries(entries, name, strictCounts);
}
