/**
 * What each supported dataset is: image shape, class names, official split
 * sizes, the validation split size, normalisation constants (reference spec
 * §4.2) and the canonical downloads with their checksums.
 *
 * @module
 */

/** Names of the datasets the project prepares. */
export const DATASET_NAMES = ["mnist", "cifar10"] as const;
/** One of {@link DATASET_NAMES}. */
export type DatasetName = typeof DATASET_NAMES[number];

/** One canonical download: URL and published checksum(s). */
export interface DownloadSpec {
  /** File name the download is known by (also its name inside the source record). */
  file: string;
  /** Mirror URLs, tried in order. */
  urls: readonly string[];
  /** Published MD5 (hex), if any. */
  md5?: string;
  /** Published SHA-256 (hex), if any. */
  sha256?: string;
}

/** Static facts about a dataset. */
export interface DatasetSpec {
  /** Short name (`mnist`, `cifar10`). */
  name: DatasetName;
  /** Human name for messages. */
  title: string;
  /** Image height, width and channels. */
  shape: readonly [number, number, number];
  /** Class names; the index is the label. */
  classes: readonly string[];
  /** Official number of training images (before the validation split). */
  trainCount: number;
  /** Official number of test images. */
  testCount: number;
  /** Images moved from the official training set into the validation split. */
  valCount: number;
  /** Per-channel normalisation mean, on pixels scaled to [0, 1]. */
  mean: readonly number[];
  /** Per-channel normalisation standard deviation, on pixels scaled to [0, 1]. */
  std: readonly number[];
  /** Flag that points at a local copy. */
  flag: string;
  /** Environment variable that points at a local copy. */
  env: string;
  /** Canonical downloads. */
  downloads: readonly DownloadSpec[];
}

const MNIST_MIRRORS = [
  "https://ossci-datasets.s3.amazonaws.com/mnist/",
  "https://yann.lecun.com/exdb/mnist/",
];

function mnistFile(file: string, md5: string): DownloadSpec {
  return { file, urls: MNIST_MIRRORS.map((m) => m + file), md5 };
}

/** MNIST: 28×28×1, 60000 train (50000 + 10000 validation), 10000 test; mean 0.1307, std 0.3081. */
export const MNIST: DatasetSpec = {
  name: "mnist",
  title: "MNIST",
  shape: [28, 28, 1],
  classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  trainCount: 60000,
  testCount: 10000,
  valCount: 10000,
  mean: [0.1307],
  std: [0.3081],
  flag: "mnist-dir",
  env: "FG_MNIST_DIR",
  downloads: [
    mnistFile("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    mnistFile("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    mnistFile("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    mnistFile("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
  ],
};

/** CIFAR-10 class names in label order (also their alphabetical order). */
export const CIFAR10_CLASSES: readonly string[] = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

/**
 * CIFAR-10: 32×32×3, 50000 train (40000 + 10000 validation), 10000 test;
 * mean [125.3, 123.0, 113.9]/255, std [63.0, 62.1, 66.7]/255.
 */
export const CIFAR10: DatasetSpec = {
  name: "cifar10",
  title: "CIFAR-10",
  shape: [32, 32, 3],
  classes: CIFAR10_CLASSES,
  trainCount: 50000,
  testCount: 10000,
  valCount: 10000,
  mean: [125.3 / 255, 123.0 / 255, 113.9 / 255],
  std: [63.0 / 255, 62.1 / 255, 66.7 / 255],
  flag: "cifar10-path",
  env: "FG_CIFAR10_PATH",
  downloads: [{
    file: "cifar-10-binary.tar.gz",
    urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"],
    md5: "c32a1d4ab5d03f1284b67883e8d87530",
  }],
};

/** The spec of a dataset by name. */
export function datasetSpec(name: DatasetName): DatasetSpec {
  return name === "mnist" ? MNIST : CIFAR10;
}
