/**
 * Verification checks: each compares a measured value with an expectation
 * under a tolerance. Statistical checks carry a standard error; their
 * tolerance is z·se + slack, with one z for the whole family chosen so that
 * the chance of any false failure stays below 0.1% (Bonferroni over the
 * number of statistical checks). Deterministic checks have se = 0.
 *
 * @module
 */
import { familyZ } from "./stats.ts";
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
  /** Whether the measurement passes under tolerance `tol`. */
  test(tol: number): boolean;
  /** Overrides the tolerance column text (e.g. "×10"). */
  toleranceText?: string;
}

/** A decided check: one row of the verification table. */
export interface CheckResult {
  section: string;
  check: string;
  expected: Cell;
  measured: Cell;
  tolerance: Cell;
  pass: boolean;
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
  const results = checks.map((c) => {
    const tol = z * (Number.isFinite(c.se) ? c.se : 0) + c.slack;
    const measuredOk = typeof c.measured !== "number" || !Number.isNaN(c.measured);
    return {
      section: c.section,
      check: c.check,
      expected: c.expected,
      measured: c.measured,
      tolerance: c.toleranceText ?? tol,
      pass: measuredOk && c.test(tol),
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
  };
}

/** lo − tol ≤ measured ≤ hi + tol. */
export function within(
  section: string,
  check: string,
  lo: number,
  hi: number,
  measured: number,
  slack: number,
): PendingCheck {
  return {
    section,
    check,
    expected: `[${formatSig(lo, 4)}, ${formatSig(hi, 4)}]`,
    measured,
    se: 0,
    slack,
    test: (tol) => measured >= lo - tol && measured <= hi + tol,
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
    ],
    rows: results.map((
      r,
    ) => [r.section, r.check, r.expected, r.measured, r.tolerance, r.pass ? "yes" : "NO"]),
    notes: [
      `Statistical tolerances are z·SE + slack with z = ${
        z.toFixed(2)
      } (family-wise false-failure rate 0.1% over the statistical checks); SE = CI/1.96 from the sample sizes.`,
      `${results.filter((r) => r.pass).length} of ${results.length} checks pass.`,
    ],
  };
}
