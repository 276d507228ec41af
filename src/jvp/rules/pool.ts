/**
 * JVP rules for 2-D pooling (NHWC): `AvgPool` (linear: the k tangents are
 * folded into the batch axis, one pooling call) and `MaxPool` (the tangent at
 * the first maximal element of each window, found by comparing each of the
 * fh·fw strided window offsets with the output: a loop over the window, never
 * over k).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { JvpCall, JvpRuleTable } from "../registry.ts";
import { expandTangentExceptBatch } from "../value.ts";

function poolInfo(call: JvpCall, x: tf.Tensor) {
  const a = call.attrs;
  return tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize as [number, number] | number,
    a.strides as [number, number] | number,
    1,
    a.pad as "valid" | "same" | number,
    a.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
  );
}

/** Folds a tangent `[k, b, ...]` into a 4-D batch `[k·b, ...shape.slice(1)]`. */
function folded(t: tf.Tensor, kb: number, shape: readonly number[]): tf.Tensor4D {
  const s: number[] = [kb, ...shape.slice(1)];
  return tf.reshape(t, s) as tf.Tensor as tf.Tensor4D;
}

/** Rules for pooling kernels. */
export const poolRules: JvpRuleTable = {
  AvgPool: (call) => {
    const x = call.inputs.x as tf.Tensor;
    const tx = call.tangents.x ?? null;
    if (tx === null) return [null];
    const t = expandTangentExceptBatch(tx, x.shape);
    const b = t.shape[1] as number;
    const a = call.attrs;
    const y = tf.avgPool(
      folded(t, call.k * b, x.shape),
      a.filterSize as [number, number] | number,
      a.strides as [number, number] | number,
      a.pad as "valid" | "same" | number,
      a.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
    );
    return [tf.reshape(y, [call.k, b, ...y.shape.slice(1)])];
  },
  MaxPool: (call) => {
    const x = call.inputs.x as tf.Tensor;
    const tx = call.tangents.x ?? null;
    if (tx === null) return [null];
    const y = call.outputs[0];
    const info = poolInfo(call, x);
    const { top, bottom, left, right } = info.padInfo;
    const [bx, , , c] = x.shape;
    const t = expandTangentExceptBatch(tx, x.shape);
    const bt = t.shape[1] as number;
    const xp = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], -Infinity);
    const tp = tf.pad(t, [[0, 0], [0, 0], [top, bottom], [left, right], [0, 0]], 0);
    const sh = info.strideHeight;
    const sw = info.strideWidth;
    const oh = info.outHeight;
    const ow = info.outWidth;
    let acc: tf.Tensor = tf.zeros([call.k, bx, oh, ow, c]);
    let found: tf.Tensor = tf.zeros(y.shape);
    for (let di = 0; di < info.filterHeight; di++) {
      for (let dj = 0; dj < info.filterWidth; dj++) {
        const hEnd = di + sh * (oh - 1) + 1;
        const wEnd = dj + sw * (ow - 1) + 1;
        const xs = tf.stridedSlice(xp, [0, di, dj, 0], [bx, hEnd, wEnd, c], [1, sh, sw, 1]);
        const ts = tf.stridedSlice(
          tp,
          [0, 0, di, dj, 0],
          [call.k, bt, hEnd, wEnd, c],
          [1, 1, sh, sw, 1],
        );
        const hit = tf.mul(tf.cast(tf.equal(xs, y), "float32"), tf.sub(1, found));
        acc = tf.add(acc, tf.mul(ts, hit));
        found = tf.add(found, hit);
      }
    }
    return [acc];
  },
};
