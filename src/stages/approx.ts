/**
 * Stage `approx`: the approximation-quality experiment (paper §4.1 and the
 * §4.3 angle variant; reference-spec §2). For every dimension n and every
 * configuration (baseline, frog, mean, sum; with and without normalised
 * tangents) it draws `numSamples` tangent sets against the all-ones true
 * gradient and records six metrics per sample, then a grouped summary.
 *
 * Work is done in units of one (run folder, n) (src/pipeline/units.ts): each
 * unit is committed with its hashed record and adopted, verified, when a
 * killed run is resumed; the final CSVs are assembled from the units. Samples are processed in batches (see
 * src/core/batched.ts), never one tfjs call chain per sample.
 *
 * @module
 */
import { join } from "node:path";
import { listOf, oneOf, parseDecimal, positiveInt, UsageError } from "../cli/args.ts";
import { gib, MAX_STRING_CHARS, memoryBudget, requireFits } from "../cli/memory.ts";
import { getSampler, SPECIFIC_ANGLE_RANGE } from "../core/mod.ts";
import { writeFileAtomic } from "../io/files.ts";
import type { Profile, Stage, StageFlags } from "../pipeline/stage.ts";
import { type StageUnits, unitRun, type UnitSpec } from "../pipeline/units.ts";
export type { SummaryRow } from "./approx/table.ts";
import { approxConfigs } from "./approx/configs.ts";
import { withComputeBackend } from "./functions.ts";
import { batchSize, computeMetrics, groupWork } from "./approx/compute.ts";
import { RAW_HEADER, rawRowsCsv, summarize, summaryCsv, type SummaryRow } from "./approx/table.ts";
import { stringify } from "npm:csv-stringify@6.9.0/sync";

/** Which grids to run. */
export type ApproxMode = "normal" | "angle" | "both";
/** The allowed `--mode` values. */
export const APPROX_MODES: readonly ApproxMode[] = ["normal", "angle", "both"];

/** Parameters of the `approx` stage. */
export interface ApproxParams {
  /** `normal` grid, `angle` grid, or both. */
  mode: ApproxMode;
  /** Dimensions of the normal grid. */
  ns: number[];
  /** Tangent counts of the normal grid. */
  ks: number[];
  /** Samples per (n, configuration) in the normal grid. */
  numSamples: number;
  /** Sampler of the normal grid (reference: `normal`). */
  tangents: string;
  /** Angles (integer degrees) of the angle grid; one output folder each. */
  angles: number[];
  /** Dimensions of the angle grid (reference: [64]). */
  angleNs: number[];
  /** Tangent counts of the angle grid (reference: [4, 16, 64]). */
  angleKs: number[];
  /** Samples per (n, configuration) in the angle grid. */
  angleSamples: number;
  /** Also run the large-n grid (reference comment: n = 2^15, 2^16 with 100 samples). */
  largeN: boolean;
  /** Dimensions of the large-n grid. */
  largeNs: number[];
  /** Samples per configuration in the large-n grid. */
  largeNSamples: number;
}

const pow2 = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => 2 ** (from + i));

const PAPER_ANGLES = [15, 30, 45, 60, 75, 90];

/** Default parameters per profile. */
export function approxParams(profile: Profile): ApproxParams {
  const base: ApproxParams = {
    mode: "both",
    ns: pow2(0, 14),
    ks: pow2(0, 10),
    numSamples: 1000,
    tangents: "normal",
    angles: PAPER_ANGLES,
    angleNs: [64],
    angleKs: [4, 16, 64],
    angleSamples: 1000,
    largeN: false,
    largeNs: [2 ** 15, 2 ** 16],
    largeNSamples: 100,
  };
  switch (profile) {
    case "smoke":
      return {
        ...base,
        ns: [1, 4, 16, 64],
        ks: [1, 4, 16],
        numSamples: 50,
        angles: [45, 90],
        angleKs: [4, 16],
        angleSamples: 20,
      };
    case "quick":
      return { ...base, ns: pow2(0, 12), ks: pow2(0, 8), numSamples: 500, angleSamples: 500 };
    case "paper":
      return base;
  }
}

/** Parsed flag values as the runner passes them. */
export type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

const strings = (v: FlagValues[string]) =>
  (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");

const [ANGLE_MIN, ANGLE_MAX] = SPECIFIC_ANGLE_RANGE;
const ANGLE_RULE = `integer degrees in [${ANGLE_MIN}, ${ANGLE_MAX}]`;

/** An angle in integer degrees within SPECIFIC_ANGLE_RANGE, or NaN. */
function angleIn(raw: string): number {
  const v = parseDecimal(raw, true);
  return v >= ANGLE_MIN && v <= ANGLE_MAX ? v : NaN;
}

function angleOf(raw: string): number {
  const v = angleIn(raw);
  if (Number.isNaN(v)) throw new UsageError(`--angles must be ${ANGLE_RULE}, got "${raw}"`);
  return v;
}

const ANGLE_SAMPLER = /^specific_angle_(.*)$/;

/** The angle of a `specific_angle_<A>` key (checked like --angles), or undefined for other keys. */
function samplerAngle(key: string): number | undefined {
  const m = ANGLE_SAMPLER.exec(key);
  if (!m) return undefined;
  const v = angleIn(m[1]);
  if (Number.isNaN(v)) {
    throw new UsageError(
      `--tangents specific_angle_<A> takes A in ${ANGLE_RULE} (as --angles), got "${key}"`,
    );
  }
  return v;
}

const TANGENT_CHOICES = [
  "normal",
  "rademacher",
  "eye",
  "standard_basis",
  "specific_angle_<A>",
  "varying_length_<S>",
  "angle",
];

/** Applies the `approx` flags to a profile's parameters (UsageError on bad input). */
export function applyApproxFlags(values: FlagValues, base: ApproxParams): ApproxParams {
  const p: ApproxParams = structuredClone(base);
  if (typeof values.mode === "string") p.mode = oneOf("mode", values.mode, APPROX_MODES);
  if (values.tangents !== undefined) {
    const t = strings(values.tangents).at(-1)!;
    if (t === "angle") {
      if (values.mode === undefined) p.mode = "angle";
    } else {
      samplerAngle(t);
      try {
        getSampler(t);
      } catch {
        throw new UsageError(`--tangents must be one of ${TANGENT_CHOICES.join(", ")}, got "${t}"`);
      }
      p.tangents = t;
      if (values.mode === undefined) p.mode = "normal";
    }
  }
  if (values.n !== undefined) p.ns = listOf("n", strings(values.n), (x) => positiveInt("n", x));
  if (values.k !== undefined) p.ks = listOf("k", strings(values.k), (x) => positiveInt("k", x));
  if (values["num-samples"] !== undefined) {
    const s = positiveInt("num-samples", strings(values["num-samples"]).at(-1)!);
    p.numSamples = s;
    p.angleSamples = s;
    p.largeNSamples = s;
  }
  if (values.angles !== undefined) p.angles = listOf("angles", strings(values.angles), angleOf);
  if (values["large-n"] === true) p.largeN = true;
  for (const [flag, list] of [["n", p.ns], ["k", p.ks], ["angles", p.angles]] as const) {
    if (list.length === 0) throw new UsageError(`--${flag} must list at least one value`);
  }
  const angle = samplerAngle(p.tangents);
  const angled = angle !== undefined && angle !== 0 && Math.max(...p.ks) > 1;
  if (p.mode !== "angle" && angled && Math.min(...p.ns) < 2) {
    throw new UsageError(
      `--tangents ${p.tangents} needs every --n ≥ 2 (tangents at an angle to a first one need ` +
        `a second dimension), got --n ${p.ns.join(",")}`,
    );
  }
  if (p.tangents.includes("varying_length_") && Math.max(...p.ks) > Math.min(...p.ns)) {
    throw new UsageError(
      `--tangents ${p.tangents} needs every k ≤ n, got k up to ${Math.max(...p.ks)} with n from ${
        Math.min(...p.ns)
      }`,
    );
  }
  checkApproxMemory(values, p);
  return p;
}

/** Characters of one raw_data.csv row at most (measured rows are about 100). */
const RAW_ROW_CHARS = 160;

/**
 * Peak bytes of one approx unit, the stage's memory model: a batch of tangent
 * sets (`batchSize` samples of k × max(n, k) float32, with two working
 * copies), the k×k Gram matrix and its factors in float64, and the unit's
 * raw CSV text (UTF-16 at worst).
 */
export function approxUnitBytes(n: number, ks: readonly number[], S: number): number {
  const k = Math.max(...ks);
  const tangents = 3 * 4 * batchSize(S, k, n) * k * Math.max(n, k);
  const gram = 3 * 8 * k * k;
  return tangents + gram + 2 * RAW_ROW_CHARS * S * approxConfigs(ks).length;
}

/** Whether every unit of `p` fits in `budget` bytes and its CSV text in one string. */
export function approxFits(p: ApproxParams, budget: number): boolean {
  return planRuns(p).every((r) =>
    r.units.every((u) =>
      approxUnitBytes(u.n, u.ks, u.S) <= budget &&
      RAW_ROW_CHARS * u.S * approxConfigs(u.ks).length <= MAX_STRING_CHARS
    )
  );
}

/** Rejects --k, --n or --num-samples values whose units cannot fit in this machine's memory. */
function checkApproxMemory(values: FlagValues, p: ApproxParams, budget = memoryBudget()): void {
  const what = `this machine's memory (${gib(budget)} usable) with one unit's CSV text in a string`;
  const withMax = (list: number[], v: number) => {
    const m = Math.max(...list);
    return list.map((x) => x === m ? v : x);
  };
  if (values.k !== undefined) {
    requireFits(
      "k",
      Math.max(...p.ks),
      (v) => approxFits({ ...p, ks: withMax(p.ks, v) }, budget),
      what,
    );
  }
  if (values.n !== undefined) {
    requireFits(
      "n",
      Math.max(...p.ns),
      (v) => approxFits({ ...p, ns: withMax(p.ns, v) }, budget),
      what,
    );
  }
  if (values["num-samples"] !== undefined) {
    requireFits(
      "num-samples",
      p.numSamples,
      (v) => approxFits({ ...p, numSamples: v, angleSamples: v, largeNSamples: v }, budget),
      what,
    );
  }
}

const flags: StageFlags<ApproxParams> = {
  options: {
    mode: { type: "string" },
    n: { type: "string", multiple: true },
    k: { type: "string", multiple: true },
    "num-samples": { type: "string" },
    tangents: { type: "string" },
    angles: { type: "string", multiple: true },
    "large-n": { type: "boolean" },
  },
  help: {
    mode: "normal | angle | both: which grid to run (default both)",
    n: "dimensions of the normal grid, e.g. 16,256,1024 (default 2^0…2^14)",
    k: "tangent counts of the normal grid, e.g. 1,4,16 (default 2^0…2^10)",
    "num-samples": "samples per (n, configuration) (default 1000)",
    tangents: `sampler of the normal grid: ${TANGENT_CHOICES.join(", ")} ("angle" = --mode angle)`,
    angles: "angles in integer degrees [0, 180] for the angle grid (default 15,30,45,60,75,90)",
    "large-n": "also run n = 2^15, 2^16 with 100 samples (the paper's large-n grid)",
  },
  apply: applyApproxFlags,
};

/** One output folder: a sampler and its units (one per n). */
export interface RunPlan {
  /** Output folder name inside the stage's folder. */
  folder: string;
  /** Sampler key. */
  sampler: string;
  /** One unit per n: its tangent counts and sample count. */
  units: { n: number; ks: number[]; S: number }[];
}

/** The output folders and units of a parameter set, in order. */
export function planRuns(p: ApproxParams): RunPlan[] {
  const runs: RunPlan[] = [];
  if (p.mode !== "angle") {
    const units = p.ns.map((n) => ({ n, ks: p.ks, S: p.numSamples }));
    if (p.largeN) {
      for (const n of p.largeNs) {
        if (!p.ns.includes(n)) units.push({ n, ks: p.ks, S: p.largeNSamples });
      }
    }
    runs.push({ folder: "approx_quality", sampler: p.tangents, units });
  }
  if (p.mode !== "normal") {
    for (const a of p.angles) {
      runs.push({
        folder: `approx_quality__angle__${a}`,
        sampler: `specific_angle_${a}`,
        units: p.angleNs.map((n) => ({ n, ks: p.angleKs, S: p.angleSamples })),
      });
    }
  }
  return runs;
}

function unitWork(u: { n: number; ks: number[]; S: number }): number {
  const ks = new Set([1, ...u.ks]);
  let w = 0;
  for (const k of ks) w += groupWork(u.S, k, u.n, u.ks.includes(k));
  return w;
}

/** NaN values among a configuration's per-sample metric columns. */
export function countNaN(m: readonly Float32Array[]): number {
  let count = 0;
  for (const col of m) for (const x of col) if (x !== x) count++;
  return count;
}

/** Computes one unit (all configurations at one n): raw CSV rows and summary rows. */
export async function computeUnit(
  sampler: string,
  n: number,
  ks: number[],
  S: number,
  onWork: (w: number) => void = () => {},
  log: (m: string) => void = () => {},
): Promise<{ raw: string; summary: SummaryRow[]; nanValues: number }> {
  const configs = approxConfigs(ks);
  const ill = new Map<number, { count: number; worst: number; deficient: number }>();
  const results = await computeMetrics(sampler, n, configs, S, {
    onWork,
    onIllConditioned: (info, k) => {
      const e = ill.get(k) ?? { count: 0, worst: 0, deficient: 0 };
      e.count++;
      e.worst = Math.max(e.worst, info.condition);
      if (info.rank < k && info.rank < n) e.deficient++;
      ill.set(k, e);
    },
  });
  for (const [k, e] of ill) {
    log(
      `n=${n} k=${k}: ${e.count} of ${S} Gram systems ill-conditioned (condition up to ${
        e.worst.toExponential(1)
      }), solved by least squares${
        e.deficient > 0
          ? `; ${e.deficient} rank-deficient (linearly dependent tangents: projected onto their span)`
          : ""
      }`,
    );
  }
  const raw = configs.map((c) => rawRowsCsv(n, c, sampler, results.get(c)!)).join("");
  const summary = configs.map((c) => summarize(n, c, sampler, results.get(c)!));
  const nan = configs.map((c) => [c.label, countNaN(results.get(c)!)] as const)
    .filter(([, count]) => count > 0);
  const nanValues = nan.reduce((a, [, count]) => a + count, 0);
  if (nanValues > 0) {
    log(
      `n=${n}: ${nanValues} metric values are NaN (written as NaN) in ${
        nan.map(([label, count]) => `${label} (${count})`).join(", ")
      }`,
    );
  }
  return { raw, summary, nanValues };
}

const NON_FINITE = ["NaN", "Infinity", "-Infinity"];
/** JSON replacer that keeps NaN and ±Infinity (as tagged strings) instead of null. */
const keepNonFinite = (_k: string, v: unknown) =>
  typeof v === "number" && !Number.isFinite(v) ? { nonFinite: String(v) } : v;
/** The reviver undoing {@link keepNonFinite}. */
const restoreNonFinite = (_k: string, v: unknown) => {
  const t = (v as { nonFinite?: unknown } | null)?.nonFinite;
  return typeof t === "string" && NON_FINITE.includes(t) && Object.keys(v as object).length === 1
    ? Number(t)
    : v;
};

/** One unit of the approx stage: one n of one output folder. */
export interface ApproxUnit extends UnitSpec {
  /** Output folder. */
  folder: string;
  /** Sampler key. */
  sampler: string;
  /** Dimension. */
  n: number;
  /** Tangent counts. */
  ks: number[];
  /** Samples per configuration. */
  S: number;
}

/** The approx stage's units: one per (output folder, n), weighted by their work. */
/**
 * Backends on which approx computes instead of the pipeline's backend. Its
 * batched products (src/core/batched.ts) take and return host arrays
 * synchronously, which webgpu cannot do under Deno (tfjs's synchronous read
 * goes through a canvas): there it computes on wasm. tensorflow, wasm and
 * cpu are honoured as chosen.
 */
export const APPROX_BACKEND_OVERRIDES: Readonly<Record<string, string>> = { webgpu: "wasm" };

export const approxUnits: StageUnits<ApproxParams, ApproxUnit> = {
  label: "approx",
  list: (p) =>
    planRuns(p).flatMap((r) =>
      r.units.map((u) => ({
        id: `${r.folder}/n=${u.n}`,
        folder: r.folder,
        sampler: r.sampler,
        n: u.n,
        ks: u.ks,
        S: u.S,
        weight: unitWork(u),
        fingerprint: { v: 1, sampler: r.sampler, n: u.n, ks: u.ks, S: u.S },
      }))
    ),
  setup(ctx) {
    const override = APPROX_BACKEND_OVERRIDES[ctx.backend.name];
    if (override) {
      ctx.log(`computing on ${override} instead of ${ctx.backend.name} (needs synchronous reads)`);
    }
    return undefined;
  },
  async compute(u, ctx) {
    const { result: { raw, summary, nanValues } } = await withComputeBackend(
      ctx.backend.name,
      () => computeUnit(u.sampler, u.n, u.ks, u.S, ctx.tick, ctx.log),
      APPROX_BACKEND_OVERRIDES,
    );
    await writeFileAtomic(join(ctx.dir, "raw.csv"), raw);
    await writeFileAtomic(join(ctx.dir, "summary.json"), JSON.stringify(summary, keepNonFinite));
    return { nanValues };
  },
  async finalize(ctx) {
    const folders: string[] = [];
    let rows = 0;
    for (const folder of new Set(ctx.units.map((c) => c.unit.folder))) {
      folders.push(folder);
      const mine = ctx.units.filter((c) => c.unit.folder === folder);
      const summaries: SummaryRow[] = [];
      const fragments: string[] = [];
      for (const c of mine) {
        fragments.push(await Deno.readTextFile(join(c.dir, "raw.csv")));
        const summary = JSON.parse(
          await Deno.readTextFile(join(c.dir, "summary.json")),
          restoreNonFinite,
        ) as SummaryRow[];
        summaries.push(...summary);
        rows += summary.length * c.unit.S;
      }
      const dir = join(ctx.outDir, folder);
      await writeFileAtomic(
        join(dir, "raw_data.csv"),
        stringify([RAW_HEADER]) + fragments.join(""),
      );
      await writeFileAtomic(join(dir, "summary.csv"), summaryCsv(summaries));
    }
    const resumed = ctx.units.filter((c) => c.reused).length;
    const nanValues = ctx.units.reduce((s, c) => s + Number(c.facts.nanValues ?? 0), 0);
    if (nanValues > 0) {
      ctx.log(`warning: ${nanValues} metric values are NaN (written as NaN in raw_data.csv)`);
    }
    return { folders, rawRows: rows, resumedUnits: resumed, nanValues };
  },
};

/**
 * The `approx` stage.
 *
 * @example Run the smoke grid into a temporary folder
 * ```ts ignore
 * import { approxStage } from "./approx.ts";
 * const outDir = await Deno.makeTempDir();
 * await approxStage.run({
 *   params: approxStage.params("smoke"), outDir, inputs: {}, rootDir: ".",
 *   backend: { requested: "cpu", name: "cpu", versions: {} },
 *   log: console.error, progress: () => ({ tick() {}, stop() {} }),
 * });
 * ```
 */
export const approxStage: Stage<ApproxParams> = {
  name: "approx",
  description:
    "Approximation quality of forward gradients vs the true gradient (paper §4.1, §4.3 angles)",
  deps: [],
  sources: ["src/stages/approx.ts", "src/stages/approx/", "src/core/"],
  params: approxParams,
  flags,
  units: approxUnits,
  run: unitRun(approxUnits),
};
