/**
 * The small dense products of the forward-gradient aggregations (spec §1.3,
 * §1.4) on typed arrays, accumulated like tfjs-wasm's matMul (XNNPACK): each
 * product rounded to float32, summed in inner-index order in float32,
 * starting from +0.
 *
 * @module
 */

const fr = Math.fround;

/**
 * out[t] = Σ_{j<m} w[j]·v[j, t] (the `[1, m]·[m, n]` product of `combine`).
 *
 * @example
 * ```ts
 * import { combineRows } from "./linear.ts";
 * combineRows(new Float32Array([1, 2, 3, 4]), new Float32Array([1, 1]), 2, 2, new Float32Array(2));
 * // Float32Array [4, 6]
 * ```
 */
export function combineRows(
  v: Float32Array,
  w: ArrayLike<number>,
  m: number,
  n: number,
  out: Float32Array,
): Float32Array {
  out.fill(0);
  for (let j = 0; j < m; j++) {
    const wj = w[j];
    const o = j * n;
    for (let t = 0; t < n; t++) out[t] = out[t] + fr(wj * v[o + t]);
  }
  return out;
}

/**
 * G[i, j] = Σ_t v[i, t]·v[j, t] for the first m rows (`matMul(v, vᵀ)`), as
 * float64 values. Four dot products run side by side (each still summed in
 * t order): a float32 sum is a serial chain, so one at a time would wait on
 * its own latency.
 */
export function gramRows(v: Float32Array, m: number, n: number): Float64Array {
  const G = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const a = i * n;
    let j = i;
    for (; j + 3 < m; j += 4) {
      const b0 = j * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let t = 0; t < n; t++) {
        const x = v[a + t];
        s0 = fr(s0 + fr(x * v[b0 + t]));
        s1 = fr(s1 + fr(x * v[b1 + t]));
        s2 = fr(s2 + fr(x * v[b2 + t]));
        s3 = fr(s3 + fr(x * v[b3 + t]));
      }
      G[i * m + j] = G[j * m + i] = s0;
      G[i * m + j + 1] = G[(j + 1) * m + i] = s1;
      G[i * m + j + 2] = G[(j + 2) * m + i] = s2;
      G[i * m + j + 3] = G[(j + 3) * m + i] = s3;
    }
    for (; j < m; j++) {
      const b = j * n;
      let s = 0;
      for (let t = 0; t < n; t++) s = fr(s + fr(v[a + t] * v[b + t]));
      G[i * m + j] = s;
      G[j * m + i] = s;
    }
  }
  return G;
}

/**
 * d[j] = Σ_i term(v[j, i], i) for j < k, each sum in i order in float32,
 * four rows side by side (see {@link gramRows}). `term` is one coordinate's
 * tangent contribution, already rounded to float32.
 */
export function rowSums(
  k: number,
  n: number,
  d: Float32Array,
  term: (j: number, i: number) => number,
): void {
  let j = 0;
  for (; j + 3 < k; j += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < n; i++) {
      s0 = fr(s0 + term(j, i));
      s1 = fr(s1 + term(j + 1, i));
      s2 = fr(s2 + term(j + 2, i));
      s3 = fr(s3 + term(j + 3, i));
    }
    d[j] = s0;
    d[j + 1] = s1;
    d[j + 2] = s2;
    d[j + 3] = s3;
  }
  for (; j < k; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s = fr(s + term(j, i));
    d[j] = s;
  }
}

/** r[i] = Σ_t v[i, t]·u[t] for the first m rows (`matMul(v, u)` with u [n, 1]). */
export function matVecRows(v: Float32Array, u: Float32Array, m: number, n: number): Float32Array {
  const r = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const a = i * n;
    let s = 0;
    for (let t = 0; t < n; t++) s = fr(s + fr(v[a + t] * u[t]));
    r[i] = s;
  }
  return r;
}
