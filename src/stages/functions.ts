/**
 * Stage `functions`: gradient descent on closed-form functions with
 * backpropagation and (multi-tangent) forward gradients (paper §4.2, §4.3;
 * spec §3). Writes `math_experiments/<function>__all.csv` and
 * `__summary.csv` for the main grid and `custom_tangents/styblinski-tang__*.csv`
 * for the custom-tangents variant, `reference_bp/<function>__*.csv` for bp
 * under the authors' LR-search settings (compared with spec §7.3 by the
 * verify stage), and logs the pivot table of `last` averaged over seeds.
 *
 * @module
 */
import { lrTableCheck } from "./_lr_tables.ts";
import {
  LR_SOURCES,
  LRS_FLAG_HELP,
  type LrSource,
  lrsUpstream,
  PLACEHOLDER_MATH_TABLE,
  searchedMathTables,
} from "./_searched_lrs.ts";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { join } from "node:path";
import { listOf, nonNegativeInt, oneOf, positiveInt, UsageError } from "../cli/args.ts";
import {
  customTangentApproaches,
  LR_SEARCH_PATIENCE,
  paperApproaches,
  planExperiment,
} from "./functions/grid.ts";
import { BP } from "../functions/approaches.ts";
import type { PlannedUnit } from "./functions/grid.ts";
import { pivotLast, type SummaryRow } from "../functions/experiment.ts";
import { getFunction, PAPER_FUNCTIONS } from "../functions/registry.ts";
import {
  assembleFunction,
  functionPaths,
  parseSummaryCsv,
  runUnit,
} from "./functions/run_experiment.ts";
import {
  loadMathLrTable,
  MATH_CUSTOM_TANGENTS_LR_PATH,
  MATH_LR_PATH,
  type MathLrTable,
} from "../lrs/math.ts";
import type { Profile, Stage, StageContext } from "../pipeline/stage.ts";
import { type StageUnits, unitRun, type UnitSpec } from "../pipeline/units.ts";

/** Whether the custom-tangents variant runs: with the main grid, not at all, or alone. */
export const CUSTOM_TANGENTS_MODES = ["on", "off", "only"] as const;

/** Settings of the custom-tangents variant (spec §3.7). */
export interface CustomTangentsParams {
  /** Dimensions (64 in the paper). */
  ns: number[];
  /** Tangent counts. */
  ks: number[];
  /** Angles in degrees of the `specific_angle_A` sampler. */
  angles: number[];
  /** Seeds. */
  seeds: number[];
  /** Overrides styblinski-tang's 1000 steps when set. */
  maxSteps: number | null;
}

/** Parameters of the `functions` stage. */
export interface FunctionsParams {
  /** Functions of the main grid (registry names). */
  functions: string[];
  /** Dimensions of the main grid. */
  ns: number[];
  /** Tangent counts of fg-mean and frog (FG k=1 and bp always run). */
  ks: number[];
  /** Seeds of every run. */
  seeds: number[];
  /** Overrides every function's default max steps when set. */
  maxSteps: number | null;
  /** Early-stopping patience (50 in the paper runs). */
  patience: number;
  /** Run the custom-tangents variant too (`on`), not (`off`) or alone (`only`). */
  customTangents: typeof CUSTOM_TANGENTS_MODES[number];
  /** The custom-tangents grid. */
  custom: CustomTangentsParams;
  /**
   * Also run bp under the authors' LR-search settings (seed 0, patience 100,
   * each function's full step budget) for every function and n of the main
   * grid, into `reference_bp/`: the verify stage compares these with the
   * authors' final values (spec §7.3) to 3 significant figures.
   */
  referenceBp: boolean;
  /**
   * The LR tables of the main grid and the custom-tangents variant: the
   * authors' (`lrs/*.csv`) or the upstream `lr-search` stage's. The
   * `reference_bp/` runs always use the authors' (they are compared with
   * the authors' values at the authors' LRs).
   */
  lrs?: LrSource;
}

/** Folder of the bp runs under the authors' LR-search settings. */
export const REFERENCE_BP_DIR = "reference_bp";

const range = (m: number) => Array.from({ length: m }, (_, i) => i);

/** Default parameters per profile. */
export function functionsParams(profile: Profile): FunctionsParams {
  switch (profile) {
    case "smoke":
      return {
        functions: [...PAPER_FUNCTIONS],
        ns: [1, 2, 4, 8, 16],
        ks: [2, 4, 16],
        seeds: [0, 1],
        maxSteps: 100,
        patience: 50,
        customTangents: "on",
        custom: { ns: [64], ks: [16], angles: [45, 90], seeds: [0], maxSteps: 100 },
        referenceBp: true,
        lrs: "authors",
      };
    case "quick":
      return {
        functions: [...PAPER_FUNCTIONS],
        ns: [1, 2, 4, 8, 16, 32, 64, 128, 256],
        ks: [2, 4, 16],
        seeds: [0, 1],
        // sphere and styblinski-tang keep their 1000; rosenbrock is capped from 25000
        maxSteps: 1000,
        patience: 50,
        customTangents: "on",
        custom: {
          ns: [64],
          ks: [16, 64],
          angles: [15, 30, 45, 60, 75, 90],
          seeds: [0, 1],
          maxSteps: null,
        },
        referenceBp: true,
        lrs: "authors",
      };
    case "paper":
      return {
        functions: [...PAPER_FUNCTIONS],
        ns: range(11).map((i) => 2 ** i),
        ks: [2, 4, 16],
        seeds: range(5),
        maxSteps: null,
        patience: 50,
        customTangents: "on",
        custom: {
          ns: [64],
          ks: [16, 64],
          angles: [15, 30, 45, 60, 75, 90],
          seeds: range(5),
          maxSteps: null,
        },
        referenceBp: true,
        lrs: "authors",
      };
  }
}

/** The planned units of the main grid and of the custom-tangents variant. */
export interface FunctionsPlan {
  /** Units of the main grid. */
  main: PlannedUnit[];
  /** Units of the custom-tangents variant. */
  custom: PlannedUnit[];
  /** Units of the bp runs under the LR-search settings ({@link REFERENCE_BP_DIR}). */
  referenceBp: PlannedUnit[];
}

/**
 * Plans every run (and looks every LR up) before anything is written.
 *
 * @throws RangeError for an unknown function or a missing LR row, naming what was looked up
 */
export function planFunctions(
  p: FunctionsParams,
  tables: { main: MathLrTable; custom: MathLrTable; reference?: MathLrTable },
): FunctionsPlan {
  const main = p.customTangents === "only" ? [] : planExperiment({
    functions: p.functions,
    ns: p.ns,
    approaches: paperApproaches(p.ks),
    seeds: p.seeds,
    maxSteps: p.maxSteps ?? undefined,
    patience: p.patience,
  }, tables.main);
  const wantCustom = p.customTangents === "only" ||
    (p.customTangents === "on" &&
      p.functions.some((f) => getFunction(f).name === "styblinski-tang"));
  const custom = !wantCustom ? [] : planExperiment({
    functions: ["styblinski-tang"],
    ns: p.custom.ns,
    approaches: customTangentApproaches(p.custom.ks, p.custom.angles),
    seeds: p.custom.seeds,
    maxSteps: p.custom.maxSteps ?? undefined,
    patience: p.patience,
  }, tables.custom);
  const referenceBp = p.customTangents === "only" || !p.referenceBp ? [] : planExperiment({
    functions: p.functions,
    ns: p.ns,
    approaches: [BP],
    seeds: [0],
    patience: LR_SEARCH_PATIENCE,
  }, tables.reference ?? tables.main);
  return { main, custom, referenceBp };
}

/** Loads the repository's two math LR tables. */
export function defaultMathTables(): { main: MathLrTable; custom: MathLrTable } {
  return {
    main: loadMathLrTable(MATH_LR_PATH),
    custom: loadMathLrTable(MATH_CUSTOM_TANGENTS_LR_PATH),
  };
}

/** Parsed flag values as the runner hands them over. */
export type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

const str = (v: FlagValues[string]) => v as string | string[];

/** Applies the stage's flags to a profile's parameters (throws UsageError on bad input). */
export function applyFunctionsFlags(values: FlagValues, base: FunctionsParams): FunctionsParams {
  const p: FunctionsParams = structuredClone(base);
  if (values.function !== undefined) {
    p.functions = listOf("function", str(values.function), (name) => {
      try {
        return getFunction(name).name;
      } catch (e) {
        throw new UsageError(`--function: ${(e as Error).message}`);
      }
    });
  }
  if (values.n !== undefined) p.ns = listOf("n", str(values.n), (s) => positiveInt("n", s));
  if (values.k !== undefined) p.ks = listOf("k", str(values.k), (s) => positiveInt("k", s));
  if (values.seeds !== undefined && values["num-seeds"] !== undefined) {
    throw new UsageError("--seeds and --num-seeds cannot be combined: give one of them");
  }
  if (values.seeds !== undefined) {
    p.seeds = listOf("seeds", str(values.seeds), (s) => nonNegativeInt("seeds", s));
    p.custom.seeds = [...p.seeds];
  }
  if (values["num-seeds"] !== undefined) {
    p.seeds = range(positiveInt("num-seeds", values["num-seeds"] as string));
    p.custom.seeds = [...p.seeds];
  }
  if (values["max-steps"] !== undefined) {
    p.maxSteps = positiveInt("max-steps", values["max-steps"] as string);
    p.custom.maxSteps = p.maxSteps;
  }
  if (values.patience !== undefined) {
    p.patience = nonNegativeInt("patience", values.patience as string);
  }
  if (values["custom-tangents"] !== undefined) {
    p.customTangents = oneOf(
      "custom-tangents",
      values["custom-tangents"] as string,
      CUSTOM_TANGENTS_MODES,
    );
  }
  for (
    const [flag, list] of [["function", p.functions], ["n", p.ns], ["seeds", p.seeds]] as const
  ) {
    if (list.length === 0) throw new UsageError(`--${flag} must name at least one value`);
  }
  if (values.lrs !== undefined) p.lrs = oneOf("lrs", values.lrs as string, LR_SOURCES);
  try {
    planFunctions(p, p.lrs === "searched" ? placeholderTables() : defaultMathTables());
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return p;
}

/**
 * Backends on which this stage computes instead of the pipeline's backend:
 * the native `tensorflow` and `webgpu` backends pay far more per op than
 * wasm, and these runs are per-op-overhead bound (tiny tensors, tens of ops
 * per step). Measured on the shared 2-core machine: Rosenbrock steps/s on
 * tensorflow 0.8–2.2k vs wasm 3–7.5k at n = 16…1024. cpu and wasm are
 * honoured as chosen.
 */
export const COMPUTE_BACKEND_OVERRIDES: Readonly<Record<string, string>> = {
  tensorflow: "wasm",
  webgpu: "wasm",
};

/**
 * Runs `body` on the backend this stage computes on (see
 * {@link COMPUTE_BACKEND_OVERRIDES}), then restores the previous backend.
 *
 * @param pipelineBackend the pipeline's backend name (`ctx.backend.name`)
 * @param body the work
 * @param overrides pipeline backend → compute backend (default {@link COMPUTE_BACKEND_OVERRIDES})
 * @returns the body's result and the backend it ran on
 */
export async function withComputeBackend<T>(
  pipelineBackend: string,
  body: () => Promise<T>,
  overrides: Readonly<Record<string, string>> = COMPUTE_BACKEND_OVERRIDES,
): Promise<{ result: T; backend: string }> {
  const want = overrides[pipelineBackend];
  const previous = tf.getBackend();
  if (want === undefined || want === previous) {
    return { result: await body(), backend: previous };
  }
  if (want === "wasm") await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
  if (!(await tf.setBackend(want))) {
    throw new Error(`Cannot start backend "${want}" to compute on`);
  }
  await tf.ready();
  try {
    return { result: await body(), backend: want };
  } finally {
    await tf.setBackend(previous);
    await tf.ready();
  }
}

/** One unit of the functions stage: every approach × seed of one function and n. */
export interface FunctionsUnit extends UnitSpec {
  /** Output folder: `math_experiments`, `custom_tangents` or {@link REFERENCE_BP_DIR}. */
  experiment: string;
  /** The planned runs. */
  planned: PlannedUnit;
}

/** The tables of `--lrs searched` before the search's folder is known (units are listed with a placeholder LR). */
function placeholderTables() {
  return {
    main: PLACEHOLDER_MATH_TABLE,
    custom: PLACEHOLDER_MATH_TABLE,
    reference: defaultMathTables().main,
  };
}

/** The tables a stage run uses: the authors', or the upstream search's (reference bp: the authors'). */
export function functionsTables(
  p: FunctionsParams,
  inputs: StageContext<FunctionsParams>["inputs"],
): { main: MathLrTable; custom: MathLrTable; reference: MathLrTable } {
  const authors = defaultMathTables();
  if (p.lrs !== "searched") return { ...authors, reference: authors.main };
  return { ...searchedMathTables(inputs), reference: authors.main };
}

/** The units of the functions stage, one per (experiment, function, n), in output order. */
export function listFunctionsUnits(p: FunctionsParams): FunctionsUnit[] {
  return functionsUnitsWith(p, p.lrs === "searched" ? placeholderTables() : defaultMathTables());
}

function functionsUnitsWith(
  p: FunctionsParams,
  tables: Parameters<typeof planFunctions>[1],
): FunctionsUnit[] {
  const plan = planFunctions(p, tables);
  const units: FunctionsUnit[] = [];
  for (
    const [experiment, planned] of [
      ["math_experiments", plan.main],
      ["custom_tangents", plan.custom],
      [REFERENCE_BP_DIR, plan.referenceBp],
    ] as const
  ) {
    for (const u of planned) {
      units.push({
        id: `${experiment}/${u.functionName}__n=${String(u.n).padStart(4, "0")}`,
        experiment,
        planned: u,
        weight: u.runs.length,
        fingerprint: { v: 1, unit: u },
      });
    }
  }
  return units;
}

const UNIT_FILES = { all: "all.csv", summary: "summary.csv" };

/** List, compute and finalize of the functions stage (src/pipeline/units.ts). */
export const functionsUnits: StageUnits<FunctionsParams, FunctionsUnit> = {
  label: "function runs",
  list: listFunctionsUnits,
  setup(ctx) {
    const override = COMPUTE_BACKEND_OVERRIDES[ctx.backend.name];
    if (override) {
      ctx.log(`computing on ${override} instead of ${ctx.backend.name} (faster for tiny tensors)`);
    }
    return undefined;
  },
  async compute(u, ctx) {
    const t0 = performance.now();
    let steps = 0;
    const files = {
      all: join(ctx.dir, UNIT_FILES.all),
      summary: join(ctx.dir, UNIT_FILES.summary),
    };
    // with searched LRs, the unit was listed with a placeholder LR: plan it again with the tables
    const planned = ctx.params.lrs !== "searched"
      ? u.planned
      : functionsUnitsWith(ctx.params, functionsTables(ctx.params, ctx.inputs))
        .find((x) => x.id === u.id)!.planned;
    const { backend } = await withComputeBackend(ctx.backend.name, () =>
      runUnit(files, planned, {
        onRun: (_row, s) => {
          steps += s;
          ctx.tick();
        },
      }));
    return { steps, backend, seconds: (performance.now() - t0) / 1000 };
  },
  async finalize(ctx) {
    const facts: Record<string, unknown> = { backend: ctx.backend.name };
    for (const experiment of ["math_experiments", "custom_tangents", REFERENCE_BP_DIR]) {
      const mine = ctx.units.filter((c) => c.unit.experiment === experiment);
      if (mine.length === 0) continue;
      const rows: SummaryRow[] = [];
      for (const fn of new Set(mine.map((c) => c.unit.planned.functionName))) {
        const parts = mine.filter((c) => c.unit.planned.functionName === fn).map((c) => ({
          all: join(c.dir, UNIT_FILES.all),
          summary: join(c.dir, UNIT_FILES.summary),
        }));
        await assembleFunction(functionPaths(join(ctx.outDir, experiment), fn), parts);
        for (const p of parts) rows.push(...parseSummaryCsv(await Deno.readTextFile(p.summary)));
      }
      ctx.log(`${experiment}: last, averaged over seeds\n${pivotLast(rows)}`);
      facts[`${experiment}_runs`] = rows.length;
    }
    facts.compute_backend = ctx.units[0]?.facts.backend ?? ctx.backend.name;
    facts.steps = ctx.units.reduce((s, c) => s + Number(c.facts.steps ?? 0), 0);
    facts.seconds = ctx.units.reduce((s, c) => s + Number(c.facts.seconds ?? 0), 0);
    return facts;
  },
};

/**
 * The `functions` stage.
 *
 * @example Run the smoke grid from the command line
 * ```sh
 * deno task functions --profile smoke
 * deno task functions --function sphere --n 16,256 --k 4 --num-seeds 2
 * ```
 */
export const functionsStage: Stage<FunctionsParams> = {
  name: "functions",
  description:
    "Gradient descent on sphere, rosenbrock and styblinski-tang with bp and forward gradients (paper §4.2, §4.3)",
  deps: [],
  upstream: lrsUpstream,
  sources: [
    "src/stages/functions.ts",
    "src/stages/_lr_tables.ts",
    "src/stages/_searched_lrs.ts",
    "src/stages/functions/",
    "src/functions",
    "src/lrs",
    "src/core",
    "src/jvp",
    "src/io/files.ts",
    "lrs/math.csv",
    "lrs/math__custom_tangents.csv",
  ],
  params: functionsParams,
  flags: {
    options: {
      function: { type: "string", multiple: true },
      n: { type: "string", multiple: true },
      k: { type: "string", multiple: true },
      seeds: { type: "string", multiple: true },
      "num-seeds": { type: "string" },
      "max-steps": { type: "string" },
      patience: { type: "string" },
      "custom-tangents": { type: "string" },
      lrs: { type: "string" },
    },
    help: {
      function: "functions of the main grid, e.g. sphere,rosenbrock (default: the paper's three)",
      n: "dimensions, e.g. 1,2,4 (default: 1…1024, powers of 2)",
      k: "tangent counts of fg-mean and frog (default: 2,4,16)",
      seeds: "explicit seeds, e.g. 0,3",
      "num-seeds": "seeds 0…N−1 (default 5)",
      "max-steps": "maximum steps of every run (default: per function, 1000 or 25000)",
      patience: "early-stopping patience, 0 = off (default 50)",
      "custom-tangents": "run the custom-tangents variant: on, off or only (default on)",
      lrs: LRS_FLAG_HELP,
    },
    apply: applyFunctionsFlags,
  },
  units: functionsUnits,
  preflight({ params, inputs }) {
    // the LR tables (the authors' or the searched ones) are read here, so a malformed or
    // incomplete one stops the run before any folder is written
    lrTableCheck(() => planFunctions(params, functionsTables(params, inputs)));
  },
  run: unitRun(functionsUnits),
};
