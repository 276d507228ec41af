/**
 * JVP rules for reductions (sum, mean, max, min) and cumulative sums.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { JvpCall, JvpRuleTable } from "../registry.ts";
import { expandTangent, liftTangent, normalizeAxes } from "../value.ts";

function reduceInfo(call: JvpCall, axisAttr: string) {
  const x = call.inputs.x as tf.Tensor;
  const axes = normalizeAxes(call.attrs[axisAttr], x.rank);
  const keepDims = Boolean(call.attrs.keepDims);
  return { x, axes, keepDims, t: call.tangents.x ?? null };
}

/** A max/min JVP: the tangent at the extreme element; ties share it equally. */
function extremeJvp(call: JvpCall, axisAttr: string) {
  const { x, axes, keepDims, t } = reduceInfo(call, axisAttr);
  if (t === null) return [null];
  const y = call.outputs[0];
  const yKeep = tf.reshape(y, x.shape.map((d, j) => (axes.includes(j) ? 1 : d)));
  const hit = tf.cast(tf.equal(x, yKeep), "float32");
  const count = tf.sum(hit, axes, true);
  const tAxes = axes.map((a) => a + 1);
  const picked = tf.div(tf.sum(tf.mul(liftTangent(t, x.rank), hit), tAxes, true), count);
  return [keepDims ? picked : tf.squeeze(picked, tAxes)];
}

/** Rules for reduction kernels. */
export const reduceRules: JvpRuleTable = {
  Sum: (call) => {
    const { x, axes, keepDims, t } = reduceInfo(call, "axis");
    if (t === null) return [null];
    const tAxes = axes.map((a) => a + 1);
    // Summing over an axis on which a compact tangent is constant multiplies by its length.
    const scale = axes.reduce((s, a) => (t.shape[a + 1] === 1 ? s * x.shape[a] : s), 1);
    const summed = tf.sum(t, tAxes, keepDims);
    return [scale === 1 ? summed : tf.mul(summed, scale)];
  },
  Mean: (call) => {
    const { axes, keepDims, t } = reduceInfo(call, "axis");
    if (t === null) return [null];
    return [tf.mean(t, axes.map((a) => a + 1), keepDims)];
  },
  Max: (call) => extremeJvp(call, "reductionIndices"),
  Min: (call) => extremeJvp(call, "axis"),
  Cumsum: (call) => {
    const x = call.inputs.x as tf.Tensor;
    const t = call.tangents.x ?? null;
    if (t === null) return [null];
    const axis = normalizeAxes(call.attrs.axis, x.rank)[0];
    return [
      tf.cumsum(
        expandTangent(t, x.shape),
        axis + 1,
        Boolean(call.attrs.exclusive),
        Boolean(call.attrs.reverse),
      ),
    ];
  },
};
