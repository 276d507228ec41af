/**
 * JVP rules for activation kernels: relu family, tanh, sigmoid, softplus,
 * elu, prelu and softmax.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { defUnary } from "../define.ts";
import type { JvpRuleTable } from "../registry.ts";
import { addTangents, liftTangent } from "../value.ts";

function mask(cond: tf.Tensor): tf.Tensor {
  return tf.cast(cond, "float32");
}

/**
 * Derivative of a fused activation (as used by `_FusedMatMul` and
 * `FusedConv2D`) with respect to its pre-activation, given the output `y`.
 * Returns null for "linear" (derivative 1).
 */
export function fusedActivationDerivative(
  activation: string | undefined,
  y: tf.Tensor,
  leakyreluAlpha: number | undefined,
): tf.Tensor | null {
  switch (activation ?? "linear") {
    case "linear":
      return null;
    case "relu":
      return mask(tf.greater(y, 0));
    case "relu6":
      return mask(tf.logicalAnd(tf.greater(y, 0), tf.less(y, 6)));
    case "elu":
      return tf.where(tf.greater(y, 0), tf.onesLike(y), tf.add(y, 1));
    case "sigmoid":
      return tf.mul(y, tf.sub(1, y));
    case "leakyrelu": {
      const alpha = leakyreluAlpha ?? 0.2;
      return tf.where(tf.greater(y, 0), tf.onesLike(y), tf.fill(y.shape, alpha));
    }
    default:
      throw new Error(
        `Cannot compute JVP of fused activation "${activation}": no rule is registered`,
      );
  }
}

/** Rules for activation kernels. */
export const activationRules: JvpRuleTable = {
  Relu: defUnary((t, x) => tf.mul(t, mask(tf.greater(x, 0)))),
  Relu6: defUnary((t, x) => tf.mul(t, mask(tf.logicalAnd(tf.greater(x, 0), tf.less(x, 6))))),
  LeakyRelu: defUnary((t, x, _y, attrs) =>
    tf.mul(t, tf.where(tf.greater(x, 0), tf.onesLike(x), tf.fill(x.shape, attrs.alpha as number)))
  ),
  Elu: defUnary((t, _x, y) => tf.mul(t, tf.where(tf.greater(y, 0), tf.onesLike(y), tf.add(y, 1)))),
  Tanh: defUnary((t, _x, y) => tf.mul(t, tf.sub(1, tf.square(y)))),
  Sigmoid: defUnary((t, _x, y) => tf.mul(t, tf.mul(y, tf.sub(1, y)))),
  Softplus: defUnary((t, x) => tf.mul(t, tf.sigmoid(x))),
  Prelu: (call) => {
    const x = call.inputs.x as tf.Tensor;
    const alpha = call.inputs.alpha as tf.Tensor;
    const y = call.outputs[0];
    const pos = mask(tf.greater(x, 0));
    const tx = call.tangents.x ?? null;
    const ta = call.tangents.alpha ?? null;
    return [
      addTangents([
        tx === null
          ? null
          : tf.mul(liftTangent(tx, y.rank), tf.add(pos, tf.mul(tf.sub(1, pos), alpha))),
        ta === null ? null : tf.mul(liftTangent(ta, y.rank), tf.mul(tf.sub(1, pos), x)),
      ], y.rank),
    ];
  },
  Softmax: (call) => {
    const t = call.tangents.logits ?? null;
    if (t === null) return [null];
    const y = call.outputs[0];
    const dim = call.attrs.dim as number;
    const axis = (dim < 0 ? dim + y.rank : dim) + 1;
    const ty = tf.mul(t, y);
    return [tf.sub(ty, tf.mul(y, tf.sum(ty, axis, true)))];
  },
};
