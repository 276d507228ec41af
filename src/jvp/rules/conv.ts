/**
 * JVP rules for 2-D convolutions (NHWC): `Conv2D`, `FusedConv2D` (conv + bias
 * + activation) and `DepthwiseConv2dNative`.
 *
 * Convolution is bilinear, `ẏ = conv(ẋ, W) + conv(x, Ẇ)`, and each term is one
 * conv call for all k directions:
 * - `conv(ẋ, W)`: the k input tangents are folded into the batch axis,
 *   `[k·B, H, W, C]` (a batch-invariant tangent `[k, 1, …]` stays `[k, 1, …]`);
 * - `conv(x, Ẇ)`: the k kernel tangents are stacked on the output-channel axis,
 *   `[fh, fw, C, k·O]`, then the result `[B, oh, ow, k·O]` is unstacked.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { JvpCall, JvpRuleTable } from "../registry.ts";
import { addTangents, expandTangent, expandTangentExceptBatch, liftTangent } from "../value.ts";
import { fusedActivationDerivative } from "./activation.ts";

type Conv = (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor4D;

function convOf(call: JvpCall, depthwise: boolean): Conv {
  const a = call.attrs;
  if ((a.dataFormat ?? "NHWC") !== "NHWC") {
    throw new Error(
      `Cannot compute JVP of "${call.kernelName}": dataFormat must be NHWC, got ${a.dataFormat}`,
    );
  }
  const strides = a.strides as [number, number] | number;
  const pad = a.pad as "valid" | "same" | number;
  const dilations = (a.dilations ?? 1) as [number, number] | number;
  const rounding = a.dimRoundingMode as "floor" | "round" | "ceil" | undefined;
  return depthwise
    ? (x, f) => tf.depthwiseConv2d(x, f, strides, pad, "NHWC", dilations, rounding)
    : (x, f) => tf.conv2d(x, f, strides, pad, "NHWC", dilations, rounding);
}

/** `conv(ẋ, W)` with the k tangents folded into the batch axis. */
function inputTerm(conv: Conv, tx: tf.Tensor, x: tf.Tensor, filter: tf.Tensor, k: number) {
  const t = expandTangentExceptBatch(tx, x.shape);
  const b = t.shape[1] as number;
  const y = conv(
    folded(t, k * b, x.shape),
    filter as tf.Tensor4D,
  );
  return tf.reshape(y, [k, b, ...y.shape.slice(1)]);
}

/** `conv(x, Ẇ)` with the k kernel tangents stacked on the output-channel axis. */
function filterTerm(conv: Conv, x: tf.Tensor, tf_: tf.Tensor, filter: tf.Tensor, k: number) {
  const [fh, fw, c, o] = filter.shape;
  const t = expandTangent(tf_, filter.shape); // [k, fh, fw, c, o]
  const stacked = tf.reshape(tf.transpose(t, [1, 2, 3, 0, 4]), [fh, fw, c, k * o]);
  const y = conv(x as tf.Tensor4D, stacked as tf.Tensor4D); // [B, oh, ow, k·o] (depthwise: c·k·o)
  const [b, oh, ow] = y.shape;
  if (filter.rank === 4 && y.shape[3] === k * o) {
    return tf.transpose(tf.reshape(y, [b, oh, ow, k, o]), [3, 0, 1, 2, 4]);
  }
  // Depthwise: output channel index is ch·(k·o) + j·o + m.
  const split = tf.reshape(y, [b, oh, ow, c, k, o]);
  return tf.reshape(tf.transpose(split, [4, 0, 1, 2, 3, 5]), [k, b, oh, ow, c * o]);
}

function convTangent(call: JvpCall, depthwise: boolean) {
  const conv = convOf(call, depthwise);
  const x = call.inputs.x as tf.Tensor;
  const filter = call.inputs.filter as tf.Tensor;
  const tx = call.tangents.x ?? null;
  const tw = call.tangents.filter ?? null;
  return addTangents([
    tx === null ? null : inputTerm(conv, tx, x, filter, call.k),
    tw === null ? null : filterTerm(conv, x, tw, filter, call.k),
  ], 4);
}

/** Folds a tangent `[k, b, ...]` into a 4-D batch `[k·b, ...shape.slice(1)]`. */
function folded(t: tf.Tensor, kb: number, shape: readonly number[]): tf.Tensor4D {
  const s: number[] = [kb, ...shape.slice(1)];
  return tf.reshape(t, s) as tf.Tensor as tf.Tensor4D;
}

/** Rules for convolution kernels. */
export const convRules: JvpRuleTable = {
  Conv2D: (call) => [convTangent(call, false)],
  DepthwiseConv2dNative: (call) => [convTangent(call, true)],
  FusedConv2D: (call) => {
    if (call.tangents.preluActivationWeights) {
      throw new Error(
        'Cannot compute JVP of "FusedConv2D": tangents of prelu weights are not supported',
      );
    }
    const y = call.outputs[0];
    const tBias = call.tangents.bias ?? null;
    const z = addTangents([
      convTangent(call, false),
      tBias === null ? null : liftTangent(tBias, y.rank),
    ], y.rank);
    if (z === null) return [null];
    const d = fusedActivationDerivative(
      call.attrs.activation as string | undefined,
      y,
      call.attrs.leakyreluAlpha as number | undefined,
    );
    return [d === null ? z : tf.mul(z, d)];
  },
};
