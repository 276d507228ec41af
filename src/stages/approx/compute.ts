/**
 * The per-sample metrics of one (n, k) group of configurations, computed for
 * all samples in batches: tangents are drawn once per batch and shared by
 * every configuration with that k (the reference restarts the seed-0
 * generator per configuration, so they see identical tangents).
 *
 * @module
 */
import {
  batchedCombine,
  batchedDirectionalDerivatives,
  batchedProjectionWeights,
  getSampler,
  type GramSolveInfo,
  Rng,
} from "../../core/mod.ts";
import type { ApproxConfig } from "./configs.ts";

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

/** Relative work of one (n, k) group, for progress bars. */
export function groupWork(S: number, k: number, n: number, frog: boolean): number {
  return S * k * n * (2 + (frog ? Math.min(k, n) / 16 : 0));
}

/** Options of {@link computeGroup}. */
export interface GroupOptions {
  /** Called after each batch with the fraction of the group's samples done. */
  onBatch?: (samplesDone: number) => void;
  /** Called for Gram solves that needed the least-squares fallback. */
  onIllConditioned?: (info: GramSolveInfo, sample: number) => void;
}

/**
 * Computes the metrics of the configurations `configs` (all with the same k)
 * at dimension n, with the all-ones true gradient.
 *
 * @param sampler the sampler key
 * @param n dimension
 * @param k tangents per sample
 * @param S number of samples
 * @param configs configurations sharing k
 * @returns one {@link Metrics} per configuration, in the order given
 */
export function computeGroup(
  sampler: string,
  n: number,
  k: number,
  S: number,
  configs: readonly ApproxConfig[],
  opts: GroupOptions = {},
): Metrics[] {
  const draw = getSampler(sampler);
  const rng = new Rng(0, "approx", n);
  const g = new Float32Array(n).fill(1);
  const gg = n;
  const gNorm = Math.sqrt(gg);
  const needFrog = configs.some((c) => c.compute === "orthogonal_projection");
  const needMean = configs.some((c) => c.compute !== "orthogonal_projection" && !c.normalize);
  const needNorm = configs.some((c) => c.compute !== "orthogonal_projection" && c.normalize);
  // Rows of the combination: [frog?, mean?, mean of normalised?]
  const rowFrog = needFrog ? 0 : -1;
  const rowMean = needMean ? (needFrog ? 1 : 0) : -1;
  const rowNorm = needNorm ? Number(needFrog) + Number(needMean) : -1;
  const m = Number(needFrog) + Number(needMean) + Number(needNorm);
  const out: Metrics[] = configs.map(() => METRIC_COLUMNS.map(() => new Float32Array(S)));
  const Sb = batchSize(S, k, n);
  const buf = new Float32Array(Sb * k * n);
  for (let s0 = 0; s0 < S; s0 += Sb) {
    const sb = Math.min(Sb, S - s0);
    const v = buf.subarray(0, sb * k * n);
    for (let s = 0; s < sb; s++) draw(rng, k, n, v.subarray(s * k * n, (s + 1) * k * n));
    const d = batchedDirectionalDerivatives(v, sb, k, n, g);
    const w = new Float64Array(sb * m * k);
    if (needFrog) {
      const c = batchedProjectionWeights(v, sb, k, n, d, {
        onGramSolve: (info, s) => {
          if (info.method !== "cholesky") opts.onIllConditioned?.(info, s0 + s);
        },
      });
      for (let s = 0; s < sb; s++) w.set(c.subarray(s * k, (s + 1) * k), (s * m + rowFrog) * k);
    }
    if (needMean) {
      for (let s = 0; s < sb; s++) {
        for (let j = 0; j < k; j++) w[(s * m + rowMean) * k + j] = d[s * k + j] / k;
      }
    }
    if (needNorm) {
      for (let r = 0; r < sb * k; r++) {
        let ss = 0;
        const o = r * n;
        for (let t = 0; t < n; t++) ss += v[o + t] * v[o + t];
        const s = Math.floor(r / k), j = r % k;
        w[(s * m + rowNorm) * k + j] = d[r] / (k * ss);
      }
    }
    const F = batchedCombine(v, sb, k, n, w, m);
    for (let s = 0; s < sb; s++) {
      for (let ci = 0; ci < configs.length; ci++) {
        const c = configs[ci];
        const row = c.compute === "orthogonal_projection"
          ? rowFrog
          : c.normalize
          ? rowNorm
          : rowMean;
        const scale = c.compute === "sum" ? k : 1;
        const o = (s * m + row) * n;
        let ff = 0, gf = 0, dd = 0;
        for (let t = 0; t < n; t++) {
          const f = scale * F[o + t];
          ff += f * f;
          gf += g[t] * f;
          dd += (g[t] - f) ** 2;
        }
        const fNorm = Math.sqrt(ff);
        const cols = out[ci];
        const i = s0 + s;
        cols[0][i] = gNorm;
        cols[1][i] = fNorm;
        cols[2][i] = Math.sqrt(dd);
        cols[3][i] = fNorm / gNorm;
        cols[4][i] = gf;
        cols[5][i] = fNorm > 0 ? gf / (gNorm * fNorm) : 0;
      }
    }
    opts.onBatch?.(s0 + sb);
  }
  return out;
}
