/**
 * Verification of the approximation-quality results against reference-spec
 * §1.7 and verification-notes.md: which expectations are exact (frog at
 * k ≥ n, frog norm ratio = cosine, frog and single-tangent E[cos] as chi
 * ratios) and which only approximate (mean cosine ≈ √(k/(n+k+1)), a ±15%
 * band for k ≥ 4 and n ≥ 4), plus the orderings the paper claims.
 *
 * @module
 */
import type { ApproxData, ApproxRow } from "./approx.ts";
import { atLeast, closeTo, type PendingCheck } from "./checks.ts";
import { frogCosine, meanCosineApprox, singleCosine } from "./theory.ts";
import { uniqueSorted } from "./records.ts";

/** Absolute round-off slack for identities that hold per sample in float32. */
export const FLOAT_SLACK = 1e-4;
/** Relative band of the approximate mean-aggregation cosine formula. */
export const MEAN_COSINE_BAND = 0.15;

const S = "approx";

/** Standard error of a row's cosine mean (the stage's CI is 1.96·SE). */
function se(r: ApproxRow, m: "cosine" | "normRatio" = "cosine"): number {
  const ci = r[m].ci;
  return Number.isFinite(ci) ? ci / 1.96 : 0;
}

/**
 * The approximation-quality checks.
 *
 * @param data Rows from the approx stage.
 * @returns Pending checks (decided together with the other sections).
 */
export function approxChecks(data: ApproxData): PendingCheck[] {
  const out: PendingCheck[] = [];
  const rows = data.normal;
  const label = (r: ApproxRow) =>
    `n=${r.n}, k=${r.k}${r.angle === undefined ? "" : `, angle ${r.angle}°`}`;
  // Exactness at k ≥ n is checked for i.i.d. normal tangents (verification-notes.md). Specific-angle
  // tangents at small angles are nearly parallel: their Gram matrix is ill-conditioned (condition
  // 1e8 at 15°, n = k = 64), and in float32 the projection is only approximately the identity, so
  // the angle variant gets the ordering checks below instead.
  for (const r of rows.filter((x) => x.approach === "frog" && x.k >= x.n)) {
    out.push(
      closeTo(
        S,
        `frog is exact for k ≥ n: cosine = 1 (${label(r)})`,
        1,
        r.cosine.mean,
        0,
        FLOAT_SLACK,
      ),
    );
  }
  for (const r of rows.filter((x) => x.approach === "frog" && x.k < x.n)) {
    out.push(
      closeTo(
        S,
        `frog mean cosine = E[χk]/E[χn] (${label(r)})`,
        frogCosine(r.n, r.k),
        r.cosine.mean,
        se(r),
        1e-6,
      ),
    );
  }
  for (const r of [...rows, ...data.angle].filter((x) => x.approach === "frog")) {
    out.push(
      closeTo(
        S,
        `frog norm ratio = cosine (${label(r)})`,
        r.cosine.mean,
        r.normRatio.mean,
        0,
        FLOAT_SLACK * Math.max(1, r.cosine.mean),
      ),
    );
  }
  for (const r of rows.filter((x) => x.approach === "single")) {
    out.push(
      closeTo(
        S,
        `single-tangent mean cosine = E[χ1]/E[χn] (${label(r)})`,
        singleCosine(r.n),
        r.cosine.mean,
        se(r),
        1e-6,
      ),
    );
  }
  for (const r of rows.filter((x) => x.approach === "fg-mean" && x.k >= 4 && x.n >= 4)) {
    const e = meanCosineApprox(r.n, r.k);
    out.push(
      closeTo(
        S,
        `fg-mean cosine within ±15% of √(k/(n+k+1)) (${label(r)})`,
        e,
        r.cosine.mean,
        se(r),
        MEAN_COSINE_BAND * e,
      ),
    );
  }
  // Orderings: frog ≥ fg-mean (frog maximises the cosine over the span), more tangents → better.
  const find = (a: string, n: number, k: number) =>
    rows.find((r) => r.approach === a && r.n === n && r.k === k);
  for (const f of rows.filter((x) => x.approach === "frog" && x.k >= 2)) {
    const m = find("fg-mean", f.n, f.k);
    if (!m) continue;
    out.push(
      atLeast(
        S,
        `frog cosine ≥ fg-mean cosine (${label(f)})`,
        m.cosine.mean,
        f.cosine.mean,
        Math.hypot(se(f), se(m)),
        1e-6,
      ),
    );
  }
  for (const f of data.angle.filter((x) => x.approach === "frog")) {
    const m = data.angle.find((r) =>
      r.approach === "fg-mean" && r.n === f.n && r.k === f.k && r.angle === f.angle
    );
    if (!m) continue;
    out.push(
      atLeast(
        S,
        `frog cosine ≥ fg-mean cosine (${label(f)})`,
        m.cosine.mean,
        f.cosine.mean,
        Math.hypot(se(f), se(m)),
        1e-6,
      ),
    );
  }
  for (const angle of uniqueSorted(data.angle.map((r) => r.angle as number))) {
    for (const a of ["frog"]) {
      const sel = data.angle.filter((r) => r.angle === angle && r.approach === a);
      for (const n of uniqueSorted(sel.map((r) => r.n))) {
        const byK = sel.filter((r) => r.n === n).sort((x, y) => x.k - y.k);
        for (let i = 1; i < byK.length; i++) {
          const lo = byK[i - 1], hi = byK[i];
          out.push(
            atLeast(
              S,
              `${a}: more tangents → higher cosine (n=${n}, k=${hi.k} vs k=${lo.k}, angle ${angle}°)`,
              lo.cosine.mean,
              hi.cosine.mean,
              Math.hypot(se(lo), se(hi)),
              1e-6,
            ),
          );
        }
      }
    }
  }
  for (const a of ["frog", "fg-mean"]) {
    for (const n of uniqueSorted(rows.map((r) => r.n))) {
      const ks = uniqueSorted(rows.filter((r) => r.approach === a && r.n === n).map((r) => r.k));
      for (let i = 1; i < ks.length; i++) {
        const lo = find(a, n, ks[i - 1])!, hi = find(a, n, ks[i])!;
        out.push(
          atLeast(
            S,
            `${a}: more tangents → higher cosine (n=${n}, k=${ks[i]} vs k=${ks[i - 1]})`,
            lo.cosine.mean,
            hi.cosine.mean,
            Math.hypot(se(lo), se(hi)),
            1e-6,
          ),
        );
      }
    }
  }
  return out;
}
