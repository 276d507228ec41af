/**
 * `--lrs authors|searched` of the functions and train stages: with
 * `searched`, the `lr-search` stage runs upstream (its key enters theirs) and
 * its tables (`<lr-search>/lrs/*.csv`, the `lrs/` format) replace the
 * repository's. Units are listed before the search's folder is known, with a
 * placeholder LR, and resolve their LR from the search's tables when they are
 * computed; the preflight checks that those tables cover every label needed.
 *
 * @module
 */
import { join } from "node:path";
import { loadMathLrTable, type MathLrTable, parseMathLrTable } from "../lrs/math.ts";
import { loadNnLrTable, type NnLrTable, parseNnLrTable } from "../lrs/nn.ts";
import type { UpstreamOutput } from "../pipeline/stage.ts";

/** Where the LRs come from. */
export const LR_SOURCES = ["authors", "searched"] as const;
/** One LR source. */
export type LrSource = typeof LR_SOURCES[number];

/** The search stage's name. */
export const LR_SEARCH_STAGE = "lr-search";

/** Help line of `--lrs`. */
export const LRS_FLAG_HELP =
  "LR tables: authors (lrs/*.csv, default) or searched (runs the lr-search stage upstream and uses its tables)";

/** The extra upstream stage of `--lrs searched`. */
export function lrsUpstream(p: { lrs?: LrSource }): readonly string[] {
  return p.lrs === "searched" ? [LR_SEARCH_STAGE] : [];
}

/** The LR every unit is listed with before the searched tables are read. */
export const PLACEHOLDER_LR = 1;

/** A table that answers every key with {@link PLACEHOLDER_LR} (listing only). */
export const PLACEHOLDER_MATH_TABLE: MathLrTable = {
  source: "the searched tables (read when a unit is computed)",
  size: 0,
  get: () => PLACEHOLDER_LR,
};

function searchDir(inputs: Record<string, UpstreamOutput>): string {
  const s = inputs[LR_SEARCH_STAGE];
  if (!s) {
    throw new Error(`Cannot use searched LRs: the ${LR_SEARCH_STAGE} stage's output is missing`);
  }
  return s.dir;
}

function mathTable(path: string): MathLrTable {
  try {
    return loadMathLrTable(path);
  } catch (e) {
    if (e instanceof SyntaxError) throw e;
    // a task that was not searched: an empty table, so a lookup names what is missing
    return parseMathLrTable("function,n,gradient_approach,k,optimizer,lr\n", path);
  }
}

/** The searched math tables of the upstream search. */
export function searchedMathTables(
  inputs: Record<string, UpstreamOutput>,
): { main: MathLrTable; custom: MathLrTable } {
  const dir = searchDir(inputs);
  return {
    main: mathTable(join(dir, "lrs", "math.csv")),
    custom: mathTable(join(dir, "lrs", "math__custom_tangents.csv")),
  };
}

/** The searched NN table of the upstream search (empty when FC was not searched). */
export function searchedNnTables(inputs: Record<string, UpstreamOutput>): NnLrTable[] {
  const path = join(searchDir(inputs), "lrs", "fc_nns.csv");
  try {
    return [loadNnLrTable(path)];
  } catch (e) {
    if (e instanceof SyntaxError) throw e;
    return [parseNnLrTable("model,dataset,gradient_approach,k,lr\n", path)];
  }
}
