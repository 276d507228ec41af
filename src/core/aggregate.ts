/**
 * Aggregation rules (spec §1.3–1.4): how k directional derivatives d = V g
 * and the tangents V combine into one gradient estimate. Inputs are the
 * flattened tangents V [k, n] and d [k, B] (one column per minibatch sample,
 * same V for all); the result is [n, B].
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { addGramF32, type GramSolveInfo, GramSolver } from "./_linalg.ts";

/** Every aggregation key. */
export const AGGREGATIONS = [
  "mean",
  "sum",
  "mean_times_dim",
  "max",
  "max_normalized",
  "mean_of_top_k",
  "orthogonal_projection",
] as const;
/** One of {@link AGGREGATIONS}. */
export type Aggregation = typeof AGGREGATIONS[number];

/** Tangent-subset rules for the orthogonal projection when k > n. */
export const SUBSET_RULES = ["first_n", "max", "min"] as const;
/** One of {@link SUBSET_RULES}. */
export type SubsetRule = typeof SUBSET_RULES[number];

/** Options shared by the aggregations. */
export interface AggregateOptions {
  /** Which n of k > n tangents frog keeps (default `first_n`). */
  subset?: SubsetRule;
  /** Called after every Gram solve with the method and a condition estimate. */
  onGramSolve?: (info: GramSolveInfo) => void;
  /**
   * d's values (row-major [k, B], float64) if the caller has read them, e.g.
   * with {@link readProjectionInputs} on a backend without synchronous reads
   * (webgpu); frog's projection then reads nothing back but its refinement.
   */
  dValues?: Float64Array;
  /**
   * The Gram matrix V Vᵀ (k×k, row-major, float64) if the caller has it (e.g.
   * formed while drawing the tangents, or read with {@link readProjectionInputs});
   * frog then skips forming it.
   */
  gram?: Float64Array;
}

/** Whether `name` is a known aggregation. */
export function isAggregation(name: string): name is Aggregation {
  return (AGGREGATIONS as readonly string[]).includes(name);
}

/** Throws a RangeError listing the valid keys unless `name` is an aggregation. */
export function checkAggregation(name: string): Aggregation {
  if (!isAggregation(name)) {
    throw new RangeError(
      `Unknown aggregation "${name}": expected one of ${AGGREGATIONS.join(", ")}`,
    );
  }
  return name;
}

/** Σ_j w[j, b] v_j as [n, B], via one untransposed 2-D matMul (fast on wasm). */
function combine(v: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.transpose(tf.matMul(tf.transpose(w) as tf.Tensor2D, v)) as tf.Tensor2D);
}

/** |d_j| / ‖v_j‖ per tangent; for batched d the L2 norm of row j of d is used. */
function normalizedDerivatives(v: tf.Tensor2D, d: tf.Tensor2D): Float64Array {
  const dn = tf.tidy(() => tf.div(tf.norm(d, "euclidean", 1), tf.norm(v, "euclidean", 1)));
  const out = Float64Array.from(dn.dataSync());
  dn.dispose();
  return out;
}

/**
 * Indices of the n tangents frog keeps when k > n (spec §1.4): the first n,
 * or the n with the largest / smallest |d_j|/‖v_j‖ (ascending index order).
 */
export function selectSubset(
  rule: SubsetRule,
  k: number,
  n: number,
  scores?: () => Float64Array,
): Int32Array {
  if (!(SUBSET_RULES as readonly string[]).includes(rule)) {
    throw new RangeError(
      `Unknown tangent subset rule "${rule}": expected one of ${SUBSET_RULES.join(", ")}`,
    );
  }
  const keep = Math.min(k, n);
  if (k <= n || rule === "first_n") return Int32Array.from({ length: keep }, (_, i) => i);
  const c = scores!();
  const order = Array.from({ length: k }, (_, i) => i);
  order.sort((a, b) => (rule === "max" ? c[b] - c[a] : c[a] - c[b]) || a - b);
  return Int32Array.from(order.slice(0, keep).sort((a, b) => a - b));
}

/**
 * Gram systems with a larger condition estimate get iterative refinement: the
 * float32 Gram matrix squares the tangents' condition number, the residual
 * d − V(Vᵀc) computed through V does not.
 */
export const REFINE_ABOVE_CONDITION = 1e3;

/** Iterative refinement of x (m×B) in place with residuals through V. */
function refine(
  v: tf.Tensor2D,
  D: Float64Array,
  solver: GramSolver,
  x: Float64Array,
  m: number,
  B: number,
): void {
  let last = Infinity;
  for (let it = 0; it < 10; it++) {
    const r = tf.tidy(() => {
      const c = tf.tensor2d(Float32Array.from(x), [m, B]);
      return tf.sub(tf.tensor2d(Float32Array.from(D), [m, B]), tf.matMul(v, combine(v, c)));
    });
    const res = Float64Array.from(r.dataSync());
    r.dispose();
    const dx = solver.solve(res, B);
    let nd = 0, nx = 0;
    for (let i = 0; i < x.length; i++) {
      nd += dx[i] * dx[i];
      nx += x[i] * x[i];
    }
    if (!(nd < last)) break; // no longer improving (float32 residual floor)
    for (let i = 0; i < x.length; i++) x[i] += dx[i];
    last = nd;
    if (nd <= 1e-14 * nx) break;
  }
}

/**
 * Frog: the orthogonal projection of the gradient onto span(V) (spec §1.4),
 * V_sᵀ (G⁻¹ d) with the Gram matrix G = V_s V_sᵀ formed by tf (matMul) and
 * solved in float64 (Cholesky; least squares when ill-conditioned; iterative
 * refinement above {@link REFINE_ABOVE_CONDITION}). Never an explicit inverse. Throws when the kept tangents are linearly dependent.
 *
 * @param v tangents [k, n]
 * @param d directional derivatives [k, B]
 * @param opts subset rule and solve callback
 * @returns [n, B]
 */
export function orthogonalProjection(
  v: tf.Tensor2D,
  d: tf.Tensor2D,
  opts: AggregateOptions = {},
): tf.Tensor2D {
  const [k, n] = v.shape;
  const B = d.shape[1];
  const idx = selectSubset(opts.subset ?? "first_n", k, n, () => normalizedDerivatives(v, d));
  const m = idx.length;
  const vs = m === k ? v : tf.gather(v, idx);
  const ds = m === k ? d : tf.gather(d, idx);
  const given = m === k ? checkGiven(opts, k, B) : {};
  try {
    let G = given.gram;
    if (G === undefined) {
      const gram = tf.tidy(() => tf.matMul(vs, tf.transpose(vs)));
      G = Float64Array.from(gram.dataSync());
      gram.dispose();
    }
    const solver = new GramSolver(G, m);
    opts.onGramSolve?.(solver.info);
    const D = given.d ?? Float64Array.from(ds.dataSync());
    const x = solver.solve(D, B);
    if (solver.info.condition > REFINE_ABOVE_CONDITION) {
      refine(vs as tf.Tensor2D, D, solver, x, m, B);
    }
    return tf.tidy(() => combine(vs as tf.Tensor2D, tf.tensor2d(Float32Array.from(x), [m, B])));
  } finally {
    if (vs !== v) vs.dispose();
    if (ds !== d) ds.dispose();
  }
}

/**
 * Applies an aggregation to flattened tangents V [k, n] and d [k, B].
 *
 * @param v tangents [k, n]
 * @param d directional derivatives [k, B]
 * @param aggregation the aggregation key
 * @param opts options (frog subset rule, solve callback)
 * @returns the gradient estimate [n, B]
 * @example Mean of two forward gradients
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { aggregate } from "./aggregate.ts";
 * const v = tf.tensor2d([[1, 0], [0, 2]]);
 * const d = tf.tensor2d([[3], [4]]);
 * aggregate(v, d, "mean").print(); // [[1.5], [4]]
 * ```
 */
export function aggregate(
  v: tf.Tensor2D,
  d: tf.Tensor2D,
  aggregation: Aggregation | string,
  opts: AggregateOptions = {},
): tf.Tensor2D {
  const agg = checkAggregation(aggregation);
  const [k, n] = v.shape;
  if (d.rank !== 2 || d.shape[0] !== k) {
    throw new TypeError(`Cannot aggregate: d must have shape [${k}, B], got [${d.shape}]`);
  }
  const B = d.shape[1];
  const unbatchedOnly = () => {
    if (B !== 1) {
      throw new TypeError(
        `Cannot aggregate with "${agg}": it needs unbatched d of shape [k], got [${d.shape}]`,
      );
    }
  };
  switch (agg) {
    case "sum":
      return combine(v, d);
    case "mean":
      return tf.tidy(() => tf.mul(combine(v, d), 1 / k));
    case "mean_times_dim":
      return tf.tidy(() => tf.mul(combine(v, d), n / k));
    case "max":
    case "max_normalized": {
      if (agg === "max_normalized") unbatchedOnly();
      const score = agg === "max"
        ? Float64Array.from(d.dataSync(), Math.abs)
        : normalizedDerivatives(v, d);
      let best = 0;
      for (let i = 1; i < score.length; i++) if (score[i] > score[best]) best = i;
      const j = agg === "max" ? Math.floor(best / B) : best;
      return tf.tidy(() =>
        tf.mul(
          tf.reshape(tf.slice(v, [j, 0], [1, n]), [n, 1]),
          tf.slice(d, [j, 0], [1, B]),
        ) as tf.Tensor2D
      );
    }
    case "mean_of_top_k": {
      unbatchedOnly();
      const c = normalizedDerivatives(v, d);
      const top = Math.max(...c);
      const mask = Float32Array.from(c, (x) => (x >= top - 0.1 ? 1 / k : 0));
      return tf.tidy(() => combine(v, tf.mul(d, tf.tensor2d(mask, [k, 1])) as tf.Tensor2D));
    }
    case "orthogonal_projection":
      return orthogonalProjection(v, d, opts);
  }
}

/** The caller's Gram matrix and d values ({@link AggregateOptions}), checked against k and B. */
function checkGiven(
  opts: AggregateOptions,
  k: number,
  B: number,
): { gram?: Float64Array; d?: Float64Array } {
  if (opts.gram !== undefined && opts.gram.length !== k * k) {
    throw new RangeError(
      `Cannot aggregate: gram must have ${k}×${k} values, got ${opts.gram.length}`,
    );
  }
  if (opts.dValues !== undefined && opts.dValues.length !== k * B) {
    throw new RangeError(
      `Cannot aggregate: dValues must have ${k}×${B} values, got ${opts.dValues.length}`,
    );
  }
  return { gram: opts.gram, d: opts.dValues };
}

/**
 * Whether the running backend cannot read tensors back synchronously
 * (`dataSync` fails on webgpu under Deno: tfjs reads through a canvas there),
 * so that callers read what frog needs with {@link readProjectionInputs} first.
 */
export function needsAsyncReads(): boolean {
  return tf.getBackend() === "webgpu";
}

/**
 * Reads, asynchronously, the host values frog's projection of V [k, n] and
 * d [k, B] needs (the Gram matrix V Vᵀ, formed on the device as
 * {@link orthogonalProjection} forms it, and d), for {@link AggregateOptions}'
 * `gram` and `dValues`. Only the refinement of an ill-conditioned Gram matrix
 * (condition above {@link REFINE_ABOVE_CONDITION}) still reads synchronously.
 *
 * @example Same estimate as reading synchronously
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { aggregate, readProjectionInputs } from "./aggregate.ts";
 * const v = tf.tensor2d([[1, 0, 1], [0, 2, 0]]);
 * const d = tf.tensor2d([[3], [4]]);
 * const read = await readProjectionInputs(v, d);
 * aggregate(v, d, "orthogonal_projection", read).print(); // as without `read`
 * ```
 */
export async function readProjectionInputs(
  v: tf.Tensor2D,
  d: tf.Tensor2D,
): Promise<{ gram: Float64Array; dValues: Float64Array }> {
  const gram = tf.tidy(() => tf.matMul(v, tf.transpose(v)));
  try {
    return {
      gram: Float64Array.from(await gram.data()),
      dValues: Float64Array.from(await d.data()),
    };
  } finally {
    gram.dispose();
  }
}

/**
 * What {@link aggregate} needs read from the device before it runs, on
 * backends without synchronous reads ({@link needsAsyncReads}): frog's Gram
 * matrix and d ({@link readProjectionInputs}); nothing for the other
 * aggregations or on backends that read synchronously.
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { aggregate, hostReadsFor } from "./aggregate.ts";
 * const v = tf.tensor2d([[1, 0, 1], [0, 2, 0]]);
 * const d = tf.tensor2d([[3], [4]]);
 * const read = await hostReadsFor("orthogonal_projection", v, d); // undefined on cpu/wasm
 * aggregate(v, d, "orthogonal_projection", read).print();
 * ```
 */
export async function hostReadsFor(
  aggregation: Aggregation,
  v: tf.Tensor2D,
  d: tf.Tensor2D,
): Promise<{ gram: Float64Array; dValues: Float64Array } | undefined> {
  return aggregation === "orthogonal_projection" && needsAsyncReads()
    ? await readProjectionInputs(v, d)
    : undefined;
}

/** Whether the Gram products should use an explicit transpose (wasm's transposed matMul is slow). */
function explicitTranspose(): boolean {
  return tf.getBackend() === "wasm";
}

/** Σ_j w[j, b] v_j for one block v [k, n_p] as [n_p, B] (B = 1: a plain [1, k]·[k, n_p]). */
function combineBlock(v: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const [k, n] = v.shape;
  if (w.shape[1] !== 1) return combine(v, w);
  return tf.tidy(() =>
    tf.reshape(tf.matMul(tf.reshape(w, [1, k]) as tf.Tensor2D, v), [n, 1]) as tf.Tensor2D
  );
}

/** Blocks at least this wide get the 4-chunk Gram product on backends other than wasm. */
const CHUNKED_GRAM_MIN = 1 << 16;

/**
 * The k×k Gram matrix Σ_p V_p V_pᵀ of column blocks, in float64.
 *
 * wasm: in JS from the blocks' values (tfjs-wasm's V·Vᵀ must transpose and
 * pack V: about 2× slower than {@link addGramF32}). Other backends: one 2-D
 * product per block with no transpose of V; a wide block [k, n] is viewed as
 * R = [4k, n/4] (row j·4 + c = chunk c of tangent j, a free reshape) and
 * G = Σ_c (R Rᵀ)[(i, c), (j, c)], which native tensorflow runs about 2× faster
 * than the [k, n]·[n, k] product (16 outputs over a 10⁶ inner dimension).
 */
function blockGram(blocks: readonly tf.Tensor2D[]): Float64Array {
  const k = blocks[0].shape[0];
  const G = new Float64Array(k * k);
  if (explicitTranspose()) {
    for (const v of blocks) addGramF32(v.dataSync() as Float32Array, k, v.shape[1], G);
    return G;
  }
  const chunks = blocks.map((v) => v.shape[1] >= CHUNKED_GRAM_MIN && v.shape[1] % 4 === 0 ? 4 : 1);
  const flat = tf.tidy(() =>
    tf.concat(blocks.map((v, p) => {
      const C = chunks[p];
      const r = C === 1 ? v : tf.reshape(v, [k * C, v.shape[1] / C]) as tf.Tensor2D;
      return tf.reshape(tf.matMul(r, r, false, true), [-1]);
    }))
  );
  const m = flat.dataSync();
  flat.dispose();
  let offset = 0;
  chunks.forEach((C) => {
    const K = k * C;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += m[offset + (i * C + c) * K + j * C + c];
        G[i * k + j] += s;
      }
    }
    offset += K * K;
  });
  return G;
}

/** Options of {@link aggregateBlocks}. */
export interface BlockAggregateOptions extends AggregateOptions {}

/**
 * {@link aggregate} for tangents given as column blocks V = [V_1 | V_2 | …]
 * (V_p [k, n_p], e.g. one block per parameter tensor): the same estimate,
 * returned per block ([n_p, B] each). The wide-V path (Σ n_p ≥ k) of `mean`,
 * `sum`, `mean_times_dim` and `orthogonal_projection` never concatenates V:
 * frog forms the Gram matrix as Σ_p V_p V_pᵀ and combines V_pᵀ(G⁻¹d) block by
 * block, so a caller whose tangents live per tensor pays no split or
 * transpose of V. The other aggregations (and frog with k > n) concatenate
 * the blocks and call {@link aggregate}.
 *
 * @param blocks tangent blocks [k, n_p]
 * @param d directional derivatives [k, B]
 * @param aggregation the aggregation key
 * @param opts options (frog subset rule, solve callback, a precomputed Gram matrix)
 * @returns the estimate per block, [n_p, B]
 * @example Mean over two blocks equals the mean over their concatenation
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { aggregateBlocks } from "./aggregate.ts";
 * const parts = aggregateBlocks(
 *   [tf.tensor2d([[1], [0]]), tf.tensor2d([[0], [2]])],
 *   tf.tensor2d([[3], [4]]),
 *   "mean",
 * );
 * parts[0].print(); // [[1.5]]
 * parts[1].print(); // [[4]]
 * ```
 */
export function aggregateBlocks(
  blocks: readonly tf.Tensor2D[],
  d: tf.Tensor2D,
  aggregation: Aggregation | string,
  opts: BlockAggregateOptions = {},
): tf.Tensor2D[] {
  const agg = checkAggregation(aggregation);
  if (blocks.length === 0) throw new TypeError("Cannot aggregate: no tangent blocks");
  const k = blocks[0].shape[0];
  for (const b of blocks) {
    if (b.rank !== 2 || b.shape[0] !== k) {
      throw new TypeError(
        `Cannot aggregate: every tangent block must have shape [${k}, n_p], got [${b.shape}]`,
      );
    }
  }
  if (d.rank !== 2 || d.shape[0] !== k) {
    throw new TypeError(`Cannot aggregate: d must have shape [${k}, B], got [${d.shape}]`);
  }
  const n = blocks.reduce((s, b) => s + b.shape[1], 0);
  const B = d.shape[1];
  const linear = agg === "sum" ? 1 : agg === "mean" ? 1 / k : agg === "mean_times_dim" ? n / k : 0;
  if (linear !== 0) {
    return tf.tidy(() => {
      const w = linear === 1 ? d : tf.mul(d, linear) as tf.Tensor2D;
      return blocks.map((v) => combineBlock(v, w));
    });
  }
  if (agg !== "orthogonal_projection" || k > n) {
    const r = tf.tidy(() => aggregate(tf.concat([...blocks], 1) as tf.Tensor2D, d, agg, opts));
    const parts = tf.split(r, blocks.map((b) => b.shape[1]), 0) as tf.Tensor2D[];
    r.dispose();
    return parts;
  }
  const given = checkGiven(opts, k, B);
  const solver = new GramSolver(given.gram ?? blockGram(blocks), k);
  opts.onGramSolve?.(solver.info);
  const D = given.d ?? Float64Array.from(d.dataSync());
  const x = solver.solve(D, B);
  if (solver.info.condition > REFINE_ABOVE_CONDITION) refineBlocks(blocks, D, solver, x, k, B);
  return tf.tidy(() => {
    const c = tf.tensor2d(Float32Array.from(x), [k, B]);
    return blocks.map((v) => combineBlock(v, c));
  });
}

/** {@link refine} with V given as column blocks. */
function refineBlocks(
  blocks: readonly tf.Tensor2D[],
  D: Float64Array,
  solver: GramSolver,
  x: Float64Array,
  m: number,
  B: number,
): void {
  let last = Infinity;
  for (let it = 0; it < 10; it++) {
    const r = tf.tidy(() => {
      const c = tf.tensor2d(Float32Array.from(x), [m, B]);
      const vvc = tf.addN(blocks.map((v) => tf.matMul(v, combineBlock(v, c))));
      return tf.sub(tf.tensor2d(Float32Array.from(D), [m, B]), vvc);
    });
    const res = Float64Array.from(r.dataSync());
    r.dispose();
    const dx = solver.solve(res, B);
    let nd = 0, nx = 0;
    for (let i = 0; i < x.length; i++) {
      nd += dx[i] * dx[i];
      nx += x[i] * x[i];
    }
    if (!(nd < last)) break;
    for (let i = 0; i < x.length; i++) x[i] += dx[i];
    last = nd;
    if (nd <= 1e-14 * nx) break;
  }
}
