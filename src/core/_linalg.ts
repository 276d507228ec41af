/**
 * Small dense float64 linear algebra for the forward-gradient core: Cholesky
 * and pivoted-QR solves of k×k Gram systems, and the numerical rank of a k×n
 * matrix. Matrices are row-major Float64Arrays.
 *
 * @module
 */

/** How a Gram system was solved. */
export interface GramSolveInfo {
  /**
   * `cg` (conjugate gradients, well-conditioned), `cholesky`, or `lstsq` for
   * the least-squares fallback of an ill-conditioned or singular-looking Gram.
   */
  method: "cg" | "cholesky" | "lstsq";
  /** Estimated 2-norm condition number of the Gram matrix. */
  condition: number;
  /** Numerical rank used by the solve (k for Cholesky). */
  rank: number;
}

/** Above this estimated condition number the Cholesky result is replaced by least squares. */
export const CHOLESKY_MAX_CONDITION = 1e6;
/** Relative pivot size below which a Gram matrix counts as exactly singular. */
export const SINGULAR_TOLERANCE = 1e-13;

/**
 * A factorised symmetric positive semi-definite k×k matrix (a Gram matrix)
 * that solves G X = D for k×m right-hand sides. Cholesky when G is positive
 * definite with condition estimate ≤ {@link CHOLESKY_MAX_CONDITION},
 * otherwise a rank-revealing pivoted-QR least-squares solve. Throws when G is
 * singular to working precision. Never forms an inverse.
 */
export class GramSolver {
  /** How the system is solved, with the condition estimate. */
  readonly info: GramSolveInfo;
  #L: Float64Array | undefined;
  #G: Float64Array;
  #k: number;

  /**
   * Factorises G (Cholesky, or pivoted QR as the fallback).
   *
   * @param G the k×k matrix, row-major
   * @param k its order
   * @param maxCondition above this Cholesky condition estimate, use least squares
   * @param fallback use least squares when Cholesky fails or is too ill-conditioned (default true)
   */
  constructor(G: Float64Array, k: number, maxCondition = CHOLESKY_MAX_CONDITION, fallback = true) {
    this.#G = G;
    this.#k = k;
    const L = new Float64Array(k * k);
    let ok = true;
    let minD = Infinity, maxD = 0;
    for (let j = 0; j < k && ok; j++) {
      let s = G[j * k + j];
      for (let p = 0; p < j; p++) s -= L[j * k + p] * L[j * k + p];
      // A pivot lost to round-off (relative to the diagonal) means the
      // matrix is singular to working precision.
      if (!(s > SINGULAR_TOLERANCE * G[j * k + j])) {
        ok = false;
        break;
      }
      const ljj = Math.sqrt(s);
      L[j * k + j] = ljj;
      if (ljj < minD) minD = ljj;
      if (ljj > maxD) maxD = ljj;
      for (let i = j + 1; i < k; i++) {
        let t = G[i * k + j];
        for (let p = 0; p < j; p++) t -= L[i * k + p] * L[j * k + p];
        L[i * k + j] = t / ljj;
      }
    }
    const condition = ok ? (maxD / minD) ** 2 : Infinity;
    if (ok && condition <= maxCondition) {
      this.#L = L;
      this.info = { method: "cholesky", condition, rank: k };
    } else if (!fallback) {
      this.info = { method: "cholesky", condition: Infinity, rank: 0 };
    } else {
      // Probe once so that a singular matrix fails here, with its rank.
      const probe = lstsq(G, new Float64Array(k), k, k, 1);
      this.info = probe.info;
    }
  }

  /**
   * A Cholesky solver for G, or undefined when G is not numerically positive
   * definite (no least-squares fallback, whatever the condition).
   */
  static tryCholesky(G: Float64Array, k: number): GramSolver | undefined {
    const s = new GramSolver(G, k, Infinity, false);
    return s.#L === undefined ? undefined : s;
  }

  /** Solves G X = D for D of shape k×m (row-major); returns X. */
  solve(D: Float64Array, m = 1): Float64Array {
    const k = this.#k, L = this.#L;
    if (L === undefined) return lstsq(this.#G, D, k, k, m).x;
    const x = Float64Array.from(D);
    for (let c = 0; c < m; c++) {
      for (let i = 0; i < k; i++) {
        let s = x[i * m + c];
        for (let p = 0; p < i; p++) s -= L[i * k + p] * x[p * m + c];
        x[i * m + c] = s / L[i * k + i];
      }
      for (let i = k - 1; i >= 0; i--) {
        let s = x[i * m + c];
        for (let p = i + 1; p < k; p++) s -= L[p * k + i] * x[p * m + c];
        x[i * m + c] = s / L[i * k + i];
      }
    }
    return x;
  }
}

/** Result of {@link conjugateGradient}. */
export interface CgResult {
  /** The solution. */
  x: Float64Array;
  /** Iterations used. */
  iterations: number;
  /** Whether the relative residual reached the tolerance. */
  converged: boolean;
  /**
   * max/min Rayleigh quotient pᵀGp/pᵀp over the search directions: a lower
   * bound on the condition number (it sees every eigen-direction CG needed).
   */
  conditionLowerBound: number;
}

/**
 * Conjugate gradients in float64 for a symmetric positive definite k×k G and
 * one right-hand side: about k² operations per iteration instead of
 * Cholesky's k³/3, and few iterations for well-conditioned Gram matrices
 * (k ≪ n random tangents). Stops at ‖r‖ ≤ tol·‖d‖ or after maxIterations.
 */
export function conjugateGradient(
  G: Float64Array,
  d: Float64Array,
  k: number,
  maxIterations = 60,
  tol = 1e-10,
): CgResult {
  const x = new Float64Array(k);
  const r = Float64Array.from(d.subarray(0, k));
  const p = Float64Array.from(r);
  const q = new Float64Array(k);
  let rr = 0;
  for (let i = 0; i < k; i++) rr += r[i] * r[i];
  const stop = tol * tol * rr;
  let lo = Infinity, hi = 0;
  let it = 0;
  while (it < maxIterations && rr > stop) {
    let pq = 0, pp = 0;
    for (let i = 0; i < k; i++) {
      let acc = 0;
      const o = i * k;
      for (let j = 0; j < k; j++) acc += G[o + j] * p[j];
      q[i] = acc;
      pq += p[i] * acc;
      pp += p[i] * p[i];
    }
    if (!(pq > 0)) break;
    const ray = pq / pp;
    if (ray < lo) lo = ray;
    if (ray > hi) hi = ray;
    const alpha = rr / pq;
    let rr2 = 0;
    for (let i = 0; i < k; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * q[i];
      rr2 += r[i] * r[i];
    }
    const beta = rr2 / rr;
    for (let i = 0; i < k; i++) p[i] = r[i] + beta * p[i];
    rr = rr2;
    it++;
  }
  return { x, iterations: it, converged: rr <= stop, conditionLowerBound: hi / lo };
}

/**
 * Solves a Gram system for one right-hand side, trying {@link conjugateGradient}
 * first for k ≥ 128 (at most k/4 iterations, so it never costs more than a
 * Cholesky factorisation; accepted when the residual drops below 1e-10
 * relative and its condition lower bound stays ≤ 100) and otherwise a
 * {@link GramSolver}. Returns the solver too
 * when one was built, for iterative refinement.
 */
export function solveGramFast(
  G: Float64Array,
  d: Float64Array,
  k: number,
): { x: Float64Array; info: GramSolveInfo; solver?: GramSolver } {
  if (k >= 128) {
    const cg = conjugateGradient(G, d, k, Math.min(80, Math.floor(k / 4)));
    if (cg.converged && cg.conditionLowerBound <= 100) {
      return { x: cg.x, info: { method: "cg", condition: cg.conditionLowerBound, rank: k } };
    }
  }
  const solver = new GramSolver(G, k);
  return { x: solver.solve(d), info: solver.info, solver };
}

/**
 * Solves G X = D for a Gram matrix G (k×k) and D (k×m) with {@link GramSolver}.
 */
export function solveGram(
  G: Float64Array,
  D: Float64Array,
  k: number,
  m: number,
): { x: Float64Array; info: GramSolveInfo } {
  const solver = new GramSolver(G, k);
  return { x: solver.solve(D, m), info: solver.info };
}

/**
 * Least squares by Householder QR with column pivoting: solves A X ≈ B for
 * A (r×c) and B (r×m), truncating the rank where pivots fall below
 * 1e-7·max(r, c)·|R₀₀| (the float32 precision a Gram matrix is formed in).
 * Throws when A is singular to working precision (a pivot below
 * {@link SINGULAR_TOLERANCE}·|R₀₀|), e.g. for duplicated tangents, unless
 * `allowRankDeficient` (then the truncated-rank solution is returned: for a
 * Gram system it still gives the exact projection onto the tangents' span).
 */
export function lstsq(
  A0: Float64Array,
  B0: Float64Array,
  r: number,
  c: number,
  m: number,
  allowRankDeficient = false,
): { x: Float64Array; info: GramSolveInfo } {
  const { R, perm, rank, condition, qtb } = pivotedQr(A0, r, c, B0, m);
  if (rank === 0 || (!allowRankDeficient && rank < c && condition === Infinity)) {
    throw new RangeError(
      `Cannot solve the Gram system: the tangents must be linearly independent (numerical rank ${rank} of ${c})`,
    );
  }
  const x = new Float64Array(c * m);
  for (let col = 0; col < m; col++) {
    const y = new Float64Array(rank);
    for (let i = rank - 1; i >= 0; i--) {
      let s = qtb[i * m + col];
      for (let p = i + 1; p < rank; p++) s -= R[i * c + p] * y[p];
      y[i] = s / R[i * c + i];
    }
    for (let i = 0; i < rank; i++) x[perm[i] * m + col] = y[i];
  }
  return { x, info: { method: "lstsq", condition, rank } };
}

/** Householder QR with column pivoting of A (r×c); also applies Qᵀ to B (r×m) when given. */
export function pivotedQr(
  A0: Float64Array,
  r: number,
  c: number,
  B0?: Float64Array,
  m = 0,
  truncation = 1e-7,
): { R: Float64Array; perm: Int32Array; rank: number; condition: number; qtb: Float64Array } {
  const A = Float64Array.from(A0);
  const qtb = B0 ? Float64Array.from(B0) : new Float64Array(0);
  const perm = new Int32Array(c);
  for (let j = 0; j < c; j++) perm[j] = j;
  const norms = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let i = 0; i < r; i++) s += A[i * c + j] ** 2;
    norms[j] = s;
  }
  const steps = Math.min(r, c);
  let r00 = 0;
  let rank = 0;
  let exactRank = 0;
  const v = new Float64Array(r);
  for (let j = 0; j < steps; j++) {
    // Pivot: the remaining column with the largest norm (recomputed exactly).
    let best = j, bestNorm = -1;
    for (let q = j; q < c; q++) {
      let s = 0;
      for (let i = j; i < r; i++) s += A[i * c + q] ** 2;
      norms[q] = s;
      if (s > bestNorm) {
        bestNorm = s;
        best = q;
      }
    }
    if (best !== j) {
      for (let i = 0; i < r; i++) {
        const t = A[i * c + j];
        A[i * c + j] = A[i * c + best];
        A[i * c + best] = t;
      }
      const t = perm[j];
      perm[j] = perm[best];
      perm[best] = t;
    }
    const alphaNorm = Math.sqrt(bestNorm);
    if (j === 0) r00 = alphaNorm;
    if (alphaNorm > SINGULAR_TOLERANCE * r00 && r00 > 0) exactRank = j + 1;
    if (alphaNorm > truncation * Math.max(r, c) * r00 && r00 > 0) rank = j + 1;
    if (alphaNorm === 0) break;
    // Householder reflector for column j below the diagonal.
    const a0 = A[j * c + j];
    const alpha = a0 > 0 ? -alphaNorm : alphaNorm;
    for (let i = j; i < r; i++) v[i] = A[i * c + j];
    v[j] -= alpha;
    let vv = 0;
    for (let i = j; i < r; i++) vv += v[i] * v[i];
    if (vv > 0) {
      for (let q = j; q < c; q++) {
        let s = 0;
        for (let i = j; i < r; i++) s += v[i] * A[i * c + q];
        const f = 2 * s / vv;
        for (let i = j; i < r; i++) A[i * c + q] -= f * v[i];
      }
      for (let q = 0; q < m; q++) {
        let s = 0;
        for (let i = j; i < r; i++) s += v[i] * qtb[i * m + q];
        const f = 2 * s / vv;
        for (let i = j; i < r; i++) qtb[i * m + q] -= f * v[i];
      }
    }
  }
  // Condition estimate from the full (untruncated) pivots: for a Gram matrix
  // the pivots of R approximate its eigenvalues.
  const steps2 = Math.min(r, c);
  const smallest = steps2 > 0 ? Math.abs(A[(steps2 - 1) * c + (steps2 - 1)]) : 0;
  const condition = exactRank < steps2 || smallest === 0 ? Infinity : r00 / smallest;
  return { R: A, perm, rank, condition, qtb };
}

/**
 * Numerical rank of a k×n matrix (float64), with the numpy `matrix_rank`
 * tolerance max(k, n)·ε·σ₁ approximated by the pivots of a pivoted QR.
 */
export function matrixRank(A: Float64Array, k: number, n: number): number {
  if (k === 0 || n === 0) return 0;
  // QR of the transpose (n×k): columns are the rows of A.
  const T = new Float64Array(n * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) T[j * k + i] = A[i * n + j];
  const { rank } = pivotedQr(T, n, k, undefined, 0, Number.EPSILON);
  return rank;
}

/**
 * Solves the square system A x = b (A n×n row-major, float32 or float64) by
 * LU factorisation with partial pivoting in float64. Backward stable, so x
 * is accurate to about cond(A)·1e-16 without refinement. Returns undefined
 * when a pivot falls to round-off (|u_jj| ≤ 1e-13·max|A|): A is singular to
 * working precision.
 *
 * For a square tangent matrix V this gives the frog gradient directly:
 * Vᵀ(VVᵀ)⁻¹d = V⁻¹d, in n³/3 multiply-adds instead of a Gram matrix (n³/2
 * in float64) and its Cholesky factorisation (n³/6).
 *
 * @param A the matrix (not modified)
 * @param b the right-hand side (length n; not modified)
 * @param n the order
 * @returns x, or undefined for a singular A
 */
export function luSolve(
  A: Float32Array | Float64Array,
  b: Float64Array | Float32Array,
  n: number,
): Float64Array | undefined {
  const M = Float64Array.from(A.subarray(0, n * n));
  const x = Float64Array.from(b.subarray(0, n));
  let maxAbs = 0;
  for (let i = 0; i < n * n; i++) {
    const a = Math.abs(M[i]);
    if (a > maxAbs) maxAbs = a;
  }
  const tiny = SINGULAR_TOLERANCE * maxAbs;
  // Blocked right-looking LU: panels of 8 columns, then one rank-8 update of
  // the trailing matrix (each trailing entry loaded and stored once per panel:
  // 2.5x faster than rank-1 updates at n = 256 and 1024).
  const W = 8;
  for (let j0 = 0; j0 < n; j0 += W) {
    const j1 = Math.min(n, j0 + W); // panel columns [j0, j1)
    // 1. Panel: pivoting and elimination within the panel columns only.
    for (let j = j0; j < j1; j++) {
      let p = j, best = Math.abs(M[j * n + j]);
      for (let i = j + 1; i < n; i++) {
        const a = Math.abs(M[i * n + j]);
        if (a > best) {
          best = a;
          p = i;
        }
      }
      if (!(best > tiny)) return undefined;
      if (p !== j) {
        const rp = p * n, rj = j * n;
        for (let c = 0; c < n; c++) {
          const t = M[rp + c];
          M[rp + c] = M[rj + c];
          M[rj + c] = t;
        }
        const t = x[p];
        x[p] = x[j];
        x[j] = t;
      }
      const rj = j * n;
      const inv = 1 / M[rj + j];
      for (let i = j + 1; i < n; i++) {
        const ri = i * n;
        const l = M[ri + j] * inv;
        M[ri + j] = l;
        for (let c = j + 1; c < j1; c++) M[ri + c] -= l * M[rj + c];
      }
    }
    if (j1 === n) break;
    // 2. U rows of the panel: apply the panel's unit lower triangle to columns ≥ j1.
    for (let r = j0 + 1; r < j1; r++) {
      const rr = r * n;
      for (let p = j0; p < r; p++) {
        const l = M[rr + p], rp = p * n;
        if (l === 0) continue;
        for (let c = j1; c < n; c++) M[rr + c] -= l * M[rp + c];
      }
    }
    // 3. Trailing update, rank W at once.
    const w = j1 - j0;
    const u0 = j0 * n, u1 = u0 + n, u2 = u1 + n, u3 = u2 + n;
    const u4 = u3 + n, u5 = u4 + n, u6 = u5 + n, u7 = u6 + n;
    for (let i = j1; i < n; i++) {
      const ri = i * n;
      if (w === 8) {
        const l0 = M[ri + j0], l1 = M[ri + j0 + 1], l2 = M[ri + j0 + 2], l3 = M[ri + j0 + 3];
        const l4 = M[ri + j0 + 4], l5 = M[ri + j0 + 5], l6 = M[ri + j0 + 6], l7 = M[ri + j0 + 7];
        for (let c = j1; c < n; c++) {
          M[ri + c] -= l0 * M[u0 + c] + l1 * M[u1 + c] + l2 * M[u2 + c] + l3 * M[u3 + c] +
            (l4 * M[u4 + c] + l5 * M[u5 + c] + l6 * M[u6 + c] + l7 * M[u7 + c]);
        }
      } else {
        for (let p = j0; p < j1; p++) {
          const l = M[ri + p], rp = p * n;
          for (let c = j1; c < n; c++) M[ri + c] -= l * M[rp + c];
        }
      }
    }
  }
  // Forward (unit lower) and backward substitution.
  for (let i = 1; i < n; i++) {
    const ri = i * n;
    let s = x[i];
    for (let c = 0; c < i; c++) s -= M[ri + c] * x[c];
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s = x[i];
    for (let c = i + 1; c < n; c++) s -= M[ri + c] * x[c];
    x[i] = s / M[ri + i];
  }
  return x;
}

/**
 * Adds the Gram matrix V Vᵀ of a k×n row-major float32 block to `G` (k×k,
 * row-major, float64 accumulation): the wide-V (n ≫ k) Gram in plain JS,
 * 2×2 register-blocked over the rows (about 2 G multiply-adds/s on one core;
 * faster than tfjs-wasm's matMul for k = 16, n ≈ 10⁶, which must transpose
 * and pack V). Call once per block to form Σ_p V_p V_pᵀ.
 *
 * @param v the block, k rows of n values
 * @param k rows
 * @param n columns
 * @param G the k×k accumulator (both triangles are written)
 * @returns G
 */
export function addGramF32(v: Float32Array, k: number, n: number, G: Float64Array): Float64Array {
  if (v.length !== k * n || G.length !== k * k) {
    throw new RangeError(`Cannot form a Gram matrix: expected ${k}×${n} values and a ${k}×${k} G`);
  }
  for (let i = 0; i < k; i += 2) {
    const i1 = Math.min(i + 1, k - 1);
    for (let j = i; j < k; j += 2) {
      const j1 = Math.min(j + 1, k - 1);
      const a0 = i * n, a1 = i1 * n, b0 = j * n, b1 = j1 * n;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let c = 0; c < n; c++) {
        const x0 = v[a0 + c], x1 = v[a1 + c], y0 = v[b0 + c], y1 = v[b1 + c];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      // Rows/columns past k - 1 are clamped duplicates: write each entry once.
      const put = (r: number, c: number, s: number) => {
        G[r * k + c] += s;
        if (r !== c) G[c * k + r] += s;
      };
      put(i, j, s00);
      if (j1 !== j) put(i, j1, s01);
      if (i1 !== i && j > i) put(i1, j, s10); // for j = i, (i1, i) is (i, i1) again
      if (i1 !== i && j1 !== j) put(i1, j1, s11);
    }
  }
  return G;
}

/** Result of {@link gramQuadraticForm}. */
export interface QuadraticFormResult {
  /** dᵀG⁻¹d (the estimate at the last iteration). */
  q: number;
  /** Iterations used. */
  iterations: number;
  /** Whether the estimated relative error reached the tolerance. */
  converged: boolean;
  /** As in {@link CgResult}: a lower bound on the condition number. */
  conditionLowerBound: number;
}

/**
 * The quadratic form dᵀG⁻¹d of a symmetric positive definite k×k G by
 * conjugate gradients, without the solution itself: after m steps
 * q_m = Σ_{j<m} α_j‖r_j‖² = dᵀx_m, and the error q − q_m = ‖x − x_m‖²_G is
 * the square of the energy-norm error, so q converges twice as fast as x
 * (Gauss quadrature; Golub and Meurant). Stops when the remaining tail,
 * extrapolated from the geometric decay of the last two terms, falls below
 * `rtol`·q_m twice in a row.
 */
export function gramQuadraticForm(
  G: Float64Array,
  d: Float64Array,
  k: number,
  maxIterations = 60,
  rtol = 1e-10,
): QuadraticFormResult {
  const r = Float64Array.from(d.subarray(0, k));
  const p = Float64Array.from(r);
  const q = new Float64Array(k);
  let rr = 0;
  for (let i = 0; i < k; i++) rr += r[i] * r[i];
  let lo = Infinity, hi = 0;
  let sum = 0, lastTerm = Infinity, below = 0;
  let it = 0;
  if (rr === 0) return { q: 0, iterations: 0, converged: true, conditionLowerBound: 1 };
  while (it < maxIterations) {
    let pq = 0, pp = 0;
    for (let i = 0; i < k; i++) {
      let acc = 0;
      const o = i * k;
      for (let j = 0; j < k; j++) acc += G[o + j] * p[j];
      q[i] = acc;
      pq += p[i] * acc;
      pp += p[i] * p[i];
    }
    if (!(pq > 0)) break;
    const ray = pq / pp;
    if (ray < lo) lo = ray;
    if (ray > hi) hi = ray;
    const alpha = rr / pq;
    const term = alpha * rr;
    sum += term;
    it++;
    const ratio = term / lastTerm;
    lastTerm = term;
    if (ratio < 1 && (term * ratio) / (1 - ratio) <= rtol * sum) {
      if (++below >= 2) {
        return { q: sum, iterations: it, converged: true, conditionLowerBound: hi / lo };
      }
    } else below = 0;
    let rr2 = 0;
    for (let i = 0; i < k; i++) {
      r[i] -= alpha * q[i];
      rr2 += r[i] * r[i];
    }
    if (rr2 === 0) return { q: sum, iterations: it, converged: true, conditionLowerBound: hi / lo };
    const beta = rr2 / rr;
    for (let i = 0; i < k; i++) p[i] = r[i] + beta * p[i];
    rr = rr2;
  }
  return { q: sum, iterations: it, converged: false, conditionLowerBound: hi / lo };
}
