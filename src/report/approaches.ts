/**
 * Gradient-approach labels of the function-optimisation runs (reference-spec
 * §3.2): `Backpropagation` or `FG(k=4,agg=orthogonal_projection,…,sampler=normal…)`,
 * mapped to the paper's names (`bp`, `fg k=1`, `fg-mean k=4`, `frog k=4`).
 *
 * @module
 */

/** A parsed optimizer label. */
export interface Approach {
  /** `bp`, `fg-mean` (mean aggregation, including k=1) or `frog`; other aggregations keep their name. */
  kind: string;
  /** Number of tangents (0 for bp). */
  k: number;
  /** Tangent sampler (`normal`, `specific_angle_30`, …; empty for bp). */
  sampler: string;
  /** Whether tangents are normalised. */
  normalize: boolean;
}

/**
 * Parses an optimizer label.
 *
 * @example
 * ```ts
 * import { parseOptimizerLabel } from "./approaches.ts";
 * const a = parseOptimizerLabel("FG(k=4,agg=orthogonal_projection,normalize=False,sampler=normal)");
 * console.log(a.kind, a.k); // "frog 4"
 * ```
 */
export function parseOptimizerLabel(label: string): Approach {
  const s = label.trim();
  if (s === "Backpropagation" || s === "bp") {
    return { kind: "bp", k: 0, sampler: "", normalize: false };
  }
  const m = /^FG\((.*)\)$/.exec(s);
  if (!m) {
    throw new TypeError(
      `Cannot parse optimizer label "${label}": expected Backpropagation or FG(...)`,
    );
  }
  const kv: Record<string, string> = {};
  for (const part of m[1].split(",")) {
    const [key, ...rest] = part.split("=");
    kv[key.trim()] = rest.join("=").trim();
  }
  const agg = kv.agg ?? "sum";
  const kind = agg === "mean" ? "fg-mean" : agg === "orthogonal_projection" ? "frog" : `fg-${agg}`;
  return {
    kind,
    k: Number(kv.k ?? 1),
    sampler: kv.sampler ?? "normal",
    normalize: (kv.normalize ?? "False").toLowerCase() === "true",
  };
}

/** Paper-style name: `bp`, `fg k=1`, `fg-mean k=4`, `frog k=4` (plus sampler/normalisation when not default). */
export function approachName(a: Approach, withSampler = false): string {
  if (a.kind === "bp") return "bp";
  let s = a.kind === "fg-mean" && a.k === 1 ? "fg k=1" : `${a.kind} k=${a.k}`;
  if (a.normalize) s += " (normalised)";
  if (withSampler && a.sampler !== "normal") s += ` [${a.sampler}]`;
  return s;
}

/** Sort key: bp first, then k ascending, fg-mean before frog (the order of reference-spec §3.4). */
export function approachOrder(a: Approach): number {
  if (a.kind === "bp") return 0;
  const kindRank = a.kind === "fg-mean" ? 0 : a.kind === "frog" ? 1 : 2;
  return 1 + a.k * 10 + kindRank;
}

/** The angle in degrees of a `specific_angle_<A>` sampler, or undefined. */
export function samplerAngle(sampler: string): number | undefined {
  const m = /specific_angle_(-?\d+)/.exec(sampler);
  return m ? Number(m[1]) : undefined;
}
