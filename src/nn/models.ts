/**
 * One entry point for the paper's models: `fc` (§4.4), `resnet18` and `vit`
 * (§4.5), built for a dataset's input shape (MNIST 28×28×1, CIFAR-10
 * 32×32×3). Every model takes flat `[B, H·W·C]` batches (NHWC order, as the
 * data sources produce them) or images `[B, H, W, C]`.
 *
 * @module
 */
import { createFc } from "./fc.ts";
import type { Model } from "./model.ts";
import { createResNet18 } from "./resnet18.ts";
import { createVit } from "./vit.ts";

/** `--model` values. */
export const MODEL_NAMES = ["fc", "resnet18", "vit"] as const;
/** One of {@link MODEL_NAMES}. */
export type ModelName = typeof MODEL_NAMES[number];

/** Input shapes of the paper's datasets: height, width, channels. */
export const DATASET_SHAPES: Readonly<Record<string, readonly [number, number, number]>> = {
  mnist: [28, 28, 1],
  cifar10: [32, 32, 3],
};

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** fc, resnet18 or vit. */
  model: ModelName;
  /** Input shape [H, W, C] (see {@link DATASET_SHAPES}). */
  inputShape: readonly [number, number, number];
  /** Number of classes (10). */
  numClasses?: number;
  /** Init seed. */
  seed: number;
  /** FC hidden width (required for fc). */
  width?: number;
}

/**
 * Creates one of the paper's models at full size.
 *
 * @example ResNet18 for MNIST
 * ```ts
 * import { createModel, DATASET_SHAPES } from "./models.ts";
 * import { parameterCount } from "./model.ts";
 * const m = createModel({ model: "resnet18", inputShape: DATASET_SHAPES.mnist, seed: 0 });
 * console.assert(parameterCount(m) === 11175370);
 * ```
 */
export function createModel(opts: CreateModelOptions): Model {
  const [h, w, c] = opts.inputShape;
  const numClasses = opts.numClasses ?? 10;
  if (h !== w) {
    throw new RangeError(
      `Cannot create ${opts.model} model: expected square images, got ${h}×${w}`,
    );
  }
  switch (opts.model) {
    case "fc":
      if (opts.width === undefined) {
        throw new RangeError("Cannot create fc model: width is required");
      }
      return createFc({ width: opts.width, inputSize: h * w * c, numClasses, seed: opts.seed });
    case "resnet18":
      return createResNet18({ inChannels: c, imageSize: h, numClasses, seed: opts.seed });
    case "vit":
      return createVit({ inChannels: c, imageSize: h, numClasses, seed: opts.seed });
    default:
      throw new RangeError(
        `Unknown model "${opts.model}": expected one of ${MODEL_NAMES.join(", ")}`,
      );
  }
}
