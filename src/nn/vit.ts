/**
 * The paper's Vision Transformer (spec §4.3), a refactor of torchvision's
 * VisionTransformer: patch embedding Conv2d(C, D, p, stride p) (p = 4 below
 * 64 pixels, else 16), a zero-initialised class token prepended, a learned
 * position embedding N(0, 0.02²) added, L pre-norm encoder layers
 * (`x + MHA(LN1(x))`, then `x + MLP(LN2(x))`, MLP Linear(D, M) → exact GELU →
 * Linear(M, D), LayerNorm eps 1e-6, no dropout), a final LayerNorm, token 0,
 * and a zero-initialised Linear(D, classes) head (initial logits 0, initial
 * loss exactly ln 10). Defaults: L = 6, 4 heads, D = 256, M = 512.
 *
 * Grouping `wide_m` (the paper uses `wide_1`): m encoder layers per block,
 * the input processing in the first block and the final LayerNorm and head in
 * the last, so `wide_1` gives 6 blocks. Blocks pass tokens `[B, T, D]` (T =
 * patches + 1; the last block logits `[B, classes]`).
 *
 * Init (spec §4.3): patch conv truncated normal std √(1/(C·p²)) within ±2, bias
 * 0; attention in_proj Xavier-uniform over the (3D)×D matrix, bias 0;
 * out_proj PyTorch's default Linear weight U(±1/√D), bias 0; MLP Linear
 * Xavier-uniform, biases N(0, 1e-6²); LayerNorm weight 1, bias 0. Draws come
 * from `new Rng(seed, "init")` in parameter order. Layouts: Linear weights
 * `[in, out]` (PyTorch `[out, in]`; in_proj is `[D, 3D]`, columns q, k, v),
 * the patch filter `[p, p, C, D]`; names are torchvision's.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Rng } from "../core/rng.ts";
import { conv2d } from "./conv.ts";
import { dense, type DenseGradients } from "./dense.ts";
import { layerNorm } from "./layernorm.ts";
import type { Block, Model } from "./model.ts";
import {
  checkPositiveIntegers,
  ModelBuilder,
  normalTensor,
  truncatedNormalTensor,
  uniformTensor,
} from "./_builder.ts";

/** Options of {@link createVit}. */
export interface VitOptions {
  /** Input channels (3 for CIFAR-10, 1 for MNIST). */
  inChannels: number;
  /** Input height = width (32 or 28). */
  imageSize: number;
  /** Patch size (default 4 below 64 pixels, else 16). */
  patchSize?: number;
  /** Encoder layers L (6). */
  numLayers?: number;
  /** Attention heads (4). */
  numHeads?: number;
  /** Hidden width D (256). */
  hiddenDim?: number;
  /** MLP width M (512). */
  mlpDim?: number;
  /** Number of classes (10). */
  numClasses?: number;
  /** Encoder layers per block, `wide_m` grouping (1). */
  layersPerBlock?: number;
  /** Seed of the init stream `new Rng(seed, "init")`. */
  seed: number;
}

const LN_EPS = 1e-6;
const innerWrt = (wrt: DenseGradients): DenseGradients => (wrt === "params" ? "all" : wrt);

/** Parameter indices (within a block) of one encoder layer. */
interface LayerSpec {
  ln1: [number, number];
  inProj: [number, number];
  outProj: [number, number];
  ln2: [number, number];
  mlp1: [number, number];
  mlp2: [number, number];
}

/** Exact GELU: x·Φ(x) = ½·x·(1 + erf(x/√2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

function linear3d(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  wrt: DenseGradients,
): tf.Tensor {
  const [B, T, D] = x.shape;
  const y = dense(
    tf.reshape(x, [B * T, D]) as tf.Tensor2D,
    w as tf.Tensor2D,
    b as tf.Tensor1D,
    wrt,
  );
  return tf.reshape(y, [B, T, w.shape[1] as number]);
}

/**
 * Multi-head self-attention (PyTorch `MultiheadAttention`, batch first, no
 * dropout): tokens `[B, T, D]` → `[B, T, D]`.
 */
export function selfAttention(
  x: tf.Tensor,
  inW: tf.Tensor,
  inB: tf.Tensor,
  outW: tf.Tensor,
  outB: tf.Tensor,
  numHeads: number,
  wrt: DenseGradients,
): tf.Tensor {
  return tf.tidy(() => {
    const [B, T, D] = x.shape;
    const dh = D / numHeads;
    const qkv = linear3d(x, inW, inB, wrt); // [B, T, 3D]
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, numHeads, dh]), [0, 2, 1, 3]);
    const [q, k, v] = tf.split(qkv, 3, 2).map(heads); // [B, H, T, dh]
    const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)); // [B, H, T, T]
    const att = tf.matMul(tf.softmax(scores), v); // [B, H, T, dh]
    const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [B, T, D]);
    return linear3d(merged, outW, outB, innerWrt(wrt));
  });
}

function encoderLayer(
  x: tf.Tensor,
  s: LayerSpec,
  p: readonly tf.Tensor[],
  numHeads: number,
  wrt: DenseGradients,
): tf.Tensor {
  return tf.tidy(() => {
    const inner = innerWrt(wrt);
    const h = layerNorm(x, p[s.ln1[0]], p[s.ln1[1]], LN_EPS);
    const a = tf.add(
      x,
      selfAttention(
        h,
        p[s.inProj[0]],
        p[s.inProj[1]],
        p[s.outProj[0]],
        p[s.outProj[1]],
        numHeads,
        inner,
      ),
    );
    const h2 = layerNorm(a, p[s.ln2[0]], p[s.ln2[1]], LN_EPS);
    const m = linear3d(
      gelu(linear3d(h2, p[s.mlp1[0]], p[s.mlp1[1]], inner)),
      p[s.mlp2[0]],
      p[s.mlp2[1]],
      inner,
    );
    return tf.add(a, m);
  });
}

/**
 * Creates the ViT (or a reduced variant) with the spec's init.
 *
 * @example The CIFAR-10 model at reduced width
 * ```ts
 * import { createVit } from "./vit.ts";
 * const m = createVit({ inChannels: 3, imageSize: 32, hiddenDim: 16, mlpDim: 32, numLayers: 2, seed: 0 });
 * console.assert(m.blocks.length === 2);
 * ```
 */
export function createVit(opts: VitOptions): Model {
  const {
    inChannels,
    imageSize,
    patchSize = imageSize < 64 ? 4 : 16,
    numLayers = 6,
    numHeads = 4,
    hiddenDim: D = 256,
    mlpDim: M = 512,
    numClasses = 10,
    layersPerBlock = 1,
    seed,
  } = opts;
  checkPositiveIntegers("vit", {
    inChannels,
    imageSize,
    patchSize,
    numLayers,
    numHeads,
    hiddenDim: D,
    mlpDim: M,
    numClasses,
    layersPerBlock,
  });
  if (D % numHeads !== 0) {
    throw new RangeError(
      `Cannot create vit model: hiddenDim ${D} must be a multiple of numHeads ${numHeads}`,
    );
  }
  if (imageSize % patchSize !== 0) {
    throw new RangeError(
      `Cannot create vit model: imageSize ${imageSize} must be a multiple of patchSize ${patchSize}`,
    );
  }
  const grid = imageSize / patchSize;
  const T = grid * grid + 1;
  const rng = new Rng(seed, "init");
  const mb = new ModelBuilder();

  const xavier = (fanIn: number, fanOut: number) => Math.sqrt(6 / (fanIn + fanOut));
  const cls = mb.param("class_token", tf.zeros([1, 1, D]));
  const fanIn = inChannels * patchSize * patchSize;
  const convW = mb.param(
    "conv_proj.weight",
    truncatedNormalTensor(rng, [patchSize, patchSize, inChannels, D], Math.sqrt(1 / fanIn), -2, 2),
  );
  const convB = mb.param("conv_proj.bias", tf.zeros([D]));
  const pos = mb.param("encoder.pos_embedding", normalTensor(rng, [1, T, D], 0.02));

  const blocks: Block[] = [];
  let layersInBlock: LayerSpec[] = [];
  for (let l = 0; l < numLayers; l++) {
    const n = `encoder.layers.encoder_layer_${l}`;
    const pair = (a: number, b: number): [number, number] => [a, b];
    layersInBlock.push({
      ln1: pair(
        mb.param(`${n}.ln_1.weight`, tf.ones([D])),
        mb.param(`${n}.ln_1.bias`, tf.zeros([D])),
      ),
      inProj: pair(
        mb.param(
          `${n}.self_attention.in_proj_weight`,
          uniformTensor(rng, [D, 3 * D], xavier(D, 3 * D)),
        ),
        mb.param(`${n}.self_attention.in_proj_bias`, tf.zeros([3 * D])),
      ),
      outProj: pair(
        mb.param(
          `${n}.self_attention.out_proj.weight`,
          uniformTensor(rng, [D, D], 1 / Math.sqrt(D)),
        ),
        mb.param(`${n}.self_attention.out_proj.bias`, tf.zeros([D])),
      ),
      ln2: pair(
        mb.param(`${n}.ln_2.weight`, tf.ones([D])),
        mb.param(`${n}.ln_2.bias`, tf.zeros([D])),
      ),
      mlp1: pair(
        mb.param(`${n}.mlp.0.weight`, uniformTensor(rng, [D, M], xavier(D, M))),
        mb.param(`${n}.mlp.0.bias`, normalTensor(rng, [M], 1e-6)),
      ),
      mlp2: pair(
        mb.param(`${n}.mlp.3.weight`, uniformTensor(rng, [M, D], xavier(M, D))),
        mb.param(`${n}.mlp.3.bias`, normalTensor(rng, [D], 1e-6)),
      ),
    });
    const first = blocks.length === 0;
    const last = l === numLayers - 1;
    if (!last && layersInBlock.length < layersPerBlock) continue;
    let head: { lnW: number; lnB: number; w: number; b: number } | undefined;
    if (last) {
      head = {
        lnW: mb.param("encoder.ln.weight", tf.ones([D])),
        lnB: mb.param("encoder.ln.bias", tf.zeros([D])),
        w: mb.param("heads.head.weight", tf.zeros([D, numClasses])),
        b: mb.param("heads.head.bias", tf.zeros([numClasses])),
      };
    }
    const specs = layersInBlock;
    layersInBlock = [];
    const { paramIndices } = mb.endBlock();
    const outputShape = head ? [numClasses] : [T, D];
    blocks.push({
      paramIndices,
      outputShape,
      outputSize: outputShape.reduce((a, b) => a * b, 1),
      apply(x, p, wrt) {
        return tf.tidy(() => {
          let h = x;
          let w = wrt;
          if (first) {
            const B = x.shape[0];
            const img = x.rank === 4 ? x : tf.reshape(x, [B, imageSize, imageSize, inChannels]);
            const e = conv2d(img as tf.Tensor4D, p[convW] as tf.Tensor4D, patchSize, 0, wrt);
            const patches = tf.reshape(tf.add(e, p[convB]), [B, T - 1, D]);
            const token = tf.add(p[cls], tf.zeros([B, 1, D]));
            h = tf.add(tf.concat([token, patches], 1), p[pos]);
            w = innerWrt(wrt);
          }
          for (const s of specs) {
            h = encoderLayer(h, s, p, numHeads, w);
            w = innerWrt(w);
          }
          if (!head) return h;
          const normed = layerNorm(h, p[head.lnW], p[head.lnB], LN_EPS);
          const t0 = tf.reshape(tf.slice(normed, [0, 0, 0], [-1, 1, -1]), [h.shape[0], D]);
          return dense(
            t0 as tf.Tensor2D,
            p[head.w] as tf.Tensor2D,
            p[head.b] as tf.Tensor1D,
            innerWrt(w),
          );
        });
      },
    });
  }
  return {
    name: "vit",
    config: {
      model__name: "vit",
      model__grouping_mode: `wide_${layersPerBlock}`,
      model__patch_size: "",
      model__num_layers: numLayers,
      model__num_heads: numHeads,
      model__hidden_dim: D,
      model__mlp_dim: M,
      replicate_torchvision: "True",
    },
    paramNames: mb.paramNames,
    params: mb.params,
    blocks,
    numClasses,
  };
}
