/**
 * JVP rules for elementwise arithmetic of two or more inputs (add, sub, mul,
 * div, pow, max/min, squared difference, add-n, select).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { defBinary } from "../define.ts";
import type { JvpRuleTable } from "../registry.ts";
import { addTangents, liftTangent } from "../value.ts";

const same = (t: tf.Tensor) => t;

function mask(cond: tf.Tensor): tf.Tensor {
  return tf.cast(cond, "float32");
}

/** Rules for elementwise arithmetic kernels. */
export const arithmeticRules: JvpRuleTable = {
  Add: defBinary(same, same),
  Sub: defBinary(same, (tb) => tf.neg(tb)),
  Multiply: defBinary((ta, _a, b) => tf.mul(ta, b), (tb, a) => tf.mul(tb, a)),
  RealDiv: defBinary(
    (ta, _a, b) => tf.div(ta, b),
    (tb, _a, b, y) => tf.neg(tf.mul(tb, tf.div(y, b))),
  ),
  Pow: defBinary(
    (ta, a, b) => tf.mul(ta, tf.mul(b, tf.pow(a, tf.sub(b, 1)))),
    (tb, a, _b, y) => tf.mul(tb, tf.mul(y, tf.log(a))),
  ),
  SquaredDifference: defBinary(
    (ta, a, b) => tf.mul(ta, tf.mul(tf.sub(a, b), 2)),
    (tb, a, b) => tf.mul(tb, tf.mul(tf.sub(b, a), 2)),
  ),
  // Ties go to the first input, as in tfjs's gradient.
  Maximum: defBinary(
    (ta, a, b) => tf.mul(ta, mask(tf.greaterEqual(a, b))),
    (tb, a, b) => tf.mul(tb, mask(tf.less(a, b))),
  ),
  Minimum: defBinary(
    (ta, a, b) => tf.mul(ta, mask(tf.lessEqual(a, b))),
    (tb, a, b) => tf.mul(tb, mask(tf.greater(a, b))),
  ),
  AddN: (call) => [addTangents(Object.values(call.tangents), call.outputs[0].rank)],
  Select: (call) => {
    const y = call.outputs[0];
    const m = mask(call.inputs.condition as tf.Tensor);
    const tt = call.tangents.t ?? null;
    const te = call.tangents.e ?? null;
    // tf.where broadcasts condition, t and e to one shape before the kernel runs.
    const mr = m;
    return [
      addTangents([
        tt === null ? null : tf.mul(liftTangent(tt, y.rank), mr),
        te === null ? null : tf.mul(liftTangent(te, y.rank), tf.sub(1, mr)),
      ], y.rank),
    ];
  },
};
