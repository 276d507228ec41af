/**
 * Helpers that keep each JVP rule one or two lines, after JAX's `defjvp`,
 * `deflinear`, `defbilinear` and `defjvp_zero`: they do the bookkeeping
 * (symbolic zeros, lifting tangents to the output's rank) so a rule only says
 * the derivative.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { JvpCall, JvpRule } from "./registry.ts";
import { addTangents, type Tangent } from "./value.ts";

function onlyInput(call: JvpCall): [tf.Tensor, Tangent] {
  const names = Object.keys(call.inputs);
  const name = names[0];
  return [call.inputs[name] as tf.Tensor, call.tangents[name] ?? null];
}

/**
 * A rule for a one-input elementwise kernel: `d(t, x, y, attrs)` gives the
 * output tangent from the input tangent `t` ([k, ...]), the input `x` and the
 * output `y` (both broadcast against `t`). A symbolic zero stays zero.
 *
 * @example Exp
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { defUnary } from "./define.ts";
 * const expJvp = defUnary((t, _x, y) => tf.mul(t, y));
 * ```
 */
export function defUnary(
  d: (t: tf.Tensor, x: tf.Tensor, y: tf.Tensor, attrs: Record<string, unknown>) => tf.Tensor,
): JvpRule {
  return (call) => {
    const [x, t] = onlyInput(call);
    return [t === null ? null : d(t, x, call.outputs[0], call.attrs)];
  };
}

/**
 * A rule for a kernel that is linear in its single tensor input: the tangent is
 * the same op applied to the tangent, with k as an extra leading axis.
 *
 * @example Neg
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { defLinear } from "./define.ts";
 * const negJvp = defLinear((t) => tf.neg(t));
 * ```
 */
export function defLinear(
  apply: (t: tf.Tensor, call: JvpCall, x: tf.Tensor) => tf.Tensor,
): JvpRule {
  return (call) => {
    const [x, t] = onlyInput(call);
    return [t === null ? null : apply(t, call, x)];
  };
}

/**
 * A rule for a two-input elementwise kernel with inputs `a` and `b`: the output
 * tangent is `da(ta, a, b, y) + db(tb, a, b, y)`, skipping symbolic zeros, with
 * each tangent lifted to the output's rank first.
 *
 * @example Multiply (bilinear)
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { defBinary } from "./define.ts";
 * const mulJvp = defBinary((ta, _a, b) => tf.mul(ta, b), (tb, a) => tf.mul(tb, a));
 * ```
 */
export function defBinary(
  da: ((ta: tf.Tensor, a: tf.Tensor, b: tf.Tensor, y: tf.Tensor) => tf.Tensor) | null,
  db: ((tb: tf.Tensor, a: tf.Tensor, b: tf.Tensor, y: tf.Tensor) => tf.Tensor) | null,
): JvpRule {
  return (call) => {
    const a = call.inputs.a as tf.Tensor;
    const b = call.inputs.b as tf.Tensor;
    const y = call.outputs[0];
    const ta = call.tangents.a ?? null;
    const tb = call.tangents.b ?? null;
    const parts: Tangent[] = [];
    if (ta !== null && da !== null) parts.push(da(lift(ta, y.rank), a, b, y));
    if (tb !== null && db !== null) parts.push(db(lift(tb, y.rank), a, b, y));
    return [addTangents(parts, y.rank)];
  };
}

function lift(t: tf.Tensor, rank: number): tf.Tensor {
  const extra = rank + 1 - t.rank;
  return extra === 0
    ? t
    : tf.reshape(t, [t.shape[0], ...new Array(extra).fill(1), ...t.shape.slice(1)]);
}

/**
 * A rule for a kernel whose output does not change under small input changes
 * (floor, sign, comparisons, …): every output tangent is a symbolic zero.
 */
export function defZero(): JvpRule {
  return (call) => call.outputs.map(() => null);
}
