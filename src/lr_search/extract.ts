/**
 * Best-LR extraction with margin (spec §5.2) and writing the tables in the
 * format of `lrs/first-release/*.csv` (pandas `to_csv` of Python floats).
 *
 * @module
 */
import { csvCell, pyFloat } from "../functions/format.ts";

/** One evaluated learning rate of a search label. */
export interface Evaluated {
  /** The learning rate 10^lr_log10. */
  readonly lr: number;
  /** Its final loss. */
  readonly loss: number;
}

/**
 * The reference's `extract_best`: sort by loss (stable), keep those with
 * `loss ≤ m + margin·m` for the minimum m; with more than one, the one whose
 * LR is nearest the candidates' arithmetic mean LR (the first on ties), else
 * the best. Negative minima leave no candidate but the best is taken.
 *
 * @throws RangeError for an empty list
 */
export function extractBest(evaluated: readonly Evaluated[], margin = 0.05): Evaluated {
  if (evaluated.length === 0) throw new RangeError("Cannot extract a best LR from no evaluations");
  const sorted = evaluated.map((e, i) => ({ e, i })).sort((a, b) =>
    (a.e.loss - b.e.loss) || a.i - b.i
  ).map(({ e }) => e);
  const m = sorted[0].loss;
  const candidates = sorted.filter((e) => e.loss <= m + margin * m);
  if (candidates.length <= 1) return sorted[0];
  const mean = candidates.reduce((s, e) => s + e.lr, 0) / candidates.length;
  let best = candidates[0];
  for (const c of candidates) if (Math.abs(c.lr - mean) < Math.abs(best.lr - mean)) best = c;
  return best;
}

/** A row of the math table: `function,n,gradient_approach,k,optimizer,lr,loss`. */
export interface MathTableRow {
  readonly function: string;
  readonly n: number;
  readonly gradientApproach: string;
  /** k as written: `"1.0"` in math.csv, `"16"` in math__custom_tangents.csv, `""` for bp. */
  readonly k: string;
  readonly optimizer: string;
  readonly lr: number;
  readonly loss: number;
}

/** The math LR table in the first-release format, loss column included. */
export function mathTableCsv(rows: readonly MathTableRow[]): string {
  const lines = ["function,n,gradient_approach,k,optimizer,lr,loss"];
  for (const r of rows) {
    lines.push(
      [
        r.function,
        String(r.n),
        r.gradientApproach,
        r.k,
        r.optimizer,
        pyFloat(r.lr),
        pyFloat(r.loss),
      ]
        .map(csvCell).join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/** A row of the NN table: `model,dataset,gradient_approach,k,lr,loss`. */
export interface NnTableRow {
  readonly model: string;
  readonly dataset: string;
  readonly gradientApproach: string;
  /** `"1.0"`, … or `""` for bp. */
  readonly k: string;
  readonly lr: number;
  readonly loss: number;
}

/** The NN LR table in the first-release format, loss column included. */
export function nnTableCsv(rows: readonly NnTableRow[]): string {
  const lines = ["model,dataset,gradient_approach,k,lr,loss"];
  for (const r of rows) {
    lines.push(
      [r.model, r.dataset, r.gradientApproach, r.k, pyFloat(r.lr), pyFloat(r.loss)].map(csvCell)
        .join(
          ",",
        ),
    );
  }
  return lines.join("\n") + "\n";
}
