/**
 * JVP rules for elementwise math kernels of one input (exp, log, trig, …).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { defLinear, defUnary } from "../define.ts";
import type { JvpRuleTable } from "../registry.ts";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** Rules for elementwise unary math kernels. */
export const unaryRules: JvpRuleTable = {
  Identity: defLinear((t) => t),
  Cast: (call) => [call.outputs[0].dtype === "float32" ? call.tangents.x ?? null : null],
  Neg: defLinear((t) => tf.neg(t)),
  Square: defUnary((t, x) => tf.mul(t, tf.mul(x, 2))),
  Sqrt: defUnary((t, _x, y) => tf.div(t, tf.mul(y, 2))),
  Rsqrt: defUnary((t, _x, y) => tf.mul(t, tf.mul(tf.pow(y, 3), -0.5))),
  Reciprocal: defUnary((t, _x, y) => tf.mul(t, tf.neg(tf.square(y)))),
  Exp: defUnary((t, _x, y) => tf.mul(t, y)),
  Expm1: defUnary((t, _x, y) => tf.mul(t, tf.add(y, 1))),
  Log: defUnary((t, x) => tf.div(t, x)),
  Log1p: defUnary((t, x) => tf.div(t, tf.add(x, 1))),
  Sin: defUnary((t, x) => tf.mul(t, tf.cos(x))),
  Cos: defUnary((t, x) => tf.mul(t, tf.neg(tf.sin(x)))),
  Tan: defUnary((t, _x, y) => tf.mul(t, tf.add(tf.square(y), 1))),
  Asin: defUnary((t, x) => tf.div(t, tf.sqrt(tf.sub(1, tf.square(x))))),
  Acos: defUnary((t, x) => tf.div(tf.neg(t), tf.sqrt(tf.sub(1, tf.square(x))))),
  Atan: defUnary((t, x) => tf.div(t, tf.add(tf.square(x), 1))),
  Sinh: defUnary((t, x) => tf.mul(t, tf.cosh(x))),
  Cosh: defUnary((t, x) => tf.mul(t, tf.sinh(x))),
  Abs: defUnary((t, x) => tf.mul(t, tf.sign(x))),
  Erf: defUnary((t, x) => tf.mul(t, tf.mul(tf.exp(tf.neg(tf.square(x))), TWO_OVER_SQRT_PI))),
  ClipByValue: defUnary((t, x, _y, attrs) => {
    const inside = tf.logicalAnd(
      tf.greaterEqual(x, attrs.clipValueMin as number),
      tf.lessEqual(x, attrs.clipValueMax as number),
    );
    return tf.mul(t, tf.cast(inside, "float32"));
  }),
};
