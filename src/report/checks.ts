/**
 * Verification checks: each compares a measured value with an expectation
 * under a tolerance. Statistical checks carry a standard error; their
 * tolerance is z·se + slack, with one z for the whole family chosen so that
 * the chance of any false failure stays below 0.1% (Bonferroni over the
 * number of statistical checks). Deterministic checks have se = 0.
 *
 * Every check also says how informative it is: its tolerance in units of the
 * spread observed in its own sample (SE over Monte-Carlo samples, seeds'
 * spread), and the smallest error of the measured value that would fail it.
 *
 * @module
 */
import { familyZ, studentTQuantileUpper } from "./stats.ts";
import type { Cell, Table } from "./table.ts";
import { formatSig } from "./format.ts";

/** A check before the family-wise z is known. */
export interface PendingCheck {
  /** Section: `approx`, `functions` or `networks`. */
  section: string;
  /** What is checked, one line (names the row: n, k, function, …). */
  check: string;
  /** Expected value or a text such as `≥ 0.41` or `[0, 16]`. */
  expected: Cell;
  measured: Cell;
  /** Standard error of the compared quantity (0 when deterministic). */
  se: number;
  /** Fixed part of the tolerance (float round-off, a stated band). */
  slack: number;
  /**
   * Degrees of freedom of `se` when it is estimated from a few seeds: the
   * check then uses Student's t at the family's per-check level instead of z.
   */
  df?: number;
  /** Whether the measurement passes under tolerance `tol`. */
  test(tol: number): boolean;
  /** Overrides the tolerance column text (e.g. "×10"). */
  toleranceText?: string;
  /**
   * Spread observed in the check's own sample, in the tolerance's units (the
   * SE of a mean, the seeds' spread): the table shows tolerance / spread.
   * Defaults to `se`; 0 or undefined for a deterministic quantity.
   */
  spread?: number;
  /**
   * The smallest error of the measured value that fails the check under
   * tolerance `tol` (e.g. "0.8%" or "×10"). Defaults to tol relative to a
   * numeric non-zero expected value, else the absolute tolerance.
   */
  catches?: (tol: number) => Cell;
}

/** A decided check: one row of the verification table. */
export interface CheckResult {
  section: string;
  check: string;
  expected: Cell;
  measured: Cell;
  tolerance: Cell;
  pass: boolean;
  /** Tolerance / observed spread of the check's sample ("—" when deterministic). */
  tolOverSpread: Cell;
  /** Smallest error of the measured value that fails the check. */
  catches: Cell;
}

/** Formats a relative error as a percentage with 2 significant figures. */
export function percent(rel: number): string {
  return `${formatSig(100 * rel, 2)}%`;
}

function defaultCatches(c: PendingCheck, tol: number): Cell {
  if (typeof c.expected === "number" && c.expected !== 0) {
    return percent(tol / Math.abs(c.expected));
  }
  return `|Δ| > ${formatSig(tol, 2)}`;
}

/**
 * Decides every check with one family-wise z.
 *
 * @param checks Pending checks of all sections.
 * @param familyAlpha Family-wise false-failure probability (default 0.001).
 * @returns The results in input order, and the z used.
 */
export function decideChecks(
  checks: PendingCheck[],
  familyAlpha = 0.001,
): { results: CheckResult[]; z: number } {
  const statistical = checks.filter((c) => c.se > 0).length;
  const z = familyZ(statistical, familyAlpha);
  const perCheck = familyAlpha / (2 * Math.max(1, statistical));
  const results = checks.map((c) => {
    const q = c.df !== undefined && c.df > 0 && c.se > 0
      ? studentTQuantileUpper(perCheck, c.df)
      : z;
    const tol = q * (Number.isFinite(c.se) ? c.se : 0) + c.slack;
    const measuredOk = typeof c.measured !== "number" || !Number.isNaN(c.measured);
    const spread = c.spread ?? c.se;
    return {
      section: c.section,
      check: c.check,
      expected: c.expected,
      measured: c.measured,
      tolerance: c.toleranceText ?? tol,
      pass: measuredOk && c.test(tol),
      tolOverSpread: spread > 0 && Number.isFinite(spread) ? tol / spread : "—",
      catches: c.catches ? c.catches(tol) : defaultCatches(c, tol),
    };
  });
  return { results, z };
}

/** |measured − expected| ≤ tol. */
export function closeTo(
  section: string,
  check: string,
  expected: number,
  measured: number,
  se: number,
  slack: number,
): PendingCheck {
  return {
    section,
    check,
    expected,
    measured,
    se,
    slack,
    test: (tol) => Math.abs(measured - expected) <= tol,
  };
}

/** measured ≥ bound − tol. */
export function atLeast(
  section: string,
  check: string,
  bound: number,
  measured: number,
  se: number,
  slack: number,
): PendingCheck {
  return {
    section,
    check,
    expected: `≥ ${formatSig(bound, 4)}`,
    measured,
    se,
    slack,
    test: (tol) => measured >= bound - tol,
    catches: (tol) =>
      bound !== 0 ? `${percent(tol / Math.abs(bound))} below` : `${formatSig(tol, 2)} below`,
  };
}

/** The verification table (check, expected, measured, tolerance, pass). */
export function checksTable(results: CheckResult[], z: number): Table {
  return {
    name: "verification",
    title: "Verification checks",
    columns: [
      { header: "section", align: "l" },
      { header: "check", align: "l" },
      { header: "expected", align: "r" },
      { header: "measured", align: "r" },
      { header: "tolerance", align: "r" },
      { header: "pass", align: "l" },
      { header: "tol / spread", align: "r" },
      { header: "catches", align: "r" },
    ],
    rows: results.map((r) => [
      r.section,
      r.check,
      r.expected,
      r.measured,
      r.tolerance,
      r.pass ? "yes" : "NO",
      r.tolOverSpread,
      r.catches,
    ]),
    notes: [
      `Statistical tolerances are z·SE + slack with z = ${
        z.toFixed(2)
      } (family-wise false-failure rate 0.1% over the statistical checks); SE = CI/1.96 from the sample sizes; where the SE is estimated from a few seeds, Student's t at the same level replaces z.`,
      "tol / spread: the tolerance in units of the spread observed in the check's own sample (SE over Monte-Carlo samples or seeds); — for deterministic quantities. catches: the smallest error of the measured value (relative to the expected value, or absolute) that fails the check.",
      `${results.filter((r) => r.pass).length} of ${results.length} checks pass.`,
    ],
  };
}
