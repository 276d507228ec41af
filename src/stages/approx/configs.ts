/**
 * The approximation-quality configurations (spec §2.4) and their CSV labels.
 *
 * @module
 */

/** One configuration: how k tangents are aggregated, with its CSV label columns. */
export interface ApproxConfig {
  /** Number of tangents. */
  k: number;
  /** The `agg` column: `none` for the baseline, else the aggregation key. */
  agg: "none" | "orthogonal_projection" | "mean" | "sum";
  /** The computation actually used. */
  compute: "sum" | "mean" | "orthogonal_projection";
  /** Whether the tangents are normalised. */
  normalize: boolean;
  /** The `label` column. */
  label: string;
}

/**
 * The configurations for one n, in the reference's order: the single-tangent
 * baseline, frog for every k, mean with normalised tangents, mean, sum with
 * normalised tangents, sum (1 + 5·|ks| configurations).
 *
 * @param ks the tangent counts
 */
export function approxConfigs(ks: readonly number[]): ApproxConfig[] {
  const out: ApproxConfig[] = [
    { k: 1, agg: "none", compute: "sum", normalize: false, label: "fg_baseline" },
  ];
  for (const k of ks) {
    out.push({
      k,
      agg: "orthogonal_projection",
      compute: "orthogonal_projection",
      normalize: false,
      label: `frog_k=${k}`,
    });
  }
  for (
    const [agg, normalize] of [["mean", true], ["mean", false], ["sum", true], [
      "sum",
      false,
    ]] as const
  ) {
    for (const k of ks) out.push({ k, agg, compute: agg, normalize, label: `fg_${agg}_k=${k}` });
  }
  return out;
}
