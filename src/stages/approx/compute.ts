/**
 * The per-sample metrics of the approximation-quality configurations at one
 * n, computed for all samples in batches.
 *
 * The reference restarts a seed-0 generator for every configuration, so all
 * configurations at one n read the same stream: those with the same k see
 * identical tangents, and (because the normal stream does not depend on how
 * draws are split, see `Rng.zigguratNormal`) sample s of a k-configuration is
 * rows [s·k, (s+1)·k) of that stream. With the `normal` sampler and every k
 * dividing the largest, this module therefore draws the stream once for the
 * largest k, computes the directional derivatives and row norms once, and
 * takes every smaller k's Gram matrices as diagonal blocks of chunk Gram
 * matrices. Other samplers are drawn per k.
 *
 * On the shared stream no n-vector gradient is formed: with g = ones every
 * metric is a function of the Gram block G and d = V g (mean and sum:
 * ‖f‖² = wᵀGw, g·f = w·d; frog: ‖f‖² = g·f = dᵀG⁻¹d by CG quadrature,
 * ‖g − f‖² = n − dᵀG⁻¹d). Square frog systems (k ≥ n, where that identity
 * would cancel) are solved for f = V⁻¹d by float64 LU instead, without a
 * Gram matrix. The per-k path forms the gradients explicitly.
 *
 * @module
 */
import {
  batchedCombine,
  batchedDirectionalDerivatives,
  batchedGram,
  batchedProjectionWeights,
  getSampler,
  type GramSolveInfo,
  projectionQuadraticForm,
  Rng,
  solveProjectionWeights,
} from "../../core/mod.ts";
import type { ApproxConfig } from "./configs.ts";
import { SquareSolver } from "./square.ts";
import { type StreamBatch, TangentStream } from "./stream.ts";

/** The six per-sample metric columns (spec §2.6), in order. */
export const METRIC_COLUMNS = [
  "true_grad_norm",
  "fg_norm",
  "difference_norm",
  "fg_norm/true_grad_norm",
  "dot_product",
  "cosine_sim",
] as const;

/** Per-sample metrics of one configuration: six float32 columns of length S. */
export type Metrics = Float32Array[];

/** Samples per batch so that one batch of tangents stays near 8M floats (32 MB). */
export function batchSize(S: number, k: number, n: number): number {
  return Math.max(1, Math.min(S, Math.floor(8_000_000 / (k * Math.max(n, k)))));
}

/** Relative work of the configurations with k tangents at n, for progress bars. */
export function groupWork(S: number, k: number, n: number, frog: boolean): number {
  return S * k * n * (2 + (frog ? Math.min(k, n) / 16 : 0));
}

/** Options of {@link computeMetrics}. */
export interface ComputeOptions {
  /**
   * Draw the shared stream ahead in a worker thread (same numbers). Default:
   * with at least 2 logical cores and 4M draws or more (below, starting
   * the worker costs more than it saves). Measured on the shared 2-core machine,
   * reduced grid: 5.07 s against 6.11 s on wasm and 2.25 s against 2.65 s on
   * tensorflow at load 1.3; slower when other jobs kept both cores busy
   * (load 3.4: 9.9 s against 8.2 s on wasm).
   */
  worker?: boolean;
  /** Called with the work done since the last call (units of {@link groupWork}). */
  onWork?: (work: number) => void;
  /**
   * Called for Gram systems that needed the least-squares fallback (rank < k
   * when the tangents were linearly dependent: frog then projects onto their
   * span instead of aborting the grid).
   */
  onIllConditioned?: (info: GramSolveInfo, k: number) => void;
  /** Draw one shared stream for all k when possible (default true; false is for tests). */
  shareStream?: boolean;
  /**
   * Shared stream only: take the metrics from Gram blocks and frog weights
   * without forming the n-vector gradients (default true; false forms every
   * gradient explicitly, for tests).
   */
  gramMetrics?: boolean;
  /**
   * Solve the square frog systems (k ≥ n) with a helper worker thread
   * sharing the work (same numbers). Default: with at least 2 logical cores.
   * Measured on the shared 2-core machine, n = 1024 on tensorflow per 1000
   * samples: 87–90 s against 126–130 s at load 1.4; slower when other jobs
   * kept both cores busy (149 and 202 s against 141 s at load 2.9).
   */
  squareWorker?: boolean;
  /** Smallest n at which the square-system worker starts (default 128; lower for tests). */
  squareWorkerMinN?: number;
}

/** Where the k×k Gram blocks of a batch's samples lie: G[offset(s) + a·stride + b]. */
interface GramBlocks {
  G: Float64Array;
  stride: number;
  offset: (s: number) => number;
}

/** Everything the metric pass needs for the k-configurations of one batch. */
interface KBatch {
  k: number;
  configs: readonly ApproxConfig[];
  /** Tangents of `count` consecutive k-samples. */
  v: Float32Array;
  count: number;
  /** Global index of the first sample. */
  first: number;
  /** Directional derivatives [count·k]. */
  d: Float64Array;
  /** Squared tangent norms [count·k] (only when a normalised configuration exists). */
  normSq?: Float64Array;
  /** Frog dᵀG⁻¹d = ‖f‖² per sample (only when a frog configuration exists and k < n). */
  frogQ?: Float64Array;
  /** Explicit frog gradients [count·n] (square systems, k ≥ n). */
  frogF?: Float64Array | Float32Array;
  /** Gram blocks of the samples: when given, mean and sum metrics come from them. */
  gram?: GramBlocks;
}

/**
 * The three sums the six metrics derive from, for g = ones: ‖f‖², g·f and
 * ‖g − f‖². With a Gram block G and weights w (f = Vᵀw): ‖f‖² = wᵀGw,
 * g·f = w·d (d = Vg) and ‖g − f‖² = n − 2 g·f + ‖f‖². For frog weights
 * (f = P g, the projection, so G w = d): ‖f‖² = g·f = d·w and
 * ‖g − f‖² = n − d·w. No n-vector is formed. `ddSum` is ‖g − k f‖², for
 * the sum configurations (sum = k · mean).
 */
type Sums = [ff: number, gf: number, dd: number, ddSum: number];

function gramSums(
  G: Float64Array,
  base: number,
  stride: number,
  w: Float64Array,
  d: Float64Array,
  o: number,
  k: number,
  n: number,
): Sums {
  // Only the lower triangle of G is read (the chunk Gram is symmetric).
  let ff = 0, gf = 0;
  for (let a = 0; a < k; a++) {
    const wa = w[a];
    const row = base + a * stride;
    let acc = 0;
    for (let b = 0; b < a; b++) acc += G[row + b] * w[b];
    ff += wa * (2 * acc + G[row + a] * wa);
    gf += wa * d[o + a];
  }
  return [ff, gf, Math.max(0, n - 2 * gf + ff), Math.max(0, n - 2 * k * gf + k * k * ff)];
}

function explicitSums(F: ArrayLike<number>, o: number, n: number, k: number): Sums {
  let ff = 0, gf = 0, dd = 0, ddSum = 0;
  for (let t = 0; t < n; t++) {
    const f = F[o + t];
    ff += f * f;
    gf += f;
    dd += (1 - f) * (1 - f);
    ddSum += (1 - k * f) * (1 - k * f);
  }
  return [ff, gf, dd, ddSum];
}

/** Writes the six metrics of every configuration of a batch. */
function metricsPass(n: number, b: KBatch, out: Map<ApproxConfig, Metrics>): void {
  const { k, configs, count } = b;
  const kinds = new Set(
    configs.map((c) =>
      c.compute === "orthogonal_projection" ? "frog" : c.normalize ? "norm" : "mean"
    ),
  );
  const sums = new Map<string, Sums[]>();
  const weight = (kind: string, x: number) =>
    kind === "mean" ? b.d[x] / k : b.d[x] / (k * b.normSq![x]);
  // Mean/norm gradients formed explicitly only where no Gram blocks are at hand.
  const rows = b.gram ? [] : [...kinds].filter((r) => r !== "frog");
  if (rows.length > 0) {
    const m = rows.length;
    const w = new Float64Array(count * m * k);
    for (let s = 0; s < count; s++) {
      rows.forEach((r, i) => {
        const o = (s * m + i) * k;
        for (let j = 0; j < k; j++) w[o + j] = weight(r, s * k + j);
      });
    }
    const F = batchedCombine(b.v, count, k, n, w, m);
    rows.forEach((r, i) =>
      sums.set(r, Array.from({ length: count }, (_, s) => explicitSums(F, (s * m + i) * n, n, k)))
    );
  }
  if (b.gram) {
    const { G, stride, offset } = b.gram;
    const w = new Float64Array(k);
    for (const r of kinds) {
      if (r === "frog") continue;
      const list: Sums[] = [];
      for (let s = 0; s < count; s++) {
        for (let j = 0; j < k; j++) w[j] = weight(r, s * k + j);
        list.push(gramSums(G, offset(s), stride, w, b.d, s * k, k, n));
      }
      sums.set(r, list);
    }
  }
  if (kinds.has("frog")) {
    const list: Sums[] = [];
    for (let s = 0; s < count; s++) {
      if (b.frogF) list.push(explicitSums(b.frogF, s * n, n, 1));
      else {
        const q = b.frogQ![s];
        list.push([q, q, Math.max(0, n - q), NaN]);
      }
    }
    sums.set("frog", list);
  }
  const gNorm = Math.sqrt(n); // g = ones
  for (const c of configs) {
    const kind = c.compute === "orthogonal_projection" ? "frog" : c.normalize ? "norm" : "mean";
    const list = sums.get(kind)!;
    const scale = c.compute === "sum" ? k : 1;
    const cols = out.get(c)!;
    for (let s = 0; s < count; s++) {
      const [ff0, gf0, dd0, ddSum] = list[s];
      const ff = scale * scale * ff0, gf = scale * gf0;
      const dd = scale === 1 ? dd0 : ddSum;
      const fNorm = Math.sqrt(ff);
      const i = b.first + s;
      cols[0][i] = gNorm;
      cols[1][i] = fNorm;
      cols[2][i] = Math.sqrt(dd);
      cols[3][i] = fNorm / gNorm;
      cols[4][i] = gf;
      cols[5][i] = fNorm > 0 ? gf / (gNorm * fNorm) : 0;
    }
  }
}

function rowNormsSq(v: Float32Array, rows: number, n: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    const o = r * n;
    for (let t = 0; t < n; t++) ss += v[o + t] * v[o + t];
    out[r] = ss;
  }
  return out;
}

/**
 * Computes the metrics of every configuration at dimension n with the
 * all-ones true gradient and `S` samples per configuration.
 *
 * @param sampler the sampler key
 * @param n dimension
 * @param configs the configurations (any ks)
 * @param S samples per configuration
 * @returns the metrics per configuration
 */
export async function computeMetrics(
  sampler: string,
  n: number,
  configs: readonly ApproxConfig[],
  S: number,
  opts: ComputeOptions = {},
): Promise<Map<ApproxConfig, Metrics>> {
  const out = new Map<ApproxConfig, Metrics>();
  for (const c of configs) out.set(c, METRIC_COLUMNS.map(() => new Float32Array(S)));
  const ks = [...new Set(configs.map((c) => c.k))].sort((a, b) => a - b);
  const kMax = ks[ks.length - 1];
  const chunk = Math.min(kMax, n);
  const frogKs = ks.filter((k) =>
    configs.some((c) => c.k === k && c.compute === "orthogonal_projection")
  );
  const shared = opts.shareStream !== false && sampler === "normal" &&
    ks.every((k) => kMax % k === 0) &&
    frogKs.every((k) => (k <= chunk ? chunk % k === 0 : k % chunk === 0));
  if (shared) await computeShared(n, ks, frogKs, configs, S, chunk, out, opts);
  else {
    for (const k of ks) computePerK(sampler, n, k, configs.filter((c) => c.k === k), S, out, opts);
  }
  return out;
}

/** One stream for all k (normal sampler); Gram blocks from chunk Grams. */
async function computeShared(
  n: number,
  ks: number[],
  frogKs: number[],
  configs: readonly ApproxConfig[],
  S: number,
  chunk: number,
  out: Map<ApproxConfig, Metrics>,
  opts: ComputeOptions,
): Promise<void> {
  const kMax = ks[ks.length - 1];
  const anyNorm = configs.some((c) => c.normalize);
  const gramMetrics = opts.gramMetrics !== false;
  // A helper thread for the square LU systems where they cost something.
  const square = new SquareSolver(
    (opts.squareWorker ?? (navigator.hardwareConcurrency ?? 1) >= 2) &&
      frogKs.some((k) => k >= n) && n >= (opts.squareWorkerMinN ?? 128),
  );
  const Sb = batchSize(S, kMax, n);
  const work = new Map(ks.map((k) => [k, groupWork(S, k, n, frogKs.includes(k))]));
  const stream = new TangentStream({
    seed: 0,
    path: ["approx", n],
    n,
    rowsPerBatch: Sb * kMax,
    totalRows: S * kMax,
    norms: anyNorm,
  }, opts.worker ?? ((navigator.hardwareConcurrency ?? 1) >= 2 && S * kMax * n >= 4_000_000));
  try {
    for (let q0 = 0; q0 < S; q0 += Sb) {
      await sharedBatch(q0, await stream.next());
    }
  } finally {
    stream.close();
    square.close();
  }

  async function sharedBatch(q0: number, batch: StreamBatch): Promise<void> {
    const { v } = batch;
    const rows = batch.d.length;
    const row0 = q0 * kMax; // global stream row of this batch
    // Rows any configuration still needs (small k only use the stream's start).
    const used = Math.min(rows, Math.max(...ks.map((k) => Math.max(0, S * k - row0))));
    const d = batch.d;
    const normSq = batch.normSq;
    const countOf = (k: number) => Math.min(Math.floor(used / k), S - row0 / k);
    // Chunk Gram matrices, only for chunks holding a frog block that needs one
    // (square systems, k ≥ n, are solved from V itself).
    const nChunks = Math.ceil(used / chunk);
    const needed = new Uint8Array(nChunks);
    for (const k of frogKs) {
      if (k >= n) continue;
      for (let s = 0; s < countOf(k); s++) needed[Math.floor((s * k) / chunk)] = 1;
    }
    const list = Array.from(needed.keys()).filter((j) => needed[j] === 1);
    const slot = new Int32Array(nChunks).fill(-1);
    list.forEach((j, i) => (slot[j] = i));
    let grams: Float64Array = new Float64Array(0);
    if (list.length > 0) {
      const contiguous = list.length === list[list.length - 1] + 1;
      const src = contiguous
        ? v.subarray(0, list.length * chunk * n)
        : new Float32Array(list.length * chunk * n);
      if (!contiguous) {
        list.forEach((j, i) =>
          src.set(v.subarray(j * chunk * n, (j + 1) * chunk * n), i * chunk * n)
        );
      }
      grams = batchedGram(src, list.length, chunk, n);
    }
    for (const k of ks) {
      const first = row0 / k;
      const count = countOf(k);
      if (count <= 0) continue;
      const kConfigs = configs.filter((c) => c.k === k);
      // Sample s's k×k Gram block, when k ≤ chunk and its chunk Gram was formed.
      const offset = (s: number) => {
        const r = s * k;
        const j = Math.floor(r / chunk), off = r % chunk;
        return slot[j] < 0 ? -1 : slot[j] * chunk * chunk + off * chunk + off;
      };
      let haveGram = k <= chunk;
      for (let s = 0; s < count && haveGram; s++) haveGram = offset(s) >= 0;
      let frogQ: Float64Array | undefined;
      let frogF: Float64Array | Float32Array | undefined;
      if (frogKs.includes(k) && k >= n) {
        const starts = Array.from({ length: count }, (_, s) => s * k);
        frogF = await square.solve(v, d, starts, n, (info) => {
          if (info.method === "lstsq") opts.onIllConditioned?.(info, k);
        });
      } else if (frogKs.includes(k)) {
        // Gram metrics need only q = dᵀG⁻¹d per sample; explicit ones the weights.
        const frog = gramMetrics ? undefined : new Float64Array(count * k);
        frogQ = new Float64Array(count);
        const G = new Float64Array(k * k);
        for (let s = 0; s < count; s++) {
          const r = s * k;
          const base = offset(s);
          for (let a = 0; a < k; a++) {
            for (let bb = 0; bb < k; bb++) G[a * k + bb] = grams[base + a * chunk + bb];
          }
          const ds = d.subarray(r, r + k);
          if (frog) {
            const { x, info } = solveProjectionWeights(v, r * n, k, n, G, ds, true);
            if (info.method === "lstsq") opts.onIllConditioned?.(info, k);
            frog.set(x, r);
          } else {
            const { q, info } = projectionQuadraticForm(v, r * n, k, n, G, ds, true);
            if (info.method === "lstsq") opts.onIllConditioned?.(info, k);
            frogQ[s] = q;
          }
        }
        if (frog) frogF = batchedCombine(v.subarray(0, count * k * n), count, k, n, frog, 1);
      }
      metricsPass(n, {
        k,
        configs: kConfigs,
        v: v.subarray(0, count * k * n),
        count,
        first,
        d: d.subarray(0, count * k),
        normSq: normSq?.subarray(0, count * k),
        frogQ,
        frogF,
        gram: gramMetrics && haveGram ? { G: grams, stride: chunk, offset } : undefined,
      }, out);
      opts.onWork?.((work.get(k)! * count) / S);
    }
  }
}

/** Draws the tangents of one k on their own (samplers other than `normal`). */
function computePerK(
  sampler: string,
  n: number,
  k: number,
  configs: readonly ApproxConfig[],
  S: number,
  out: Map<ApproxConfig, Metrics>,
  opts: ComputeOptions,
): void {
  const draw = getSampler(sampler);
  const rng = new Rng(0, "approx", n);
  const g = new Float32Array(n).fill(1);
  const frogNeeded = configs.some((c) => c.compute === "orthogonal_projection");
  const anyNorm = configs.some((c) => c.normalize);
  const Sb = batchSize(S, k, n);
  const buf = new Float32Array(Sb * k * n);
  const work = groupWork(S, k, n, frogNeeded);
  for (let s0 = 0; s0 < S; s0 += Sb) {
    const sb = Math.min(Sb, S - s0);
    const v = buf.subarray(0, sb * k * n);
    for (let s = 0; s < sb; s++) draw(rng, k, n, v.subarray(s * k * n, (s + 1) * k * n));
    const d = batchedDirectionalDerivatives(v, sb, k, n, g);
    const frog = frogNeeded
      ? batchedProjectionWeights(v, sb, k, n, d, {
        allowRankDeficient: true,
        onGramSolve: (info) => {
          if (info.method === "lstsq") opts.onIllConditioned?.(info, k);
        },
      })
      : undefined;
    metricsPass(n, {
      k,
      configs,
      v,
      count: sb,
      first: s0,
      d,
      normSq: anyNorm ? rowNormsSq(v, sb * k, n) : undefined,
      frogF: frog ? batchedCombine(v, sb, k, n, frog, 1) : undefined,
    }, out);
    opts.onWork?.((work * sb) / S);
  }
}
