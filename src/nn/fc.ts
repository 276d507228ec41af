/**
 * The fully connected network of the paper's §4.4: Flatten → Linear(in, W) →
 * ReLU → (Linear(W, W) → ReLU) × (depth − 1) → Linear(W, classes), grouped into
 * blocks [Flatten, Linear, ReLU], [Linear, ReLU]…, [Linear] as in the original.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Rng } from "../core/rng.ts";
import { dense, denseParamGradients } from "./dense.ts";
import type { Block, Model } from "./model.ts";

/** Options of {@link createFc}. */
export interface FcOptions {
  /** Hidden width W. */
  width: number;
  /** Number of hidden layers (2 in the paper). */
  depth?: number;
  /** Per-sample input size (784 for MNIST). */
  inputSize?: number;
  /** Number of classes (10). */
  numClasses?: number;
  /** Seed of the init stream `new Rng(seed, "init")`. */
  seed: number;
}

function denseBlock(
  paramIndices: number[],
  outputSize: number,
  relu: boolean,
  flatten: boolean,
): Block {
  return {
    paramIndices,
    outputSize,
    apply(x, params, wrt) {
      const x2 = (flatten ? tf.reshape(x, [x.shape[0], -1]) : x) as tf.Tensor2D;
      // Linear and ReLU in one fused kernel; the gradient takes the ReLU mask from the output.
      return dense(
        x2,
        params[0] as tf.Tensor2D,
        params[1] as tf.Tensor1D,
        wrt,
        relu ? "relu" : "linear",
      );
    },
    paramGradients(x, y, dy) {
      const x2 = (flatten ? tf.reshape(x, [x.shape[0], -1]) : x) as tf.Tensor2D;
      // ReLU passes the gradient where its output is positive (step(pre) = step(out)).
      const g = denseParamGradients(
        x2,
        y as tf.Tensor2D,
        dy as tf.Tensor2D,
        relu ? "relu" : "linear",
      );
      if (x2 !== x) x2.dispose();
      return g;
    },
  };
}

/**
 * Creates the FC model with PyTorch's default Linear init: weights and biases
 * U(±1/√fan_in), drawn from `new Rng(seed, "init")` in parameter order (w0, b0,
 * w1, b1, …). Weights are stored [in, out] (the transpose of PyTorch's layout),
 * so the draw order within a weight differs from PyTorch's; the distribution
 * is the same.
 *
 * @example A W=256 MNIST net
 * ```ts
 * import { createFc } from "./fc.ts";
 * import { parameterCount } from "./model.ts";
 * const model = createFc({ width: 256, seed: 0 });
 * console.assert(parameterCount(model) === 269322);
 * ```
 */
export function createFc(opts: FcOptions): Model {
  const { width, depth = 2, inputSize = 784, numClasses = 10, seed } = opts;
  for (const [name, v] of Object.entries({ width, depth, inputSize, numClasses })) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot create FC model: ${name} must be a positive integer, got ${v}`);
    }
  }
  const rng = new Rng(seed, "init");
  const sizes = [inputSize, ...Array(depth).fill(width), numClasses];
  const params: tf.Tensor[] = [];
  const paramNames: string[] = [];
  const blocks: Block[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l], out = sizes[l + 1];
    const bound = 1 / Math.sqrt(fanIn);
    params.push(
      tf.tensor2d(rng.uniform(new Float32Array(fanIn * out), -bound, bound), [fanIn, out]),
    );
    params.push(tf.tensor1d(rng.uniform(new Float32Array(out), -bound, bound)));
    paramNames.push(`layers.${l}.weight`, `layers.${l}.bias`);
    const last = l + 2 === sizes.length;
    blocks.push(denseBlock([2 * l, 2 * l + 1], out, !last, l === 0));
  }
  return {
    name: "fc",
    config: {
      model__name: "fc",
      model__width: width,
      model__depth: depth,
      model__activation: "relu",
    },
    paramNames,
    params,
    blocks,
    numClasses,
  };
}
