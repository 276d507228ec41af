/**
 * JVP rules for kernels that move values around without arithmetic: reshape,
 * transpose, slicing, concat/stack/split, padding, tiling, gather, reverse.
 * All are linear: the tangent goes through the same op with k as a new leading
 * axis. Compact (broadcast) tangents stay compact where the op allows.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { JvpCall, JvpRuleTable } from "../registry.ts";
import { expandTangent, normalizeAxes, type Tangent } from "../value.ts";

/** The only tensor input (named `x`, `input` or `value` depending on the kernel). */
function single(call: JvpCall): [tf.Tensor, Tangent] {
  const name = Object.keys(call.inputs)[0];
  return [call.inputs[name] as tf.Tensor, call.tangents[name] ?? null];
}

/** Tangents of a list input (Concat, Pack), each full-sized; zeros where null. */
function listTangents(call: JvpCall): tf.Tensor[] {
  return Object.keys(call.inputs).map((name) => {
    const x = call.inputs[name] as tf.Tensor;
    const t = call.tangents[name] ?? null;
    return t === null ? tf.zeros([call.k, ...x.shape]) : expandTangent(t, x.shape);
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Rules for data-movement kernels. */
export const shapeRules: JvpRuleTable = {
  Reshape: (call) => {
    const [x, t] = single(call);
    if (t === null) return [null];
    const out = call.outputs[0].shape;
    // A tangent constant over the batch axis stays so when the batch axis is kept.
    if (
      x.rank >= 1 && out.length >= 1 && t.shape[1] === 1 && x.shape[0] === out[0] &&
      sameShape(t.shape.slice(2), x.shape.slice(1))
    ) {
      return [tf.reshape(t, [call.k, 1, ...out.slice(1)])];
    }
    return [tf.reshape(expandTangent(t, x.shape), [call.k, ...out])];
  },
  Transpose: (call) => {
    const [, t] = single(call);
    if (t === null) return [null];
    const perm = call.attrs.perm as number[];
    return [tf.transpose(t, [0, ...perm.map((p) => p + 1)])];
  },
  Slice: (call) => {
    const [x, t] = single(call);
    if (t === null) return [null];
    const begin = call.attrs.begin as number[];
    const out = call.outputs[0].shape;
    const b: number[] = [0];
    const s: number[] = [-1];
    for (let j = 0; j < x.rank; j++) {
      const compact = t.shape[j + 1] === 1 && x.shape[j] !== 1;
      b.push(compact ? 0 : begin[j]);
      s.push(compact ? 1 : out[j]);
    }
    return [tf.slice(t, b, s)];
  },
  StridedSlice: (call) => {
    const [x, t] = single(call);
    if (t === null) return [null];
    const a = call.attrs as Record<string, number & number[]>;
    return [
      tf.stridedSlice(
        expandTangent(t, x.shape),
        [0, ...a.begin],
        [0, ...a.end],
        [1, ...(a.strides ?? a.begin.map(() => 1))],
        ((a.beginMask ?? 0) << 1) | 1,
        ((a.endMask ?? 0) << 1) | 1,
        (a.ellipsisMask ?? 0) << 1,
        (a.newAxisMask ?? 0) << 1,
        (a.shrinkAxisMask ?? 0) << 1,
      ),
    ];
  },
  Concat: (call) => {
    const rank = call.outputs[0].rank;
    const axis = normalizeAxes(call.attrs.axis, rank)[0];
    return [tf.concat(listTangents(call), axis + 1)];
  },
  Pack: (call) => {
    const rank = call.outputs[0].rank;
    const axis = normalizeAxes(call.attrs.axis, rank)[0];
    return [tf.stack(listTangents(call), axis + 1)];
  },
  Unpack: (call) => {
    const [x, t] = single(call);
    if (t === null) return call.outputs.map(() => null);
    const axis = normalizeAxes(call.attrs.axis, x.rank)[0];
    return tf.unstack(expandTangent(t, x.shape), axis + 1);
  },
  SplitV: (call) => {
    const [x, t] = single(call);
    if (t === null) return call.outputs.map(() => null);
    const axis = normalizeAxes(call.attrs.axis, x.rank)[0];
    const sizes = call.outputs.map((o) => o.shape[axis]);
    return tf.split(expandTangent(t, x.shape), sizes, axis + 1);
  },
  ExpandDims: (call) => {
    const [x, t] = single(call);
    if (t === null) return [null];
    const dim = call.attrs.dim as number;
    return [tf.expandDims(t, (dim < 0 ? dim + x.rank + 1 : dim) + 1)];
  },
  Tile: (call) => {
    const [x, t] = single(call);
    if (t === null) return [null];
    // An axis on which the tangent is constant stays constant (size 1) after tiling.
    const reps = (call.attrs.reps as number[]).map((r, j) => (t.shape[j + 1] === 1 ? 1 : r));
    void x;
    return [reps.every((r) => r === 1) ? t : tf.tile(t, [1, ...reps])];
  },
  PadV2: (call) => {
    const [x, t] = single(call);
    if (t === null) return [null];
    const paddings = call.attrs.paddings as [number, number][];
    const full = expandTangent(t, x.shape);
    if (paddings[0][0] !== 0 || paddings[0][1] !== 0) {
      return [tf.pad(full, [[0, 0], ...paddings], 0)];
    }
    // k folded into the unpadded first axis: a pad of the primal's rank, which every backend that
    // padded the primal supports (webgpu's pad of a rank-5 tensor returned zeros)
    const k = full.shape[0], d0 = x.shape[0];
    const y = tf.pad(tf.reshape(full, [k * d0, ...x.shape.slice(1)]), paddings, 0);
    return [tf.reshape(y, [k, d0, ...y.shape.slice(1)])];
  },
  Reverse: (call) => {
    const [x, t] = single(call);
    if (t === null) return [null];
    const dims = normalizeAxes(call.attrs.dims, x.rank).filter((d) => t.shape[d + 1] !== 1);
    return [dims.length === 0 ? t : tf.reverse(t, dims.map((d) => d + 1))];
  },
  GatherV2: (call) => {
    const x = call.inputs.x as tf.Tensor;
    const t = call.tangents.x ?? null;
    if (t === null) return [null];
    const batchDims = (call.attrs.batchDims as number | undefined) ?? 0;
    if (batchDims !== 0) {
      throw new Error(
        `Cannot compute JVP of "GatherV2": batchDims must be 0, got ${batchDims}`,
      );
    }
    const axis = normalizeAxes(call.attrs.axis, x.rank)[0];
    return [tf.gather(expandTangent(t, x.shape), call.inputs.indices as tf.Tensor, axis + 1)];
  },
};
