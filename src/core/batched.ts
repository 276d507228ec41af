/**
 * Many independent tangent sets at once: S samples, each with its own
 * V_s [k, n] and d_s [k], stored back to back in one Float32Array [S, k, n].
 * This is the path of the approximation-quality experiment. The kernels pick
 * the fastest measured route per backend: on wasm, 3-D (batched) matMuls fall
 * to a slow path (about 2.8 GFLOPS against 26 for 2-D), so each sample gets
 * its own 2-D matMul inside one tidy with a single read-back; on cpu, tight
 * float64 JS loops beat tfjs' 1-GFLOPS matMul; elsewhere one batched matMul.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { type Aggregation, checkAggregation, selectSubset, type SubsetRule } from "./aggregate.ts";
import {
  conjugateGradient,
  gramQuadraticForm,
  type GramSolveInfo,
  GramSolver,
  lstsq,
  luSolve,
} from "./_linalg.ts";
import { REFINE_ABOVE_CONDITION } from "./aggregate.ts";

type Route = "js" | "per-sample" | "batched";

function route(rows: number): Route {
  const be = tf.getBackend();
  if (be === "cpu") return "js";
  if (be === "wasm") return rows <= 8 ? "js" : "per-sample";
  return "batched";
}

function checkBatch(v: Float32Array, S: number, k: number, n: number): void {
  if (v.length !== S * k * n) {
    throw new TypeError(
      `Cannot process a tangent batch: expected ${S}×${k}×${n} values, got ${v.length}`,
    );
  }
}

/**
 * The float64 Gram matrix of r rows of length n at `o`, into out at `go`
 * (row-major r×r). Pairs of rows against pairs of rows (2×2 register
 * blocks: 4 loads per 4 multiply-adds instead of 2 per 1); every entry is
 * still one sequential float64 sum over t, so the numbers are those of the
 * plain double loop.
 */
function gramJs(
  v: Float32Array,
  o: number,
  r: number,
  n: number,
  out: Float64Array,
  go: number,
): void {
  const put = (i: number, j: number, x: number) => {
    out[go + i * r + j] = x;
    out[go + j * r + i] = x;
  };
  let i = 0;
  for (; i + 1 < r; i += 2) {
    const a0 = o + i * n, a1 = a0 + n;
    let j = 0;
    for (; j + 1 <= i; j += 2) {
      const b0 = o + j * n, b1 = b0 + n;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let t = 0; t < n; t++) {
        const x0 = v[a0 + t], x1 = v[a1 + t], y0 = v[b0 + t], y1 = v[b1 + t];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      put(i, j, s00);
      put(i, j + 1, s01);
      put(i + 1, j, s10);
      put(i + 1, j + 1, s11);
    }
    // The diagonal 2×2 block (j = i).
    let s00 = 0, s10 = 0, s11 = 0;
    for (let t = 0; t < n; t++) {
      const x0 = v[a0 + t], x1 = v[a1 + t];
      s00 += x0 * x0;
      s10 += x1 * x0;
      s11 += x1 * x1;
    }
    put(i, i, s00);
    put(i + 1, i, s10);
    put(i + 1, i + 1, s11);
  }
  if (i < r) {
    const a = o + i * n;
    for (let j = 0; j <= i; j++) {
      const b = o + j * n;
      let acc = 0;
      for (let t = 0; t < n; t++) acc += v[a + t] * v[b + t];
      put(i, j, acc);
    }
  }
}

/**
 * Gram matrices G_s = V_s V_sᵀ of the leading `rows` tangents of every sample.
 *
 * @param v tangents [S, k, n]
 * @param S number of samples
 * @param k tangents per sample
 * @param n flattened tangent size
 * @param rows how many leading tangents to use (default k)
 * @returns Float64Array [S, rows, rows]
 */
export function batchedGram(
  v: Float32Array,
  S: number,
  k: number,
  n: number,
  rows = k,
): Float64Array {
  checkBatch(v, S, k, n);
  const r = rows;
  const out = new Float64Array(S * r * r);
  const how = route(r);
  if (how === "js") {
    for (let s = 0; s < S; s++) gramJs(v, s * k * n, r, n, out, s * r * r);
    return out;
  }
  // Symmetry: with V split into p row blocks B_0 … B_{p−1}, only the blocks
  // B_i B_jᵀ with j ≤ i are formed ((p + 1)/2p of the flops). On wasm, p is
  // the largest of 2, 4, 8 that leaves blocks of at least 32 rows. Measured
  // per sample on wasm (quiet machine): k = 256, n = 4096: full 18 ms, halves
  // 14.8, quarters 12.0, eighths 10.7; k = 256, n = 1024: 4.5, 3.7, 2.8, 2.75;
  // k = 128, n = 4096: 5.9, 4.1, 3.6; k = 512, n = 4096: quarters 41.7,
  // eighths 37.4; k = 1024, n = 4096: full 246, halves 175, quarters 145,
  // eighths 132. (Under heavy load from other jobs the ranking wobbled.)
  let parts = 1;
  for (const p of [2, 4, 8]) if (r % p === 0 && r / p >= 32) parts = p;
  if (how === "per-sample" && parts > 1) {
    const h = r / parts;
    const res = tf.tidy(() => {
      const out: tf.Tensor[] = [];
      for (let s = 0; s < S; s++) {
        const o = s * k * n;
        const blocks = Array.from(
          { length: parts },
          (_, i) => tf.tensor2d(v.subarray(o + i * h * n, o + (i + 1) * h * n), [h, n]),
        );
        const ts = blocks.map((x) => tf.transpose(x));
        for (let i = 0; i < parts; i++) {
          for (let j = 0; j <= i; j++) out.push(tf.matMul(blocks[i], ts[j]));
        }
      }
      return tf.concat(out, 0);
    });
    const data = res.dataSync();
    res.dispose();
    const hh = h * h;
    const perSample = (parts * (parts + 1)) / 2;
    for (let s = 0; s < S; s++) {
      const go = s * r * r;
      let bo = s * perSample * hh;
      for (let bi = 0; bi < parts; bi++) {
        for (let bj = 0; bj <= bi; bj++, bo += hh) {
          for (let i = 0; i < h; i++) {
            const row = go + (bi * h + i) * r + bj * h;
            for (let j = 0; j < h; j++) {
              const x = data[bo + i * h + j]; // (B_bi B_bjᵀ)[i][j]
              out[row + j] = x;
              out[go + (bj * h + j) * r + bi * h + i] = x;
            }
          }
        }
      }
    }
    return out;
  }
  if (how === "batched" && r >= 64 && r % 2 === 0) {
    parts = r >= 512 && r % 4 === 0 ? 4 : 2;
    // Symmetry with batched matMuls: row panel i is B_i [B_0; …; B_i]ᵀ (the
    // lower block triangle; 3/4 of the flops for p = 2, 5/8 for p = 4).
    // Measured on tensorflow per sample: k = 256, n = 4096: halves 3.6 ms,
    // full 4.0; k = 1024, n = 4096: quarters 29 ms, halves 31, full 54;
    // n = 16384: quarters 245 ms, full 264, halves 284.
    const h = r / parts;
    const panels = tf.tidy(() => {
      let V = tf.tensor3d(v, [S, k, n]);
      if (r !== k) V = tf.slice(V, [0, 0, 0], [S, r, n]);
      return Array.from({ length: parts }, (_, i) =>
        tf.matMul(
          tf.slice(V, [0, i * h, 0], [S, h, n]),
          tf.slice(V, [0, 0, 0], [S, (i + 1) * h, n]),
          false,
          true,
        ));
    });
    panels.forEach((panel, i) => {
      const data = panel.dataSync();
      panel.dispose();
      const w = (i + 1) * h;
      for (let s = 0; s < S; s++) {
        for (let a = 0; a < h; a++) {
          out.set(data.subarray((s * h + a) * w, (s * h + a + 1) * w), s * r * r + (i * h + a) * r);
        }
      }
    });
    for (let s = 0; s < S; s++) {
      const go = s * r * r;
      for (let i = 0; i < r; i++) {
        for (let j = i + 1; j < r; j++) out[go + i * r + j] = out[go + j * r + i];
      }
    }
    return out;
  }
  const res = tf.tidy(() => {
    if (how === "per-sample") {
      const parts: tf.Tensor[] = [];
      for (let s = 0; s < S; s++) {
        const vs = tf.tensor2d(v.subarray(s * k * n, s * k * n + r * n), [r, n]);
        parts.push(tf.matMul(vs, tf.transpose(vs)));
      }
      return tf.concat(parts, 0);
    }
    let V = tf.tensor3d(v, [S, k, n]);
    if (r !== k) V = tf.slice(V, [0, 0, 0], [S, r, n]);
    return tf.matMul(V, V, false, true);
  });
  out.set(res.dataSync());
  res.dispose();
  return out;
}

/**
 * Linear combinations of every sample's tangents: out[s, i] = Σ_j W[s, i, j] v_{s,j}.
 *
 * @param v tangents [S, k, n]
 * @param w weights [S, m, k]
 * @returns Float32Array [S, m, n]
 */
export function batchedCombine(
  v: Float32Array,
  S: number,
  k: number,
  n: number,
  w: Float64Array,
  m: number,
): Float32Array {
  checkBatch(v, S, k, n);
  if (w.length !== S * m * k) {
    throw new TypeError(
      `Cannot combine tangents: expected ${S}×${m}×${k} weights, got ${w.length}`,
    );
  }
  // Measured on wasm (k = 256, n = 4096, m = 3): one JS pass that updates all
  // m accumulators per tangent element takes 1 ms per sample, a per-sample
  // tfjs matMul 4–7 ms (tiny M is XNNPACK's worst case). Only backends with
  // fast batched matMuls (tensorflow, webgpu) use tfjs here.
  const be = tf.getBackend();
  if (be === "cpu" || be === "wasm") {
    const out = new Float32Array(S * m * n);
    const acc = Array.from({ length: m }, () => new Float64Array(n));
    const [a0, a1, a2] = acc;
    for (let s = 0; s < S; s++) {
      for (const a of acc) a.fill(0);
      for (let j = 0; j < k; j++) {
        const o = (s * k + j) * n;
        const wo = s * m * k + j;
        if (m === 3) {
          const c0 = w[wo], c1 = w[wo + k], c2 = w[wo + 2 * k];
          for (let t = 0; t < n; t++) {
            const x = v[o + t];
            a0[t] += c0 * x;
            a1[t] += c1 * x;
            a2[t] += c2 * x;
          }
        } else if (m === 2) {
          const c0 = w[wo], c1 = w[wo + k];
          for (let t = 0; t < n; t++) {
            const x = v[o + t];
            a0[t] += c0 * x;
            a1[t] += c1 * x;
          }
        } else {
          for (let i = 0; i < m; i++) {
            const c = w[wo + i * k];
            if (c === 0) continue;
            const a = acc[i];
            for (let t = 0; t < n; t++) a[t] += c * v[o + t];
          }
        }
      }
      for (let i = 0; i < m; i++) out.set(acc[i], (s * m + i) * n);
    }
    return out;
  }
  const res = tf.tidy(() => {
    const w32 = Float32Array.from(w);
    return tf.matMul(tf.tensor3d(w32, [S, m, k]), tf.tensor3d(v, [S, k, n]));
  });
  const out = res.dataSync() as Float32Array;
  res.dispose();
  return Float32Array.from(out);
}

/** Directional derivatives d_s = V_s g for every sample, in float64: [S, k]. */
export function batchedDirectionalDerivatives(
  v: Float32Array,
  S: number,
  k: number,
  n: number,
  g: Float32Array | Float64Array,
): Float64Array {
  checkBatch(v, S, k, n);
  if (g.length !== n) {
    throw new TypeError(
      `Cannot compute directional derivatives: g has length ${g.length}, expected ${n}`,
    );
  }
  const d = new Float64Array(S * k);
  for (let r = 0; r < S * k; r++) {
    let acc = 0;
    const o = r * n;
    for (let t = 0; t < n; t++) acc += v[o + t] * g[t];
    d[r] = Math.fround(acc);
  }
  return d;
}

/**
 * Iterative refinement in float64 of x for the m contiguous tangents of one
 * sample starting at `off`; returns whether the correction became negligible.
 */
function refine64(
  v: Float32Array,
  off: number,
  m: number,
  n: number,
  d: Float64Array,
  solver: GramSolver,
  x: Float64Array,
): boolean {
  const u = new Float64Array(n);
  const r = new Float64Array(m);
  let last = Infinity;
  for (let it = 0; it < 40; it++) {
    u.fill(0);
    for (let j = 0; j < m; j++) {
      const c = x[j], o = off + j * n;
      for (let t = 0; t < n; t++) u[t] += c * v[o + t];
    }
    for (let j = 0; j < m; j++) {
      let acc = 0;
      const o = off + j * n;
      for (let t = 0; t < n; t++) acc += v[o + t] * u[t];
      r[j] = d[j] - acc;
    }
    const dx = solver.solve(r);
    let nd = 0, nx = 0;
    for (let j = 0; j < m; j++) {
      nd += dx[j] * dx[j];
      nx += x[j] * x[j];
    }
    if (!(nd < last)) return false;
    for (let j = 0; j < m; j++) x[j] += dx[j];
    last = nd;
    if (nd <= 1e-20 * nx) return true;
  }
  return false;
}

/** The Gram matrix of m contiguous tangents in float64 (exact products). */
function gram64(v: Float32Array, off: number, m: number, n: number): Float64Array {
  const G = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      const a = off + i * n, b = off + j * n;
      for (let t = 0; t < n; t++) acc += v[a + t] * v[b + t];
      G[i * m + j] = G[j * m + i] = acc;
    }
  }
  return G;
}

/**
 * Solves one tangent set's frog system G c = d for the m contiguous tangents
 * of `v` starting at element `off`: a float64 solve of the (float32) Gram
 * matrix G (conjugate gradients or Cholesky); above a condition estimate of
 * 1e3 the Cholesky solution is refined with float64 residuals d − V(Vᵀc)
 * whatever the condition; if that stalls (the float32 Gram lost too much),
 * the Gram is re-formed in float64 and solved by Cholesky (least squares
 * only beyond condition 1e13; a singular Gram throws unless
 * `allowRankDeficient`, which projects onto the span of the tangents).
 *
 * @returns the weights c (length m) and how the system was solved
 */
export function solveProjectionWeights(
  v: Float32Array,
  off: number,
  m: number,
  n: number,
  G: Float64Array,
  d: Float64Array,
  allowRankDeficient = false,
): { x: Float64Array; info: GramSolveInfo } {
  // 1. Well-conditioned (k ≪ n): conjugate gradients.
  if (m >= 128) {
    const cg = conjugateGradient(G, d, m, Math.min(80, Math.floor(m / 4)));
    if (cg.converged && cg.conditionLowerBound <= 100) {
      return { x: cg.x, info: { method: "cg", condition: cg.conditionLowerBound, rank: m } };
    }
  }
  // 2. Cholesky of the float32 Gram at any condition, refined in float64 through V.
  const chol = GramSolver.tryCholesky(G, m);
  if (chol) {
    const x = chol.solve(d);
    if (chol.info.condition <= REFINE_ABOVE_CONDITION) return { x, info: chol.info };
    if (refine64(v, off, m, n, d, chol, x)) return { x, info: chol.info };
  }
  // 3. The float32 Gram is too inaccurate: form it in float64 (exact products).
  const G64 = gram64(v, off, m, n);
  let solver: GramSolver;
  try {
    solver = new GramSolver(G64, m, 1e13);
  } catch (e) {
    if (!allowRankDeficient) throw e;
    return lstsq(G64, d, m, m, 1, true);
  }
  const x = solver.solve(d);
  if (solver.info.method === "cholesky") refine64(v, off, m, n, d, solver, x);
  return { x, info: solver.info };
}

/**
 * dᵀG⁻¹d for one tangent set (m contiguous tangents at element `off` of `v`,
 * their Gram G and directional derivatives d): ‖f‖² = g·f of the frog
 * gradient f = P g, all the approximation metrics need of frog. Well
 * conditioned Grams with m ≥ 128 use {@link gramQuadraticForm} (about half
 * the conjugate-gradient steps of solving for the weights, relative error
 * ≤ 1e-10); anything else goes through {@link solveProjectionWeights}.
 *
 * @returns q = dᵀG⁻¹d and how the system was solved
 */
export function projectionQuadraticForm(
  v: Float32Array,
  off: number,
  m: number,
  n: number,
  G: Float64Array,
  d: Float64Array,
  allowRankDeficient = false,
): { q: number; info: GramSolveInfo } {
  if (m >= 128) {
    const cg = gramQuadraticForm(G, d, m, Math.min(80, Math.floor(m / 4)));
    if (cg.converged && cg.conditionLowerBound <= 100) {
      return { q: cg.q, info: { method: "cg", condition: cg.conditionLowerBound, rank: m } };
    }
  }
  const { x, info } = solveProjectionWeights(v, off, m, n, G, d, allowRankDeficient);
  let q = 0;
  for (let j = 0; j < m; j++) q += d[j] * x[j];
  return { q, info };
}

/**
 * Frog gradient of one square tangent set (n tangents of length n starting
 * at element `off` of `v`): Vᵀ(VVᵀ)⁻¹d = V⁻¹d, solved directly by float64 LU
 * with partial pivoting (n³/3 multiply-adds, accurate to cond(V)·1e-16, no
 * Gram matrix). A V singular to working precision falls back to
 * {@link solveProjectionWeights} on the float64 Gram (which throws unless
 * `allowRankDeficient`, then projects onto the span of the tangents).
 *
 * @returns f (float64, length n) and, for the fallback only, how its Gram system was solved
 * @example The projection onto the span of two independent tangents in R² is the identity
 * ```ts
 * import { squareProjection } from "./batched.ts";
 * const v = Float32Array.of(1, 1, 0, 2); // tangents (1, 1) and (0, 2)
 * const d = Float64Array.of(3, 4); // V g for g = (1, 2)
 * console.log(squareProjection(v, 0, 2, d).f); // [1, 2]
 * ```
 */
export function squareProjection(
  v: Float32Array,
  off: number,
  n: number,
  d: Float64Array,
  allowRankDeficient = false,
): { f: Float64Array; info?: GramSolveInfo } {
  const V = v.subarray(off, off + n * n);
  const f = luSolve(V, d, n);
  if (f) return { f };
  const { x, info } = solveProjectionWeights(
    v,
    off,
    n,
    n,
    gram64(v, off, n, n),
    d,
    allowRankDeficient,
  );
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const c = x[j], o = j * n;
    if (c !== 0) { for (let t = 0; t < n; t++) out[t] += c * V[o + t]; }
  }
  return { f: out, info };
}

/** Options of {@link batchedForwardGradient}. */
export interface BatchedOptions {
  /** Frog subset rule for k > n (default `first_n`). */
  subset?: SubsetRule;
  /** Called after every Gram solve. */
  onGramSolve?: (info: GramSolveInfo, sample: number) => void;
  /**
   * Project onto the span of linearly dependent tangents instead of throwing
   * (rank-truncated least squares, reported with rank < k). Default false.
   */
  allowRankDeficient?: boolean;
}

/**
 * Frog weights c_s = G_s⁻¹ d_s for every sample, laid out [S, k] with zeros
 * for the tangents that the subset rule drops. Gram matrices come from
 * {@link batchedGram} (float32); each system is solved in float64 and, when
 * its condition estimate exceeds 1e3, refined with float64 residuals
 * d − V(Vᵀc) (re-forming the Gram in float64 if refinement stalls), so frog
 * with k = n returns g to float precision even at n = 1024.
 */
export function batchedProjectionWeights(
  v: Float32Array,
  S: number,
  k: number,
  n: number,
  d: Float64Array,
  opts: BatchedOptions = {},
): Float64Array {
  const rule = opts.subset ?? "first_n";
  const m = Math.min(k, n);
  const w = new Float64Array(S * k);
  if (rule === "first_n" || k <= n) {
    const G = batchedGram(v, S, k, n, m);
    for (let s = 0; s < S; s++) {
      const Gs = G.subarray(s * m * m, (s + 1) * m * m);
      const { x, info } = solveProjectionWeights(
        v,
        s * k * n,
        m,
        n,
        Gs,
        d.subarray(s * k, s * k + m),
        opts.allowRankDeficient,
      );
      opts.onGramSolve?.(info, s);
      w.set(x, s * k);
    }
    return w;
  }
  // max / min subsets: gather each sample's chosen rows first.
  const sub = new Float32Array(S * m * n);
  const idxs: Int32Array[] = [];
  for (let s = 0; s < S; s++) {
    const idx = selectSubset(rule, k, n, () => {
      const c = new Float64Array(k);
      for (let j = 0; j < k; j++) {
        let ss = 0;
        const o = (s * k + j) * n;
        for (let t = 0; t < n; t++) ss += v[o + t] * v[o + t];
        c[j] = Math.abs(d[s * k + j]) / Math.sqrt(ss);
      }
      return c;
    });
    idxs.push(idx);
    idx.forEach((j, i) =>
      sub.set(v.subarray((s * k + j) * n, (s * k + j + 1) * n), (s * m + i) * n)
    );
  }
  const G = batchedGram(sub, S, m, n);
  for (let s = 0; s < S; s++) {
    const ds = Float64Array.from(idxs[s], (j) => d[s * k + j]);
    const Gs = G.subarray(s * m * m, (s + 1) * m * m);
    const { x, info } = solveProjectionWeights(
      sub,
      s * m * n,
      m,
      n,
      Gs,
      ds,
      opts.allowRankDeficient,
    );
    opts.onGramSolve?.(info, s);
    idxs[s].forEach((j, i) => (w[s * k + j] = x[i]));
  }
  return w;
}

/**
 * Forward gradients for S independent tangent sets: result row s equals
 * `forwardGradient(V_s, d_s, aggregation)` (no scaling correction).
 *
 * @param v tangents [S, k, n]
 * @param S number of samples
 * @param k tangents per sample
 * @param n flattened size
 * @param d directional derivatives [S, k]
 * @param aggregation the aggregation key
 * @returns Float32Array [S, n]
 * @example Mean forward gradient of two samples with one tangent each
 * ```ts
 * import { batchedForwardGradient } from "./batched.ts";
 * const v = Float32Array.of(1, 0, 0, 1); // S = 2, k = 1, n = 2
 * const d = Float64Array.of(3, 4);
 * console.log(batchedForwardGradient(v, 2, 1, 2, d, "mean")); // [3, 0, 0, 4]
 * ```
 */
export function batchedForwardGradient(
  v: Float32Array,
  S: number,
  k: number,
  n: number,
  d: Float64Array,
  aggregation: Aggregation | string,
  opts: BatchedOptions = {},
): Float32Array {
  const agg = checkAggregation(aggregation);
  checkBatch(v, S, k, n);
  if (d.length !== S * k) {
    throw new TypeError(
      `Cannot compute forward gradients: d must have ${S}×${k} values, got ${d.length}`,
    );
  }
  let w: Float64Array;
  const norms = () => {
    const c = new Float64Array(S * k);
    for (let r = 0; r < S * k; r++) {
      let ss = 0;
      for (let t = 0; t < n; t++) ss += v[r * n + t] ** 2;
      c[r] = Math.abs(d[r]) / Math.sqrt(ss);
    }
    return c;
  };
  const pick = (score: Float64Array, topK: boolean) => {
    const out = new Float64Array(S * k);
    for (let s = 0; s < S; s++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (score[s * k + j] > score[s * k + best]) best = j;
      if (!topK) out[s * k + best] = d[s * k + best];
      else {
        const top = score[s * k + best];
        for (let j = 0; j < k; j++) {
          if (score[s * k + j] >= top - 0.1) out[s * k + j] = d[s * k + j] / k;
        }
      }
    }
    return out;
  };
  switch (agg) {
    case "sum":
      w = d;
      break;
    case "mean":
      w = d.map((x) => x / k);
      break;
    case "mean_times_dim":
      w = d.map((x) => (x * n) / k);
      break;
    case "max":
      w = pick(d.map(Math.abs), false);
      break;
    case "max_normalized":
      w = pick(norms(), false);
      break;
    case "mean_of_top_k":
      w = pick(norms(), true);
      break;
    case "orthogonal_projection":
      w = batchedProjectionWeights(v, S, k, n, d, opts);
      break;
  }
  return batchedCombine(v, S, k, n, w, 1);
}
