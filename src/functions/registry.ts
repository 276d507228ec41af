/**
 * The registry of closed-form test functions, looked up by name.
 *
 * @module
 */
import { plane } from "./plane.ts";
import { rosenbrock } from "./rosenbrock.ts";
import { sphere } from "./sphere.ts";
import { styblinskiTang } from "./styblinski_tang.ts";
import {
  ackley,
  beale,
  eggCrate,
  forest,
  goldsteinPrice,
  levyMontalvo,
  threeHumpCamel,
} from "./two_d.ts";
import type { TestFunction } from "./types.ts";

const ALL: readonly TestFunction[] = [
  sphere,
  rosenbrock,
  styblinskiTang,
  beale,
  plane,
  eggCrate,
  ackley,
  forest,
  goldsteinPrice,
  levyMontalvo,
  threeHumpCamel,
];

const BY_NAME: ReadonlyMap<string, TestFunction> = new Map(ALL.map((f) => [f.name, f]));

/** Every registered function name. */
export const FUNCTION_NAMES: readonly string[] = ALL.map((f) => f.name);

/** The three functions of the paper (spec §3.4), in the reference's CLI order. */
export const PAPER_FUNCTIONS: readonly string[] = ["rosenbrock", "styblinski-tang", "sphere"];

/** Normalises a function name as the reference does: lower case, whitespace runs → `_`. */
export function normalizeFunctionName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, "_");
}

/**
 * Looks a test function up by name (case-insensitive, whitespace → `_`).
 *
 * @param name e.g. `"Styblinski-Tang"` or `"three hump camel"`
 * @returns the function
 * @throws RangeError listing the valid names when the name is unknown
 *
 * @example Look up the paper's functions
 * ```ts
 * import { getFunction } from "./registry.ts";
 * getFunction("Rosenbrock").maxSteps; // 25000
 * ```
 */
export function getFunction(name: string): TestFunction {
  const f = BY_NAME.get(normalizeFunctionName(name));
  if (!f) {
    throw new RangeError(
      `Unknown function "${name}": expected one of ${FUNCTION_NAMES.join(", ")}`,
    );
  }
  return f;
}
