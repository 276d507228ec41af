/**
 * Interim forward-gradient aggregation (mean and orthogonal projection) with
 * the contract of core's `forwardGradient`, used until src/core lands.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Aggregations the network modes support. */
export type Aggregation = "mean" | "orthogonal_projection";

function solveSpd(gram: Float64Array, k: number, rhs: Float64Array, cols: number): Float64Array {
  // Cholesky of the k×k Gram matrix in float64, then two triangular solves per column.
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = gram[i * k + j];
      for (let m = 0; m < j; m++) s -= L[i * k + m] * L[j * k + m];
      if (i === j) {
        if (!(s > 0)) throw new RangeError("Cannot project: the tangents are linearly dependent");
        L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j];
    }
  }
  const out = new Float64Array(k * cols);
  for (let c = 0; c < cols; c++) {
    const y = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let s = rhs[i * cols + c];
      for (let m = 0; m < i; m++) s -= L[i * k + m] * y[m];
      y[i] = s / L[i * k + i];
    }
    for (let i = k - 1; i >= 0; i--) {
      let s = y[i];
      for (let m = i + 1; m < k; m++) s -= L[m * k + i] * out[m * cols + c];
      out[i * cols + c] = s / L[i * k + i];
    }
  }
  return out;
}

/** Forward gradient of tangents [k, ...shape] and d [k] or [k, B] → shape or [...shape, B]. */
export function forwardGradient(
  tangents: tf.Tensor,
  d: tf.Tensor,
  aggregation: Aggregation,
): tf.Tensor {
  return tf.tidy(() => {
    const k = tangents.shape[0];
    const n = tangents.size / k;
    const V = tf.reshape(tangents, [k, n]) as tf.Tensor2D;
    const batched = d.rank === 2;
    const cols = batched ? d.shape[1]! : 1;
    const d2 = tf.reshape(d, [k, cols]) as tf.Tensor2D;
    let coef: tf.Tensor2D;
    if (aggregation === "mean") {
      coef = tf.div(d2, k);
    } else {
      const gram = tf.matMul(V, tf.transpose(V)).dataSync();
      const sol = solveSpd(Float64Array.from(gram), k, Float64Array.from(d2.dataSync()), cols);
      coef = tf.tensor2d(Float32Array.from(sol), [k, cols]);
    }
    const fg = tf.matMul(tf.transpose(V), coef); // [n, cols]
    const shape = tangents.shape.slice(1);
    return batched ? tf.reshape(fg, [...shape, cols]) : tf.reshape(fg, shape);
  });
}
