/** The shared table of op specs, one or more per JVP rule, grouped by rules file. */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { OpSpec } from "./_harness.ts";
import { batchNorm } from "../../src/nn/batchnorm.ts";
import { conv2d, maxPool2d } from "../../src/nn/conv.ts";
import { dense } from "../../src/nn/dense.ts";
import { layerNorm } from "../../src/nn/layernorm.ts";
import { gelu, selfAttention } from "../../src/nn/vit.ts";

const mask2x3 = () => tf.tensor2d([[1, 0, 1], [0, 0, 1]], [2, 3], "bool");

/** Specs of `rules/unary.ts`. */
export const unarySpecs: OpSpec[] = [
  {
    name: "identity",
    family: "unary",
    kernels: ["Identity"],
    shapes: [[2, 3]],
    f: (x) => tf.mul(tf.clone(x), x),
  },
  {
    name: "cast",
    family: "unary",
    kernels: ["Cast"],
    shapes: [[4]],
    f: (x) => tf.square(tf.cast(tf.add(x, 1), "float32")),
  },
  { name: "neg", family: "unary", kernels: ["Neg"], shapes: [[2, 3]], f: (x) => tf.neg(x) },
  {
    name: "square",
    family: "unary",
    kernels: ["Square"],
    shapes: [[2, 3]],
    f: (x) => tf.square(x),
  },
  {
    name: "sqrt",
    family: "unary",
    kernels: ["Sqrt"],
    shapes: [[5]],
    domains: ["positive"],
    f: (x) => tf.sqrt(x),
  },
  {
    name: "rsqrt",
    family: "unary",
    kernels: ["Rsqrt"],
    shapes: [[5]],
    domains: ["positive"],
    f: (x) => tf.rsqrt(x),
  },
  {
    name: "reciprocal",
    family: "unary",
    kernels: ["Reciprocal"],
    shapes: [[5]],
    domains: ["positive"],
    f: (x) => tf.reciprocal(x),
  },
  { name: "exp", family: "unary", kernels: ["Exp"], shapes: [[2, 3]], f: (x) => tf.exp(x) },
  { name: "expm1", family: "unary", kernels: ["Expm1"], shapes: [[4]], f: (x) => tf.expm1(x) },
  {
    name: "log",
    family: "unary",
    kernels: ["Log"],
    shapes: [[5]],
    domains: ["positive"],
    f: (x) => tf.log(x),
  },
  {
    name: "log1p",
    family: "unary",
    kernels: ["Log1p"],
    shapes: [[5]],
    domains: ["positive"],
    f: (x) => tf.log1p(x),
  },
  { name: "sin", family: "unary", kernels: ["Sin"], shapes: [[2, 3]], f: (x) => tf.sin(x) },
  { name: "cos", family: "unary", kernels: ["Cos"], shapes: [[2, 3]], f: (x) => tf.cos(x) },
  {
    name: "tan",
    family: "unary",
    kernels: ["Tan"],
    shapes: [[5]],
    domains: ["unit"],
    f: (x) => tf.tan(x),
  },
  {
    name: "asin",
    family: "unary",
    kernels: ["Asin"],
    shapes: [[5]],
    domains: ["unit"],
    f: (x) => tf.asin(x),
    h: 1e-3,
  },
  {
    name: "acos",
    family: "unary",
    kernels: ["Acos"],
    shapes: [[5]],
    domains: ["unit"],
    f: (x) => tf.acos(x),
    h: 1e-3,
  },
  { name: "atan", family: "unary", kernels: ["Atan"], shapes: [[5]], f: (x) => tf.atan(x) },
  { name: "sinh", family: "unary", kernels: ["Sinh"], shapes: [[5]], f: (x) => tf.sinh(x) },
  { name: "cosh", family: "unary", kernels: ["Cosh"], shapes: [[5]], f: (x) => tf.cosh(x) },
  {
    name: "abs",
    family: "unary",
    kernels: ["Abs"],
    shapes: [[2, 3]],
    domains: ["away"],
    f: (x) => tf.abs(x),
  },
  { name: "erf", family: "unary", kernels: ["Erf"], shapes: [[2, 3]], f: (x) => tf.erf(x) },
  {
    name: "clipByValue",
    family: "unary",
    kernels: ["ClipByValue"],
    shapes: [[3, 4]],
    domains: ["away"],
    f: (x) => tf.clipByValue(x, -0.5, 0.5),
  },
];

/** Specs of `rules/arithmetic.ts`. */
export const arithmeticSpecs: OpSpec[] = [
  {
    name: "add with broadcasting",
    family: "arithmetic",
    kernels: ["Add"],
    shapes: [[3, 4], [4]],
    f: (a, b) => tf.add(a, b),
  },
  {
    name: "sub with broadcasting",
    family: "arithmetic",
    kernels: ["Sub"],
    shapes: [[3, 1], [4]],
    f: (a, b) => tf.sub(a, b),
  },
  {
    name: "mul",
    family: "arithmetic",
    kernels: ["Multiply"],
    shapes: [[2, 3], [2, 3]],
    f: (a, b) => tf.mul(a, b),
  },
  {
    name: "mul with broadcasting, second input constant",
    family: "arithmetic",
    kernels: ["Multiply"],
    shapes: [[2, 3], [3]],
    noTangent: [1],
    f: (a, b) => tf.mul(a, b),
  },
  {
    name: "div",
    family: "arithmetic",
    kernels: ["RealDiv"],
    shapes: [[2, 3], [2, 3]],
    domains: ["normal", "positive"],
    f: (a, b) => tf.div(a, b),
  },
  {
    name: "pow with constant exponent",
    family: "arithmetic",
    kernels: ["Pow"],
    shapes: [[5]],
    domains: ["positive"],
    f: (a) => tf.pow(a, 3),
  },
  {
    name: "pow of two inputs",
    family: "arithmetic",
    kernels: ["Pow"],
    shapes: [[5], [5]],
    domains: ["positive", "unit"],
    f: (a, b) => tf.pow(a, b),
  },
  {
    name: "squaredDifference",
    family: "arithmetic",
    kernels: ["SquaredDifference"],
    shapes: [[2, 3], [3]],
    f: (a, b) => tf.squaredDifference(a, b),
    ref: (a, b) => tf.square(tf.sub(a, b)),
  },
  {
    name: "maximum",
    family: "arithmetic",
    kernels: ["Maximum"],
    shapes: [[2, 3], [2, 3]],
    domains: ["grid", "gridOdd"],
    f: (a, b) => tf.maximum(a, b),
  },
  {
    name: "minimum",
    family: "arithmetic",
    kernels: ["Minimum"],
    shapes: [[2, 3], [2, 3]],
    domains: ["grid", "gridOdd"],
    f: (a, b) => tf.minimum(a, b),
  },
  {
    name: "addN",
    family: "arithmetic",
    kernels: ["AddN"],
    shapes: [[2, 3], [2, 3]],
    f: (a, b) => tf.addN([a, b, a]),
  },
  {
    name: "where",
    family: "arithmetic",
    kernels: ["Select"],
    shapes: [[2, 3], [2, 3]],
    f: (a, b) => tf.where(mask2x3(), tf.exp(a), b),
  },
];

/** Specs of `rules/activation.ts`. */
export const activationSpecs: OpSpec[] = [
  {
    name: "relu",
    family: "activation",
    kernels: ["Relu"],
    shapes: [[3, 4]],
    domains: ["away"],
    f: (x) => tf.relu(x),
  },
  {
    name: "relu6",
    family: "activation",
    kernels: ["Relu6"],
    shapes: [[3, 4]],
    domains: ["away"],
    f: (x) => tf.relu6(tf.mul(x, 3)),
  },
  {
    name: "leakyRelu",
    family: "activation",
    kernels: ["LeakyRelu"],
    shapes: [[3, 4]],
    domains: ["away"],
    f: (x) => tf.leakyRelu(x, 0.1),
  },
  {
    name: "elu",
    family: "activation",
    kernels: ["Elu"],
    shapes: [[3, 4]],
    domains: ["away"],
    f: (x) => tf.elu(x),
  },
  { name: "tanh", family: "activation", kernels: ["Tanh"], shapes: [[3, 4]], f: (x) => tf.tanh(x) },
  {
    name: "sigmoid",
    family: "activation",
    kernels: ["Sigmoid"],
    shapes: [[3, 4]],
    f: (x) => tf.sigmoid(x),
  },
  {
    name: "softplus",
    family: "activation",
    kernels: ["Softplus"],
    shapes: [[3, 4]],
    f: (x) => tf.softplus(x),
  },
  {
    name: "prelu",
    family: "activation",
    kernels: ["Prelu"],
    shapes: [[3, 4], [4]],
    domains: ["away", "normal"],
    f: (x, a) => tf.prelu(x, a),
  },
  {
    name: "softmax",
    family: "activation",
    kernels: ["Softmax"],
    shapes: [[3, 5]],
    f: (x) => tf.softmax(x),
  },
];

/** Specs of `rules/reduce.ts`. */
export const reduceSpecs: OpSpec[] = [
  {
    name: "sum over all axes",
    family: "reduce",
    kernels: ["Sum"],
    shapes: [[3, 4]],
    f: (x) => tf.sum(tf.square(x)),
  },
  {
    name: "sum over axis 1 keeping dims",
    family: "reduce",
    kernels: ["Sum"],
    shapes: [[2, 3, 4]],
    f: (x) => tf.sum(x, 1, true),
  },
  {
    name: "sum of a broadcast input",
    family: "reduce",
    kernels: ["Sum"],
    shapes: [[1, 4]],
    f: (x) => tf.sum(tf.add(x, tf.zeros([3, 4])), 0),
  },
  {
    name: "mean over axes [0, 2]",
    family: "reduce",
    kernels: ["Mean"],
    shapes: [[2, 3, 4]],
    f: (x) => tf.mean(x, [0, 2]),
  },
  {
    name: "max over the last axis",
    family: "reduce",
    kernels: ["Max"],
    shapes: [[3, 5]],
    domains: ["grid"],
    f: (x) => tf.max(x, -1),
  },
  {
    name: "min over all axes",
    family: "reduce",
    kernels: ["Min"],
    shapes: [[3, 5]],
    domains: ["grid"],
    f: (x) => tf.min(x),
  },
  {
    name: "cumsum",
    family: "reduce",
    kernels: ["Cumsum"],
    shapes: [[3, 4]],
    f: (x) => tf.cumsum(x, 1),
  },
];

/** Specs of `rules/shape.ts`. */
export const shapeSpecs: OpSpec[] = [
  {
    name: "reshape",
    family: "shape",
    kernels: ["Reshape"],
    shapes: [[2, 6]],
    f: (x) => tf.square(tf.reshape(x, [3, 4])),
  },
  {
    name: "transpose",
    family: "shape",
    kernels: ["Transpose"],
    shapes: [[2, 3, 4]],
    f: (x) => tf.transpose(x, [2, 0, 1]),
  },
  {
    name: "slice",
    family: "shape",
    kernels: ["Slice"],
    shapes: [[4, 5]],
    f: (x) => tf.slice(x, [1, 2], [2, -1]),
  },
  {
    name: "stridedSlice",
    family: "shape",
    kernels: ["StridedSlice"],
    shapes: [[5, 6]],
    f: (x) => tf.stridedSlice(x, [1, 0], [5, 6], [2, 3]),
    ref: (x) => tf.gather(tf.gather(x, [1, 3], 0), [0, 3], 1),
  },
  {
    name: "concat with one null tangent",
    family: "shape",
    kernels: ["Concat"],
    shapes: [[2, 3], [2, 2]],
    noTangent: [1],
    f: (a, b) => tf.concat([a, b, a], 1),
  },
  {
    name: "stack",
    family: "shape",
    kernels: ["Pack"],
    shapes: [[2, 3], [2, 3]],
    f: (a, b) => tf.stack([a, b], 1),
  },
  {
    name: "unstack",
    family: "shape",
    kernels: ["Unpack"],
    shapes: [[2, 3]],
    f: (x) => {
      const [a, b] = tf.unstack(x);
      return tf.mul(a, b);
    },
  },
  {
    name: "split",
    family: "shape",
    kernels: ["SplitV"],
    shapes: [[2, 5]],
    f: (x) => {
      const [a, b] = tf.split(x, [2, 3], 1);
      return tf.concat([tf.square(a), b], 1);
    },
  },
  {
    name: "expandDims",
    family: "shape",
    kernels: ["ExpandDims"],
    shapes: [[2, 3]],
    f: (x) => tf.expandDims(x, -1),
  },
  {
    name: "tile",
    family: "shape",
    kernels: ["Tile"],
    shapes: [[2, 3]],
    f: (x) => tf.tile(x, [2, 1]),
  },
  {
    name: "broadcastTo",
    family: "shape",
    kernels: ["Tile"],
    shapes: [[1, 3]],
    f: (x) => tf.mul(tf.broadcastTo(x, [4, 3]), tf.range(0, 12).reshape([4, 3])),
  },
  {
    name: "pad",
    family: "shape",
    kernels: ["PadV2"],
    shapes: [[2, 3]],
    f: (x) => tf.pad(x, [[1, 0], [2, 1]], 3),
  },
  {
    name: "reverse",
    family: "shape",
    kernels: ["Reverse"],
    shapes: [[2, 3]],
    f: (x) => tf.mul(tf.reverse(x, 1), x),
  },
  {
    name: "gather",
    family: "shape",
    kernels: ["GatherV2"],
    shapes: [[4, 3]],
    f: (x) => tf.gather(x, tf.tensor1d([3, 0, 0], "int32"), 0),
  },
];

/** Specs of `rules/matmul.ts`. */
export const matmulSpecs: OpSpec[] = [
  {
    name: "2-D matMul",
    family: "matmul",
    kernels: ["BatchMatMul"],
    shapes: [[3, 4], [4, 5]],
    f: (a, b) => tf.matMul(a, b),
  },
  {
    name: "matMul with transposeA",
    family: "matmul",
    kernels: ["BatchMatMul"],
    shapes: [[4, 3], [4, 5]],
    f: (a, b) => tf.matMul(a, b, true),
  },
  {
    name: "matMul with transposeB",
    family: "matmul",
    kernels: ["BatchMatMul"],
    shapes: [[3, 4], [5, 4]],
    f: (a, b) => tf.matMul(a, b, false, true),
  },
  {
    name: "3-D by 2-D matMul",
    family: "matmul",
    kernels: ["BatchMatMul"],
    shapes: [[2, 3, 4], [4, 5]],
    f: (a, b) => tf.matMul(a, b),
    ref: (a, b) => tf.reshape(tf.matMul(tf.reshape(a, [6, 4]), b), [2, 3, 5]),
  },
  {
    name: "batched matMul",
    family: "matmul",
    kernels: ["BatchMatMul"],
    shapes: [[2, 3, 4], [2, 4, 5]],
    f: (a, b) => tf.matMul(a, b),
  },
  {
    name: "batched matMul, both transposed (attention)",
    family: "matmul",
    kernels: ["BatchMatMul"],
    shapes: [[2, 2, 4, 3], [2, 2, 5, 4]],
    f: (a, b) => tf.matMul(a, b, true, true),
  },
  {
    name: "batched matMul with broadcast batch",
    family: "matmul",
    kernels: ["BatchMatMul"],
    shapes: [[2, 3, 4], [1, 4, 5]],
    f: (a, b) => tf.matMul(a, b),
    ref: (a, b) => tf.matMul(a, tf.concat([b, b], 0)),
  },
  {
    name: "fused matMul with bias and elu",
    family: "matmul",
    kernels: ["_FusedMatMul"],
    shapes: [[3, 4], [4, 5], [5]],
    f: (a, b, c) => tf.fused.matMul({ a, b, bias: c, activation: "elu" }),
  },
  {
    name: "fused matMul with bias and sigmoid, transposeB",
    family: "matmul",
    kernels: ["_FusedMatMul"],
    shapes: [[3, 4], [5, 4], [5]],
    f: (a, b, c) => tf.fused.matMul({ a, b, bias: c, transposeB: true, activation: "sigmoid" }),
  },
  {
    name: "fused matMul with relu",
    family: "matmul",
    kernels: ["_FusedMatMul"],
    shapes: [[3, 4], [4, 5], [5]],
    f: (a, b, c) => tf.fused.matMul({ a, b, bias: c, activation: "relu" }),
    h: 1e-3,
    fdTol: 5e-2,
  },
  {
    name: "fused matMul on unit-batch 3-D operands, transposeA",
    family: "matmul",
    kernels: ["_FusedMatMul"],
    shapes: [[1, 4, 3], [1, 4, 5], [5]],
    f: (a, b, c) => tf.fused.matMul({ a, b, bias: c, transposeA: true }),
  },
  {
    name: "fused matMul on unit-batch 4-D · 3-D operands, transposeB",
    family: "matmul",
    kernels: ["_FusedMatMul"],
    shapes: [[1, 1, 3, 4], [1, 5, 4], [5]],
    f: (a, b, c) => tf.fused.matMul({ a, b, bias: c, transposeB: true }),
  },
  {
    name: "einsum (batched bilinear form)",
    family: "matmul",
    kernels: ["Einsum"],
    shapes: [[2, 3, 4], [2, 4, 5]],
    f: (a, b) => tf.einsum("bij,bjk->bik", a, b),
    ref: (a, b) => tf.matMul(a, b),
  },
  {
    name: "einsum with one null tangent",
    family: "matmul",
    kernels: ["Einsum"],
    shapes: [[3, 4], [4, 5]],
    noTangent: [1],
    f: (a, b) => tf.einsum("ij,jk->ik", a, b),
    ref: (a, b) => tf.matMul(a, b),
  },
];

/** A 2×2 kernel dilated by 2 as the equivalent 3×3 kernel (a linear map tfjs can differentiate). */
function dilate2x2(w: tf.Tensor): tf.Tensor4D {
  const [, , c, o] = w.shape;
  const select = tf.tensor2d([
    [1, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 1],
  ]);
  return tf.reshape(tf.matMul(select, tf.reshape(w, [4, c * o])), [3, 3, c, o]);
}

/** Specs of `rules/conv.ts`. */
export const convSpecs: OpSpec[] = [
  {
    name: "conv2d, stride 1, valid",
    family: "conv",
    kernels: ["Conv2D"],
    shapes: [[2, 5, 5, 2], [3, 3, 2, 3]],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"),
  },
  {
    name: "conv2d, stride 2, same",
    family: "conv",
    kernels: ["Conv2D"],
    shapes: [[2, 6, 5, 3], [3, 3, 3, 4]],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"),
  },
  {
    name: "conv2d, explicit padding 1, dilation 2",
    family: "conv",
    kernels: ["Conv2D"],
    shapes: [[1, 6, 6, 2], [2, 2, 2, 3]],
    f: (x, w) =>
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]], "NHWC", 2),
    ref: (x, w) => tf.conv2d(x as tf.Tensor4D, dilate2x2(w), 1, [[0, 0], [1, 1], [1, 1], [0, 0]]),
  },
  {
    name: "depthwiseConv2d",
    family: "conv",
    kernels: ["DepthwiseConv2dNative"],
    shapes: [[2, 5, 5, 3], [3, 3, 3, 2]],
    f: (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"),
  },
  {
    name: "fused conv2d with bias and elu",
    family: "conv",
    kernels: ["FusedConv2D"],
    shapes: [[2, 5, 5, 2], [3, 3, 2, 3], [3]],
    f: (x, w, b) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 1,
        pad: "same",
        bias: b,
        activation: "elu",
      }),
  },
];

/**
 * 3×3, stride-2, same-padded average pooling as window sums over window counts
 * (padding excluded). tfjs's own AvgPool gradient divides by 9 at the borders
 * too, which central differences show is wrong.
 */
function avgPoolSame3x3s2(x: tf.Tensor): tf.Tensor {
  const c = x.shape[3] as number;
  const box = tf.ones([3, 3, c, 1]) as tf.Tensor4D;
  const sums = tf.depthwiseConv2d(x as tf.Tensor4D, box, 2, "same");
  const counts = tf.depthwiseConv2d(tf.onesLike(x) as tf.Tensor4D, box, 2, "same");
  return tf.div(sums, counts);
}

/** Specs of `rules/pool.ts`. */
export const poolSpecs: OpSpec[] = [
  {
    name: "maxPool 3×3, stride 2, same",
    family: "pool",
    kernels: ["MaxPool"],
    shapes: [[2, 5, 5, 2]],
    domains: ["grid"],
    f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, "same"),
  },
  {
    name: "maxPool 2×2, valid",
    family: "pool",
    kernels: ["MaxPool"],
    shapes: [[2, 4, 4, 3]],
    domains: ["grid"],
    f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid"),
  },
  {
    name: "avgPool 3×3, stride 2, same",
    family: "pool",
    kernels: ["AvgPool"],
    shapes: [[2, 5, 5, 2]],
    f: (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, "same"),
    ref: avgPoolSame3x3s2,
  },
  {
    name: "avgPool 2×2, valid",
    family: "pool",
    kernels: ["AvgPool"],
    shapes: [[2, 4, 4, 3]],
    f: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, "valid"),
  },
];

function batchNormTrain(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, offset, scale, 1e-5);
}

/** Specs of `rules/normalization.ts`. */
export const normalizationSpecs: OpSpec[] = [
  {
    name: "batchNorm, training mode (batch statistics)",
    family: "normalization",
    kernels: ["FusedBatchNorm", "Mean"],
    shapes: [[3, 2, 2, 3], [3], [3]],
    f: batchNormTrain,
  },
  {
    name: "batchNorm, eval mode (running statistics constant)",
    family: "normalization",
    kernels: ["FusedBatchNorm"],
    shapes: [[3, 2, 2, 3], [3], [3], [3], [3]],
    domains: ["normal", "normal", "positive", "normal", "normal"],
    noTangent: [1, 2],
    f: (x, m, v, s, o) => tf.batchNorm(x, m, v, o, s, 1e-5),
  },
  {
    name: "batchNorm, tangents on every input",
    family: "normalization",
    kernels: ["FusedBatchNorm"],
    shapes: [[3, 4], [4], [4], [4], [4]],
    domains: ["normal", "normal", "positive", "normal", "normal"],
    f: (x, m, v, s, o) => tf.batchNorm(x, m, v, o, s, 1e-3),
  },
  {
    name: "batchNorm without offset and scale",
    family: "normalization",
    kernels: ["FusedBatchNorm"],
    shapes: [[3, 4], [4], [4]],
    domains: ["normal", "normal", "positive"],
    f: (x, m, v) => tf.batchNorm(x, m, v, undefined, undefined, 1e-3),
    ref: (x, m, v) => tf.div(tf.sub(x, m), tf.sqrt(tf.add(v, 1e-3))),
  },
];

/** Specs of `rules/zero.ts`. */
export const zeroSpecs: OpSpec[] = [
  {
    name: "floor, ceil, round",
    family: "zero",
    kernels: ["Floor", "Ceil", "Round"],
    shapes: [[2, 3]],
    domains: ["gridOdd"],
    f: (x) => tf.add(tf.mul(tf.add(tf.floor(x), tf.ceil(x)), tf.round(tf.mul(x, 3))), tf.square(x)),
  },
  {
    name: "sign and step",
    family: "zero",
    kernels: ["Sign", "Step"],
    shapes: [[2, 3]],
    domains: ["gridOdd"],
    f: (x) => tf.mul(tf.add(tf.sign(x), tf.step(x)), x),
  },
  {
    name: "zerosLike and onesLike",
    family: "zero",
    kernels: ["ZerosLike", "OnesLike"],
    shapes: [[2, 3]],
    f: (x) => tf.mul(tf.add(tf.zerosLike(x), tf.onesLike(x)), tf.exp(x)),
  },
];

/** Composite functions: the test functions of the paper and network building blocks. */
export const compositeSpecs: OpSpec[] = [
  {
    name: "sphere",
    family: "composite",
    kernels: ["Square", "Sum"],
    shapes: [[7]],
    f: (x) => tf.sum(tf.square(x)),
  },
  {
    name: "rosenbrock",
    family: "composite",
    kernels: ["Slice", "Square", "Sub", "Multiply", "Add", "Sum"],
    shapes: [[6]],
    h: 1e-3,
    f: (x) => {
      const a = tf.slice(x, [0], [5]);
      const b = tf.slice(x, [1], [5]);
      return tf.sum(
        tf.add(tf.mul(100, tf.square(tf.sub(b, tf.square(a)))), tf.square(tf.sub(1, a))),
      );
    },
  },
  {
    name: "styblinski-tang",
    family: "composite",
    kernels: ["Pow", "Square", "Multiply", "Sum"],
    shapes: [[6]],
    f: (x) =>
      tf.mul(0.5, tf.sum(tf.add(tf.sub(tf.pow(x, 4), tf.mul(16, tf.square(x))), tf.mul(5, x)))),
  },
  {
    name: "gelu (erf form)",
    family: "composite",
    kernels: ["Erf"],
    shapes: [[3, 4]],
    f: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))),
  },
  {
    name: "gelu (tanh form)",
    family: "composite",
    kernels: ["Tanh", "Pow"],
    shapes: [[3, 4]],
    f: (x) =>
      tf.mul(
        tf.mul(x, 0.5),
        tf.add(
          1,
          tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))),
        ),
      ),
  },
  {
    name: "layer norm",
    family: "composite",
    kernels: ["Mean", "Rsqrt"],
    shapes: [[3, 5], [5], [5]],
    f: (x, g, b) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
    },
  },
  {
    name: "dropout with a seeded mask",
    family: "composite",
    kernels: ["Multiply"],
    shapes: [[4, 6]],
    f: (x) => tf.dropout(tf.tanh(x), 0.5, undefined, 7),
  },
  {
    name: "dropout with p = 0",
    family: "composite",
    kernels: ["Tanh"],
    shapes: [[4, 6]],
    f: (x) => tf.dropout(tf.tanh(x), 0),
  },
  {
    name: "cross-entropy with integer labels (logSoftmax + oneHot)",
    family: "composite",
    kernels: ["Max", "Exp", "Log", "Sum", "Multiply"],
    shapes: [[4, 5]],
    f: (logits) => {
      const labels = tf.oneHot(tf.tensor1d([0, 3, 4, 1], "int32"), 5);
      return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1)));
    },
  },
  {
    name: "cross-entropy with integer labels (gather of logSoftmax)",
    family: "composite",
    kernels: ["GatherV2"],
    shapes: [[4, 5]],
    f: (logits) => {
      const flat = tf.reshape(tf.logSoftmax(logits), [-1]);
      return tf.neg(tf.mean(tf.gather(flat, tf.tensor1d([0, 8, 14, 16], "int32"))));
    },
  },
  {
    name: "tf.losses.softmaxCrossEntropy",
    family: "composite",
    kernels: ["Exp"],
    shapes: [[4, 5]],
    f: (logits) =>
      tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 3, 4, 1], "int32"), 5), logits),
  },
];

/** A small ResNet basic block on NHWC input, with batch norm in training mode. */
function resnetBlock(
  x: tf.Tensor,
  w1: tf.Tensor,
  w2: tf.Tensor,
  g: tf.Tensor,
  fc: tf.Tensor,
): tf.Tensor {
  const bn = (h: tf.Tensor) => {
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    return tf.batchNorm(h, mean, variance, tf.zeros([3]), g, 1e-5);
  };
  const stem = tf.maxPool(x as tf.Tensor4D, 2, 2, "same");
  const h = tf.relu(bn(tf.conv2d(stem, w1 as tf.Tensor4D, 1, "same")));
  const out = tf.relu(tf.add(bn(tf.conv2d(h as tf.Tensor4D, w2 as tf.Tensor4D, 1, "same")), stem));
  const pooled = tf.mean(out, [1, 2]);
  return tf.matMul(pooled, fc);
}

/** A small ViT encoder block: cls token, position embedding, 2-head attention, GELU MLP. */
function vitBlock(
  patches: tf.Tensor,
  wEmb: tf.Tensor,
  cls: tf.Tensor,
  wqkv: tf.Tensor,
  w1: tf.Tensor,
): tf.Tensor {
  const [B, S] = patches.shape;
  const D = 4;
  const heads = 2;
  const ln = (h: tf.Tensor) => {
    const { mean, variance } = tf.moments(h, -1, true);
    return tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, 1e-5)));
  };
  // Token-wise dense layers as 2-D matMuls (tfjs's own gradient of a 3-D × 2-D matMul is wrong).
  const linear = (h: tf.Tensor, w: tf.Tensor) =>
    tf.reshape(tf.matMul(tf.reshape(h, [-1, w.shape[0] as number]), w), [
      ...h.shape.slice(0, -1),
      w.shape[1] as number,
    ]);
  const emb = linear(patches, wEmb); // [B, S, D]
  const tokens = tf.concat([tf.tile(tf.reshape(cls, [1, 1, D]), [B, 1, 1]), emb], 1); // [B, S+1, D]
  const pos = tf.reshape(tf.range(0, (S + 1) * D), [S + 1, D]).div(10);
  const h0 = tf.add(tokens, pos);
  const qkv = linear(ln(h0), wqkv); // [B, S+1, 3D]
  const [q, k, v] = tf.split(qkv, 3, -1).map((t) =>
    tf.transpose(tf.reshape(t, [B, S + 1, heads, D / heads]), [0, 2, 1, 3])
  );
  const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(D / heads)));
  const mixed = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B, S + 1, D]);
  const h1 = tf.add(h0, mixed);
  const z = linear(ln(h1), w1);
  const gelu = tf.mul(tf.mul(z, 0.5), tf.add(1, tf.erf(tf.div(z, Math.SQRT2))));
  const h2 = tf.add(h1, tf.dropout(linear(gelu, tf.transpose(w1)), 0.25, undefined, 3));
  return tf.squeeze(tf.slice(ln(h2), [0, 0, 0], [B, 1, D]), [1]);
}

/** Network building blocks (end to end): a ResNet basic block and a ViT encoder block. */
export const networkSpecs: OpSpec[] = [
  {
    name: "resnet basic block (maxPool, conv, batch norm, relu, skip, global average pool, dense)",
    family: "composite",
    kernels: ["MaxPool", "Conv2D", "FusedBatchNorm", "Relu", "Mean", "BatchMatMul"],
    shapes: [[2, 6, 6, 3], [3, 3, 3, 3], [3, 3, 3, 3], [3], [3, 4]],
    domains: ["grid", "normal", "normal", "positive", "normal"],
    f: resnetBlock,
    h: 1e-3,
    fdTol: 5e-2,
  },
  {
    name: "vit encoder block (cls token, attention, layer norm, gelu, dropout)",
    family: "composite",
    kernels: ["Concat", "Tile", "SplitV", "Transpose", "BatchMatMul", "Softmax", "Erf", "Slice"],
    shapes: [[2, 3, 5], [5, 4], [4], [4, 12], [4, 8]],
    f: vitBlock,
    h: 1e-3,
    fdTol: 5e-2,
  },
];

/**
 * The layers of src/nn's ResNet18 and ViT exactly as the models call them in
 * the true forward modes (`wrt` = none): explicit padding, train-mode
 * BatchNorm (batch statistics), −∞-padded max-pool, LayerNorm, attention, GELU.
 */
export const modelLayerSpecs: OpSpec[] = [
  {
    name: "nn dense with fused ReLU (all tangents)",
    family: "composite",
    kernels: ["_FusedMatMul"],
    shapes: [[3, 4], [4, 5], [5]],
    f: (x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, "none", "relu"),
    ref: (x, w, b) => tf.relu(tf.add(tf.matMul(x, w), b)),
    h: 1e-3,
    fdTol: 5e-2,
  },
  {
    name: "nn dense with fused ReLU, weight tangents only (weight perturbation)",
    family: "composite",
    kernels: ["_FusedMatMul"],
    shapes: [[6, 4], [4, 5], [5]],
    noTangent: [0],
    f: (x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, "none", "relu"),
    ref: (x, w, b) => tf.relu(tf.add(tf.matMul(x, w), b)),
    h: 1e-3,
    fdTol: 5e-2,
  },
  {
    name: "nn dense, linear, input tangent only (node perturbation)",
    family: "composite",
    kernels: ["_FusedMatMul"],
    shapes: [[6, 4], [4, 5], [5]],
    noTangent: [1, 2],
    f: (x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, "none"),
    ref: (x, w, b) => tf.add(tf.matMul(x, w), b),
  },
  {
    name: "nn conv2d 7×7, stride 2, explicit padding 3",
    family: "composite",
    kernels: ["PadV2", "Conv2D"],
    shapes: [[2, 9, 9, 2], [7, 7, 2, 3]],
    f: (x, w) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 3, "none"),
  },
  {
    name: "nn batchNorm in train mode (batch statistics)",
    family: "composite",
    kernels: ["Mean", "Sub", "Square", "Rsqrt", "Multiply", "Add"],
    shapes: [[3, 2, 2, 4], [4], [4]],
    f: (x, g, b) => batchNorm(x, g, b, tf.zeros([4]), tf.ones([4]), "train").y,
  },
  {
    name: "nn maxPool2d 3×3, stride 2, −∞ padding 1",
    family: "composite",
    kernels: ["PadV2", "MaxPool"],
    shapes: [[2, 5, 5, 3]],
    domains: ["grid"],
    f: (x) => maxPool2d(x as tf.Tensor4D, 3, 2, 1),
  },
  {
    name: "nn layerNorm, self-attention and exact gelu",
    family: "composite",
    kernels: ["Mean", "Rsqrt", "SplitV", "BatchMatMul", "Softmax", "Erf"],
    shapes: [[2, 3, 4], [4], [4], [4, 12], [12], [4, 4], [4]],
    f: (x, g, b, inW, inB, outW, outB) =>
      gelu(selfAttention(layerNorm(x, g, b), inW, inB, outW, outB, 2, "none")),
    h: 1e-3,
    fdTol: 5e-2,
  },
];

/** Every spec. */
export const ALL_SPECS: OpSpec[] = [
  ...unarySpecs,
  ...arithmeticSpecs,
  ...activationSpecs,
  ...reduceSpecs,
  ...shapeSpecs,
  ...matmulSpecs,
  ...convSpecs,
  ...poolSpecs,
  ...normalizationSpecs,
  ...zeroSpecs,
  ...compositeSpecs,
  ...networkSpecs,
  ...modelLayerSpecs,
];

const SHAPE_FREE_ARITHMETIC = [
  "mul",
  "div",
  "pow of two inputs",
  "maximum",
  "minimum",
  "addN",
];
for (const spec of [...unarySpecs, ...activationSpecs, ...arithmeticSpecs]) {
  spec.shapeFree = spec.family !== "arithmetic"
    ? spec.name !== "prelu"
    : SHAPE_FREE_ARITHMETIC.includes(spec.name);
}
