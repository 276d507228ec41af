/**
 * The learning rates of the network experiments (`lrs/fc_nns.csv`,
 * `lrs/sota_nns.csv`; spec §5.3–5.4), indexed by (model, dataset,
 * gradient_approach, k).
 *
 * @module
 */
import { lrsPath, parseCsvTable, parseLr, readTableText } from "./table.ts";

/** Approaches in the NN tables; `fg` is accepted as the CLI alias of `fg-mean`. */
export const NN_APPROACHES = ["bp", "fg-mean", "frog"] as const;
/** One of {@link NN_APPROACHES}. */
export type NnApproach = typeof NN_APPROACHES[number];

/** A parsed NN LR table. */
export interface NnLrTable {
  /** Where the table came from (for error messages). */
  readonly source: string;
  /** The LR of a key (k ignored for bp), or undefined. */
  get(
    model: string,
    dataset: string,
    approach: NnApproach,
    k: number | undefined,
  ): number | undefined;
  /** Every (model, dataset, approach, k) key, for error messages. */
  keys(): string[];
}

const key = (model: string, dataset: string, approach: string, k: number | undefined) =>
  `${model}\u0000${dataset}\u0000${approach}\u0000${k ?? ""}`;

/**
 * Parses an NN LR table (columns `model,dataset,gradient_approach,k,lr`; k is a
 * float such as `2.0`, empty for bp).
 *
 * @throws SyntaxError naming the source and line for a malformed table
 */
export function parseNnLrTable(text: string, source: string): NnLrTable {
  const rows = parseCsvTable(text, source, ["model", "dataset", "gradient_approach", "k", "lr"]);
  const map = new Map<string, number>();
  const readable: string[] = [];
  for (const { line, values } of rows) {
    const approach = values.gradient_approach;
    if (!(NN_APPROACHES as readonly string[]).includes(approach)) {
      throw new SyntaxError(
        `Cannot parse LR table ${source}: line ${line} has gradient_approach "${approach}", expected one of ${
          NN_APPROACHES.join(", ")
        }`,
      );
    }
    let k: number | undefined;
    if (approach !== "bp") {
      k = Number(values.k);
      if (values.k.trim() === "" || !Number.isInteger(k) || k < 1) {
        throw new SyntaxError(
          `Cannot parse LR table ${source}: line ${line} has k "${values.k}", expected a positive whole number`,
        );
      }
    }
    const kk = key(values.model, values.dataset, approach, k);
    if (map.has(kk)) {
      throw new SyntaxError(`Cannot parse LR table ${source}: line ${line} repeats a key`);
    }
    map.set(kk, parseLr(values.lr, source, line));
    readable.push(
      `${values.model}/${values.dataset}/${approach}${k === undefined ? "" : ` k=${k}`}`,
    );
  }
  return {
    source,
    get: (model, dataset, approach, k) =>
      map.get(key(model, dataset, approach, approach === "bp" ? undefined : k)),
    keys: () => [...readable],
  };
}

/** Reads and parses an NN LR table file. */
export function loadNnLrTable(path: string): NnLrTable {
  return parseNnLrTable(readTableText(path), path);
}

/** The repository's NN tables: `lrs/fc_nns.csv` and `lrs/sota_nns.csv`. */
export const NN_LR_PATHS: readonly string[] = [lrsPath("fc_nns.csv"), lrsPath("sota_nns.csv")];

let defaultTables: NnLrTable[] | undefined;

/**
 * The learning rate of a network run (the reference's `get_nn_lr`).
 *
 * @param model `fc_w=<W>`, `resnet18` or `vit`
 * @param dataset `mnist` or `cifar10`
 * @param approach `bp`, `fg-mean` (alias `fg`) or `frog`
 * @param k the number of tangents (ignored for bp)
 * @param tables tables to search, in order; default the repository's two NN tables
 * @throws RangeError naming the key looked up and the tables searched
 *
 * @example Frog with 16 tangents on a width-1024 FC network
 * ```ts
 * import { nnLr } from "./nn.ts";
 * nnLr("fc_w=1024", "mnist", "frog", 16); // ≈ 0.12698
 * ```
 */
export function nnLr(
  model: string,
  dataset: string,
  approach: string,
  k?: number,
  tables?: readonly NnLrTable[],
): number {
  const a = approach === "fg" ? "fg-mean" : approach;
  if (!(NN_APPROACHES as readonly string[]).includes(a)) {
    throw new RangeError(
      `Unknown gradient approach "${approach}": expected one of bp, fg, ${
        NN_APPROACHES.slice(1).join(", ")
      }`,
    );
  }
  if (a !== "bp" && (k === undefined || !Number.isInteger(k) || k < 1)) {
    throw new RangeError(`Cannot look up an LR for ${a}: k must be a positive integer, got ${k}`);
  }
  const search = tables ?? (defaultTables ??= NN_LR_PATHS.map(loadNnLrTable));
  for (const t of search) {
    const lr = t.get(model, dataset, a as NnApproach, k);
    if (lr !== undefined) return lr;
  }
  const what = `${model}/${dataset}/${a}${a === "bp" ? "" : ` k=${k}`}`;
  throw new RangeError(
    `No learning rate for ${what} in ${search.map((t) => t.source).join(", ")}`,
  );
}
