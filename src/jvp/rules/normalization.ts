/**
 * JVP rule for `FusedBatchNorm` (`tf.batchNorm`):
 * `y = (x − μ)·s/√(σ² + ε) + o`. In training mode μ and σ² are batch
 * statistics computed by ordinary ops (`tf.moments`), so their tangents arrive
 * here as inputs; in eval mode they are constants (symbolic zeros). Layer norm
 * is built from ordinary ops and needs no rule of its own.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { JvpRuleTable } from "../registry.ts";
import { addTangents, liftTangent, type Tangent } from "../value.ts";

/** Rules for normalisation kernels. */
export const normalizationRules: JvpRuleTable = {
  FusedBatchNorm: (call) => {
    const x = call.inputs.x as tf.Tensor;
    const mean = call.inputs.mean as tf.Tensor;
    const variance = call.inputs.variance as tf.Tensor;
    const scale = call.inputs.scale ?? null;
    const y = call.outputs[0];
    const r = y.rank;
    const eps = (call.attrs.varianceEpsilon as number | undefined) ?? 0.001;
    const inv = tf.rsqrt(tf.add(variance, eps));
    const g = scale === null ? inv : tf.mul(scale, inv);
    const xm = tf.sub(x, mean);
    const tg = (name: string): Tangent => {
      const t = call.tangents[name] ?? null;
      return t === null ? null : liftTangent(t, r);
    };
    const tx = tg("x");
    const tm = tg("mean");
    const tv = tg("variance");
    const ts = tg("scale");
    const to = tg("offset");
    return [
      addTangents([
        tx === null ? null : tf.mul(tx, g),
        tm === null ? null : tf.mul(tf.neg(tm), g),
        tv === null ? null : tf.mul(tv, tf.mul(tf.mul(xm, g), tf.mul(tf.square(inv), -0.5))),
        ts === null ? null : tf.mul(ts, tf.mul(xm, inv)),
        to,
      ], r),
    ];
  },
};
