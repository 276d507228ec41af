/**
 * Datasets: readers for IDX (MNIST), the CIFAR-10 binary batches and
 * image folders (a folder or a tar.gz read in memory), downloads with
 * checksums, the seeded train/validation split, normalisation, and the
 * prepared-dataset files that the data stage writes and the trainer reads.
 *
 * @example Read a prepared dataset and normalise a batch
 * ```ts
 * import { normalizedBatch, readPreparedDataset } from "./mod.ts";
 * const { meta, train } = await readPreparedDataset("results/latest/data", "cifar10");
 * const x = normalizedBatch(train, [0, 1], meta); // 2·32·32·3 floats, NHWC
 * console.log(meta.classes[train.labels[0]], x[0]);
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./types.ts";
export * from "./specs.ts";
export * from "./idx.ts";
export * from "./cifar_binary.ts";
export * from "./decode.ts";
export * from "./image_folder.ts";
export * from "./tar.ts";
export * from "./download.ts";
export * from "./split.ts";
export * from "./normalize.ts";
export * from "./sources.ts";
export * from "./prepared.ts";
