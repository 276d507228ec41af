/**
 * The learning rates of the function experiments (`lrs/math.csv`,
 * `lrs/math__custom_tangents.csv`) and the reference's lookup rule (spec §3.5).
 *
 * @module
 */
import { type ApproachSpec, gradientLabel } from "../functions/approaches.ts";
import { lrsPath, parseCsvTable, parseLr, readTableText } from "./table.ts";

/** A parsed math LR table, indexed by (function, n, optimizer label). */
export interface MathLrTable {
  /** Where the table came from (for error messages). */
  readonly source: string;
  /** The LR for an exact key, or undefined. */
  get(functionName: string, n: number, label: string): number | undefined;
  /** Number of rows. */
  readonly size: number;
}

const key = (fn: string, n: number, label: string) => `${fn}\u0000${n}\u0000${label}`;

/**
 * Parses a math LR table (columns `function,n,gradient_approach,k,optimizer,lr`;
 * `gradient_approach` and `k` are informational only).
 *
 * @throws SyntaxError naming the source and line for a malformed table
 */
export function parseMathLrTable(text: string, source: string): MathLrTable {
  const rows = parseCsvTable(text, source, ["function", "n", "optimizer", "lr"]);
  const map = new Map<string, number>();
  for (const { line, values } of rows) {
    const n = Number(values.n);
    if (!/^\s*\d+\s*$/.test(values.n ?? "") || n < 1) {
      throw new SyntaxError(
        `Cannot parse LR table ${source}: line ${line} has n "${values.n}", expected a positive integer`,
      );
    }
    if (!values.function || !values.optimizer) {
      throw new SyntaxError(
        `Cannot parse LR table ${source}: line ${line} has an empty function or optimizer`,
      );
    }
    const k = key(values.function, n, values.optimizer);
    if (map.has(k)) {
      throw new SyntaxError(
        `Cannot parse LR table ${source}: line ${line} repeats (${values.function}, ${n}, ${values.optimizer})`,
      );
    }
    map.set(k, parseLr(values.lr, source, line));
  }
  return {
    source,
    size: map.size,
    get: (fn, n, label) => map.get(key(fn, n, label)),
  };
}

/** Reads and parses a math LR table file. */
export function loadMathLrTable(path: string): MathLrTable {
  return parseMathLrTable(readTableText(path), path);
}

/** The repository's `lrs/math.csv`. */
export const MATH_LR_PATH: string = lrsPath("math.csv");
/** The repository's `lrs/math__custom_tangents.csv`. */
export const MATH_CUSTOM_TANGENTS_LR_PATH: string = lrsPath("math__custom_tangents.csv");

/**
 * The reference's `get_math_lr` (spec §3.5): the LR of (function, n,
 * `gradientLabel(approach, ["scaling_correction"])`). When that row is missing
 * and the approach's sampler is not `normal`, the same approach with the
 * `normal` sampler is looked up instead (frog with angle tangents).
 *
 * @throws RangeError naming the table and every key that was looked up
 *
 * @example bp on Rosenbrock with n = 2
 * ```ts
 * import { loadMathLrTable, mathLr, MATH_LR_PATH } from "./math.ts";
 * import { BP } from "../functions/approaches.ts";
 * mathLr(loadMathLrTable(MATH_LR_PATH), "rosenbrock", 2, BP); // 0.0019891252808897
 * ```
 */
export function mathLr(
  table: MathLrTable,
  functionName: string,
  n: number,
  approach: ApproachSpec,
): number {
  const tried: string[] = [];
  const look = (spec: ApproachSpec) => {
    const label = gradientLabel(spec, ["scaling_correction"]);
    tried.push(`(${functionName}, ${n}, ${label})`);
    return table.get(functionName, n, label);
  };
  let lr = look(approach);
  if (lr === undefined && approach.type === "fg" && approach.sampler !== "normal") {
    lr = look({ ...approach, sampler: "normal" });
  }
  if (lr === undefined) {
    throw new RangeError(`No learning rate in ${table.source} for ${tried.join(" or ")}`);
  }
  return lr;
}
