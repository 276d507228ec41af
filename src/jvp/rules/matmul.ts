/**
 * JVP rules for matrix products: `BatchMatMul` (which tfjs runs for every
 * `tf.matMul`, 2-D or batched) and `_FusedMatMul` (`tf.fused.matMul`, used by
 * tfjs-layers' Dense and by src/nn/dense.ts with `[1, B, in]·[1, in, out]`
 * operands, which go down the 2-D paths below).
 *
 * `ẏ = ȧ·b + a·ḃ`. On wasm, transposed and 3-D products fall to a slow path,
 * so against a 2-D `b` (a weight matrix) both terms are single untransposed
 * 2-D matMuls:
 * - `ȧ·b`: the k tangents `[k, …, M, K]` are folded into the rows,
 *   `[k·…·M, K]·[K, N]`; a batch-invariant tangent `[k, 1, K]` stays `[k, 1, N]`.
 * - `a·ḃ`: on wasm the weight tangents `[k, K, N]` are laid out once as
 *   `[K, k·N]`, so `[…·M, K]·[K, k·N]` gives all k products in one call. Other
 *   backends (native tensorflow, cpu) run one broadcast batched matMul
 *   `[1, …·M, K]·[k, K, N]`, which needs no transpose at all (native: 15 ms
 *   instead of 30 ms transpose + 15 ms matMul for k = 16, K = N = 1024).
 * Against a batched `b` (attention) the k axis becomes an extra broadcast batch
 * axis of one batched matMul. `Einsum` gets the k axis as a fresh index letter.
 *
 * Cost note: weight tangents arrive as `[k, K, N]` (the engine's contract), so
 * on wasm `a·ḃ` pays one transpose to `[K, k·N]` per call, roughly a fifth of
 * a weight-perturbation JVP of an MLP (`bench/jvp_bench.ts`); wasm's batched
 * matMul is far slower than that transpose (about 3 s for the same product).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { JvpCall, JvpRuleTable } from "../registry.ts";
import { addTangents, expandTangent, liftTangent, type Tangent } from "../value.ts";
import { fusedActivationDerivative } from "./activation.ts";

function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = [...Array(t.rank).keys()];
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}

function swapLastDims(s: readonly number[]): number[] {
  const r = [...s];
  [r[r.length - 2], r[r.length - 1]] = [r[r.length - 1], r[r.length - 2]];
  return r;
}

function batchShape(a: readonly number[], b: readonly number[]): number[] {
  const ba = a.slice(0, -2);
  const bb = b.slice(0, -2);
  const n = Math.max(ba.length, bb.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = ba[ba.length - n + i] ?? 1;
    const y = bb[bb.length - n + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** `ȧ·b` for untransposed `a` `[..., M, K]` (shape `aShape`), tangent `ta`, and `b` `[..., K, N]`. */
function leftTerm(ta: tf.Tensor, aShape: number[], b: tf.Tensor, k: number): tf.Tensor {
  const K = aShape[aShape.length - 1];
  const N = b.shape[b.rank - 1];
  if (b.rank === 2) {
    const lead = ta.shape.slice(1, -1);
    const t = expandTangent(ta, [...lead, K]);
    const y = tf.matMul(tf.reshape(t, [-1, K]), b);
    return tf.reshape(y, [k, ...lead, N]);
  }
  const batch = batchShape(aShape, b.shape);
  const M = aShape[aShape.length - 2];
  const P = size(batch);
  const t = tf.reshape(expandTangent(ta, [...batch, M, K]), [k, P, M, K]);
  const bb = tf.reshape(expandTangent(tf.expandDims(b, 0), [...batch, K, N]), [P, K, N]);
  return tf.reshape(tf.matMul(t, bb), [k, ...batch, M, N]);
}

/** `a·ḃ` for untransposed `a` `[..., M, K]` and tangent `tb` of `b` (shape `bShape`) `[..., K, N]`. */
function rightTerm(a: tf.Tensor, tb: tf.Tensor, bShape: number[], k: number): tf.Tensor {
  const K = bShape[bShape.length - 2];
  const N = bShape[bShape.length - 1];
  const M = a.shape[a.rank - 2];
  if (bShape.length === 2) {
    const lead = a.shape.slice(0, -1);
    if (tf.getBackend() !== "wasm") {
      // One broadcast batched product [1, rows, K]·[k, K, N] → [k, rows, N]:
      // no transpose of the (large) weight tangent, none of the result.
      const y = tf.matMul(tf.reshape(a, [1, -1, K]), expandTangent(tb, bShape));
      return tf.reshape(y, [k, ...lead, N]);
    }
    const wide = tf.reshape(tf.transpose(expandTangent(tb, bShape), [1, 0, 2]), [K, k * N]);
    const y = tf.matMul(tf.reshape(a, [-1, K]), wide);
    const back = tf.transpose(tf.reshape(y, [-1, k, N]), [1, 0, 2]);
    return tf.reshape(back, [k, ...lead, N]);
  }
  const batch = batchShape(a.shape, bShape);
  const P = size(batch);
  const aa = tf.reshape(expandTangent(tf.expandDims(a, 0), [...batch, M, K]), [P, M, K]);
  const t = tf.reshape(expandTangent(tb, [...batch, K, N]), [k, P, K, N]);
  return tf.reshape(tf.matMul(aa, t), [k, ...batch, M, N]);
}

/**
 * Drops the leading batch axes of an operand whose batch size is 1 (`[1, M, K]`
 * → `[M, K]`), and the same axes of its tangent (lifted to full rank first).
 */
function dropUnitBatch(x: tf.Tensor, t: Tangent): [tf.Tensor, Tangent] {
  const nb = x.rank - 2;
  const tt = t === null ? null : liftTangent(t, x.rank);
  return [
    tf.reshape(x, x.shape.slice(nb)),
    tt === null ? null : tf.reshape(tt, [tt.shape[0], ...tt.shape.slice(1 + nb)]),
  ];
}

/** The tangent of `matMul(a, b, transposeA, transposeB)`. */
function matMulTangent(call: JvpCall): Tangent {
  let a = call.inputs.a as tf.Tensor;
  let b = call.inputs.b as tf.Tensor;
  let ta = call.tangents.a ?? null;
  let tb = call.tangents.b ?? null;
  // `[1, M, K]·[1, K, N]` (what `_FusedMatMul` and the fused dense layer pass)
  // is a 2-D product: take the 2-D paths (single untransposed matMuls on wasm,
  // no batched product against a 3-D weight tangent); the result is lifted back
  // to the output's rank by addTangents.
  if (
    a.rank > 2 && b.rank > 2 && size(a.shape.slice(0, -2)) === 1 &&
    size(b.shape.slice(0, -2)) === 1
  ) {
    [a, ta] = dropUnitBatch(a, ta);
    [b, tb] = dropUnitBatch(b, tb);
  }
  const aShape = call.attrs.transposeA ? swapLastDims(a.shape) : a.shape;
  const bShape = call.attrs.transposeB ? swapLastDims(b.shape) : b.shape;
  if (call.attrs.transposeA) {
    if (tb !== null) a = swapLast(a);
    if (ta !== null) ta = swapLast(ta);
  }
  if (call.attrs.transposeB) {
    if (ta !== null) b = swapLast(b);
    if (tb !== null) tb = swapLast(tb);
  }
  const rank = call.outputs[0].rank;
  return addTangents([
    ta === null ? null : leftTerm(ta, aShape, b, call.k),
    tb === null ? null : rightTerm(a, tb, bShape, call.k),
  ], rank);
}

const SPARE_LETTERS = "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA";

/**
 * `Einsum` is multilinear: its tangent is Σ_i einsum(…, ẋ_i, …), where the k
 * axis gets an unused index letter in ẋ_i and in the output (one call per
 * input with a tangent).
 */
function einsumTangent(call: JvpCall): Tangent {
  const equation = (call.attrs.equation as string).replace(/\s/g, "");
  if (!equation.includes("->") || equation.includes(".")) {
    throw new Error(
      `Cannot compute JVP of "Einsum": the equation needs an explicit output and no ellipsis, got "${equation}"`,
    );
  }
  const [lhs, out] = equation.split("->");
  const terms = lhs.split(",");
  const z = [...SPARE_LETTERS].find((c) => !equation.includes(c)) as string;
  const names = Object.keys(call.inputs);
  const xs = names.map((n) => call.inputs[n] as tf.Tensor);
  const parts = names.map((n, i) => {
    const t = call.tangents[n] ?? null;
    if (t === null) return null;
    const eq = terms.map((s, j) => (j === i ? z + s : s)).join(",") + "->" + z + out;
    const operands = xs.map((x, j) => (j === i ? expandTangent(t, x.shape) : x));
    return tf.einsum(eq, ...operands);
  });
  return addTangents(parts, call.outputs[0].rank);
}

/** Rules for matrix-product kernels. */
export const matmulRules: JvpRuleTable = {
  Einsum: (call) => [einsumTangent(call)],
  BatchMatMul: (call) => [matMulTangent(call)],
  _FusedMatMul: (call) => {
    if (call.tangents.preluActivationWeights) {
      throw new Error(
        'Cannot compute JVP of "_FusedMatMul": tangents of prelu weights are not supported',
      );
    }
    const y = call.outputs[0];
    const tBias = call.tangents.bias ?? null;
    const z = addTangents([
      matMulTangent(call),
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
