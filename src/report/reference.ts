/**
 * The authors' reference values for function optimisation (reference-spec
 * §7.3): the final f of the selected learning rate in the authors' LR search
 * (seed 0, early-stopping patience 100, the function's full step budget).
 *
 * Source: the `loss` column of `lrs/first-release/math.csv`, the first-commit
 * version of the LR table in the authors' repository Helmholtz-AI-Energy/frog
 * (copied verbatim; spec §5.4). The table in spec §7.3 is these numbers at 3
 * significant figures.
 *
 * @module
 */
import { join } from "node:path";
import { readCsv } from "./csv.ts";
import { num } from "./records.ts";
import { parseOptimizerLabel } from "./approaches.ts";

/** Path of the reference file, relative to the repository root. */
export const REFERENCE_MATH_PATH = "lrs/first-release/math.csv";

/** Settings of the runs that produced the reference values (spec §5.1). */
export const REFERENCE_SETTINGS = {
  seed: 0,
  patience: 100,
  maxSteps: { sphere: 1000, rosenbrock: 25000, "styblinski-tang": 1000 } as Record<string, number>,
};

/** One reference value. */
export interface ReferenceValue {
  function: string;
  n: number;
  /** `bp`, `fg-mean` (k=1 is the single-tangent baseline) or `frog`. */
  kind: string;
  k: number;
  lr: number;
  /** Final f of the reference run (float32 values printed at full precision). */
  final: number;
}

/**
 * Reads the reference values from `lrs/first-release/math.csv`.
 *
 * @param rootDir Repository root.
 */
export async function readMathReference(rootDir: string): Promise<ReferenceValue[]> {
  const recs = await readCsv(join(rootDir, REFERENCE_MATH_PATH));
  return recs.map((r) => {
    const a = parseOptimizerLabel(r.optimizer);
    return {
      function: r.function,
      n: num(r, "n"),
      kind: a.kind,
      k: a.k,
      lr: num(r, "lr"),
      final: num(r, "loss"),
    };
  });
}

/**
 * Styblinski–Tang's minimum per dimension, f(−2.903534…) = −39.16616570377141
 * (the reference code rounds it to −39.16599; the difference, 1.8e-4·n, is
 * below every tolerance used with it).
 */
export const STYBLINSKI_TANG_MIN = -39.16616570377141;

/** The global minimum f* of a paper function (0, or −39.166166·n for styblinski-tang). */
export function globalMinimum(fn: string, n: number): number {
  return fn === "styblinski-tang" ? STYBLINSKI_TANG_MIN * n : 0;
}

/** The start value f(x₀) of a paper function (spec §3.1). */
export function startValue(fn: string, n: number): number {
  if (fn === "sphere") return n;
  if (fn === "rosenbrock") return n === 1 ? 0 : 104 + (n - 2);
  return 0;
}
