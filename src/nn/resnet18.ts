/**
 * ResNet18 as torchvision's `resnet18(num_classes=10)` with no small-image
 * adaptation (spec §4.3): 7×7 stride-2 conv1 (padding 3, no bias), BN, ReLU,
 * 3×3 stride-2 max-pool (padding 1), four stages of two BasicBlocks (64, 128,
 * 256, 512 channels; strides 1, 2, 2, 2; 1×1 stride-2 conv + BN downsampling
 * where the shape changes), adaptive average pool to 1×1, Linear(512, 10).
 * The input channel count is a parameter (1 for MNIST: conv1 is then
 * Conv2d(1, 64, 7, 2, 3, bias=False), as the original's replacement).
 *
 * Grouping `wide` (the original's default): 6 blocks, [conv1, bn1, relu,
 * maxpool], layer1, layer2, layer3, layer4, [avgpool, flatten, fc]. Blocks
 * pass NHWC images `[B, H, W, C]` (the last one logits `[B, 10]`).
 *
 * Init (torchvision): convs Kaiming-normal, mode fan_out, ReLU gain (std
 * √(2 / (O·fh·fw))); BN weight 1, bias 0, running mean 0, var 1 (eps 1e-5,
 * momentum 0.1); the Linear layer PyTorch's default U(±1/√fan_in) for weight
 * and bias. Draws come from `new Rng(seed, "init")` in parameter order.
 * Layouts: conv filters `[fh, fw, C, O]` (PyTorch: `[O, C, fh, fw]`), the
 * Linear weight `[in, out]` (PyTorch: `[out, in]`); names are PyTorch's.
 *
 * Widths and the number of BasicBlocks per stage are options (reduced sizes
 * for tests and the PyTorch fixtures).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Rng } from "../core/rng.ts";
import { batchNorm } from "./batchnorm.ts";
import { conv2d, maxPool2d } from "./conv.ts";
import { dense, type DenseGradients } from "./dense.ts";
import type { Block, BlockContext, Model } from "./model.ts";
import { checkPositiveIntegers, ModelBuilder, normalTensor, uniformTensor } from "./_builder.ts";

/** Options of {@link createResNet18}. */
export interface ResNet18Options {
  /** Input channels: 3 (CIFAR-10) or 1 (MNIST). */
  inChannels: number;
  /** Input height = width (32 for CIFAR-10, 28 for MNIST). */
  imageSize: number;
  /** Number of classes (10). */
  numClasses?: number;
  /** Channels of the stem and the four stages ([64, 64, 128, 256, 512]). */
  widths?: readonly number[];
  /** BasicBlocks per stage ([2, 2, 2, 2]). */
  blocksPerStage?: readonly number[];
  /** Seed of the init stream `new Rng(seed, "init")`. */
  seed: number;
}

/** Spatial size after a conv/pool with kernel f, stride s, padding p (floor, as PyTorch). */
export function convOutputSize(size: number, f: number, s: number, p: number): number {
  return Math.floor((size + 2 * p - f) / s) + 1;
}

/** A conv + BN pair inside a block: indices into the block's parameters and buffers. */
interface ConvBn {
  w: number;
  gamma: number;
  beta: number;
  mean: number;
  var: number;
  stride: number;
  pad: number;
}

/** One BasicBlock: conv-bn-relu, conv-bn, optional 1×1 conv-bn downsample, add, relu. */
interface BasicBlockSpec {
  a: ConvBn;
  b: ConvBn;
  down?: ConvBn;
}

const innerWrt = (wrt: DenseGradients): DenseGradients => (wrt === "params" ? "all" : wrt);

function applyConvBn(
  x: tf.Tensor,
  cb: ConvBn,
  params: readonly tf.Tensor[],
  wrt: DenseGradients,
  ctx: BlockContext,
): tf.Tensor {
  const y = conv2d(x as tf.Tensor4D, params[cb.w] as tf.Tensor4D, cb.stride, cb.pad, wrt);
  const r = batchNorm(
    y,
    params[cb.gamma],
    params[cb.beta],
    ctx.buffers[cb.mean],
    ctx.buffers[cb.var],
    ctx.mode,
  );
  if (ctx.update && r.runningMean && r.runningVar) {
    ctx.update(cb.mean, r.runningMean);
    ctx.update(cb.var, r.runningVar);
  } else {
    tf.dispose([r.runningMean, r.runningVar]);
  }
  return r.y;
}

function applyBasicBlock(
  x: tf.Tensor,
  s: BasicBlockSpec,
  params: readonly tf.Tensor[],
  wrt: DenseGradients,
  ctx: BlockContext,
): tf.Tensor {
  return tf.tidy(() => {
    const h = tf.relu(applyConvBn(x, s.a, params, wrt, ctx));
    const out = applyConvBn(h, s.b, params, innerWrt(wrt), ctx);
    const identity = s.down ? applyConvBn(x, s.down, params, wrt, ctx) : x;
    return tf.relu(tf.add(out, identity));
  });
}

/** What a block with BatchNorm sees without a context: a clear error on use. */
const NO_CONTEXT: BlockContext = {
  get mode(): never {
    throw new TypeError(
      "Cannot apply a resnet18 block without its BlockContext: pass blockContext(model, i, mode)",
    );
  },
  buffers: [],
};

/**
 * Creates ResNet18 (or a reduced-width/depth variant) with torchvision's init.
 *
 * @example The MNIST model's sizes
 * ```ts
 * import { createResNet18 } from "./resnet18.ts";
 * import { activityCount, parameterCount } from "./model.ts";
 * const m = createResNet18({ inChannels: 1, imageSize: 28, seed: 0, widths: [4, 4, 8, 16, 32] });
 * console.assert(m.blocks.length === 6);
 * console.log(parameterCount(m), activityCount(m));
 * ```
 */
export function createResNet18(opts: ResNet18Options): Model {
  const {
    inChannels,
    imageSize,
    numClasses = 10,
    widths = [64, 64, 128, 256, 512],
    blocksPerStage = [2, 2, 2, 2],
    seed,
  } = opts;
  checkPositiveIntegers("resnet18", { inChannels, imageSize, numClasses });
  if (widths.length !== 5 || blocksPerStage.length !== 4) {
    throw new RangeError(
      `Cannot create resnet18 model: widths needs 5 values (stem, 4 stages) and blocksPerStage 4, got ${widths.length} and ${blocksPerStage.length}`,
    );
  }
  widths.forEach((w, i) => checkPositiveIntegers("resnet18", { [`widths[${i}]`]: w }));
  blocksPerStage.forEach((n, i) =>
    checkPositiveIntegers("resnet18", { [`blocksPerStage[${i}]`]: n })
  );
  const rng = new Rng(seed, "init");
  const mb = new ModelBuilder();

  const convBn = (name: string, bnName: string, c: number, o: number, f: number, s: number) => {
    const std = Math.sqrt(2 / (o * f * f));
    const w = mb.param(`${name}.weight`, normalTensor(rng, [f, f, c, o], std));
    const gamma = mb.param(`${bnName}.weight`, tf.ones([o]));
    const beta = mb.param(`${bnName}.bias`, tf.zeros([o]));
    const mean = mb.buffer(`${bnName}.running_mean`, tf.zeros([o]));
    const vr = mb.buffer(`${bnName}.running_var`, tf.ones([o]));
    return { w, gamma, beta, mean, var: vr, stride: s, pad: f === 1 ? 0 : Math.floor(f / 2) };
  };

  const blocks: Block[] = [];
  // Block 0: conv1, bn1, relu, maxpool.
  const stem = convBn("conv1", "bn1", inChannels, widths[0], 7, 2);
  let size = convOutputSize(convOutputSize(imageSize, 7, 2, 3), 3, 2, 1);
  {
    const { paramIndices, bufferIndices } = mb.endBlock();
    const shape = [size, size, widths[0]];
    blocks.push({
      paramIndices,
      bufferIndices,
      outputShape: shape,
      outputSize: shape[0] * shape[1] * shape[2],
      apply(x, params, wrt, ctx = NO_CONTEXT) {
        return tf.tidy(() => {
          const img = x.rank === 4
            ? x
            : tf.reshape(x, [x.shape[0], imageSize, imageSize, inChannels]);
          const h = tf.relu(applyConvBn(img, stem, params, wrt, ctx));
          return maxPool2d(h as tf.Tensor4D, 3, 2, 1);
        });
      },
    });
  }
  // Blocks 1–4: the stages.
  let c = widths[0];
  for (let l = 0; l < 4; l++) {
    const o = widths[l + 1];
    const specs: BasicBlockSpec[] = [];
    for (let j = 0; j < blocksPerStage[l]; j++) {
      const stride = j === 0 && l > 0 ? 2 : 1;
      const prefix = `layer${l + 1}.${j}`;
      const cin = j === 0 ? c : o;
      const a = convBn(`${prefix}.conv1`, `${prefix}.bn1`, cin, o, 3, stride);
      const b = convBn(`${prefix}.conv2`, `${prefix}.bn2`, o, o, 3, 1);
      const down = stride !== 1 || cin !== o
        ? convBn(`${prefix}.downsample.0`, `${prefix}.downsample.1`, cin, o, 1, stride)
        : undefined;
      specs.push({ a, b, down });
      if (stride === 2) size = convOutputSize(size, 3, 2, 1);
    }
    c = o;
    const { paramIndices, bufferIndices } = mb.endBlock();
    const shape = [size, size, o];
    blocks.push({
      paramIndices,
      bufferIndices,
      outputShape: shape,
      outputSize: shape[0] * shape[1] * shape[2],
      apply(x, params, wrt, ctx = NO_CONTEXT) {
        return tf.tidy(() =>
          specs.reduce(
            (h, s, j) => applyBasicBlock(h, s, params, j === 0 ? wrt : innerWrt(wrt), ctx),
            x,
          )
        );
      },
    });
  }
  // Block 5: adaptive average pool to 1×1, flatten, fc.
  const bound = 1 / Math.sqrt(c);
  mb.param("fc.weight", uniformTensor(rng, [c, numClasses], bound));
  mb.param("fc.bias", uniformTensor(rng, [numClasses], bound));
  {
    const { paramIndices } = mb.endBlock();
    blocks.push({
      paramIndices,
      outputShape: [numClasses],
      outputSize: numClasses,
      apply(x, params, wrt) {
        return tf.tidy(() => {
          const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
          return dense(pooled, params[0] as tf.Tensor2D, params[1] as tf.Tensor1D, wrt);
        });
      },
    });
  }
  return {
    name: "resnet18",
    config: { model__name: "resnet18", model__grouping_mode: "wide" },
    paramNames: mb.paramNames,
    params: mb.params,
    bufferNames: mb.bufferNames,
    buffers: mb.buffers,
    blocks,
    numClasses,
  };
}
