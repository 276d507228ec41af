/**
 * Command-line front ends of the runner: `tasks/stage.ts <name> [flags]` and
 * `tasks/reproduce.ts [flags]`. Every flag is validated before a backend
 * starts or a folder is created.
 *
 * @module
 */
import type { ParseArgsConfig } from "node:util";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listOf, oneOf, parseFlags, positiveInt, UsageError } from "../cli/args.ts";
import {
  BACKEND_CHOICES,
  type BackendChoice,
  BackendUnavailableError,
  initBackend,
} from "../backend.ts";
import { isFile } from "../io/files.ts";
import { findStage, stageDeps, stageIndex } from "./graph.ts";
import { collectGarbage } from "./gc.ts";
import { defaultResultsDir, displayPath } from "./paths.ts";
import { formatDuration } from "./progress.ts";
import {
  DEFAULT_PROFILE,
  defaultTargets,
  type FlagValues,
  type PipelineEntry,
  planRun,
  runPipeline,
  runStage,
  runUnitsOnly,
  type WorkerJob,
} from "./run.ts";
import { slurmExecutor } from "./executors/slurm.ts";
import { SPEC_FORMAT, writeSpec } from "./executors/spec.ts";
import { submitPipeline, waitFor } from "./executors/submit.ts";
import { checkResult } from "./manifest.ts";
import { REPO_ROOT, resultDir } from "./paths.ts";
import { listUnits, waveOf, weightOf } from "./units.ts";
import { type Profile, PROFILES, type Stage } from "./stage.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every stage accepts, added by the runner. */
export const COMMON_OPTIONS = {
  profile: { type: "string" },
  backend: { type: "string" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

/** Flags of a single stage for working unit by unit (stages that have units). */
export const UNIT_OPTIONS = {
  "list-units": { type: "boolean" },
  unit: { type: "string", multiple: true },
  shard: { type: "string" },
  workers: { type: "string" },
} as const satisfies Options;

const UNIT_HELP: Record<string, string> = {
  "list-units": "print the stage's units (id, wave, weight) and exit",
  unit:
    "compute only these units (ids from --list-units, comma-separated) into <key>.units/ and exit",
  shard: "compute only shard I of N (units with index mod N = I, 0-based), e.g. 0/4, and exit",
  workers: "processes computing independent units at once (default 1; unit locks share them out)",
};

/** Parses `--shard I/N`. */
function parseShard(raw: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = Number(m?.[1]), count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) {
    throw new UsageError(`--shard must be I/N with 0 ≤ I < N, e.g. 0/4, got "${raw}"`);
  }
  return { index, count };
}

/** Flags of reproduce beyond the common ones. */
const REPRODUCE_OPTIONS = {
  only: { type: "string" },
  lrs: { type: "string" },
  model: { type: "string" },
  gc: { type: "boolean" },
  executor: { type: "string" },
  workers: { type: "string" },
  partition: { type: "string" },
  "max-parallel": { type: "string" },
  "sbatch-arg": { type: "string", multiple: true },
  wait: { type: "boolean" },
  cpus: { type: "string" },
  mem: { type: "string" },
  gres: { type: "string" },
  time: { type: "string" },
} as const satisfies Options;

/** A value passed to sbatch: no spaces or shell characters. */
function slurmValue(flag: string, raw: string): string {
  if (!/^[A-Za-z0-9_.:,=+-]+$/.test(raw)) {
    throw new UsageError(
      `--${flag} must be a SLURM value (letters, digits, _.:,=+-), got "${raw}"`,
    );
  }
  return raw;
}

/** Executors of `reproduce --executor`. */
export const EXECUTORS = ["local", "slurm"] as const;

const REPRODUCE_HELP: Record<string, string> = {
  executor: `where stages run: ${EXECUTORS.join(" | ")} (default local)`,
  workers:
    "local: processes computing one stage's independent units at once (default 1; unit locks share them out)",
  partition: "slurm: partition for every job (sbatch --partition)",
  "max-parallel": "slurm: at most M array tasks of a stage at once (default 8)",
  "sbatch-arg":
    "slurm: one more sbatch argument, verbatim (repeatable), e.g. --sbatch-arg=--qos=low",
  wait: "slurm: follow the jobs to the end and exit with their verdict (0 only when all succeed)",
  cpus: "slurm: CPUs per task for every stage (overrides the stage's hint)",
  mem: "slurm: memory per task, e.g. 4G (overrides the stage's hint)",
  gres: "slurm: generic resources per task, e.g. gpu:1",
  time: "slurm: time limit per task, e.g. 02:00:00",
};

/** The `spawnWorker` of the local executor: `tasks/unit.ts <spec> --all` in a subprocess. */
export async function spawnUnitWorker(job: WorkerJob): Promise<{ ok: boolean; message?: string }> {
  const jobDir = join(job.resultsDir, "jobs", `${job.stage}-${job.key.slice(0, 16)}`);
  await Deno.mkdir(jobDir, { recursive: true });
  const spec = join(jobDir, `worker-${Deno.pid}.json`);
  await writeSpec(spec, {
    format: SPEC_FORMAT,
    stage: job.stage,
    key: job.key,
    params: job.params,
    profile: job.profile,
    backend: job.backend,
    resultsDir: job.resultsDir,
    rootDir: job.rootDir,
    units: [],
    resumed: false,
    submittedAt: Date.now(),
  });
  const task = fileURLToPath(new URL("../../tasks/unit.ts", import.meta.url));
  const st = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", task, spec, "--all"],
    stdout: "null",
    stderr: "inherit",
  }).output();
  return st.code === 0 ? { ok: true } : { ok: false, message: `worker exited with ${st.code}` };
}

/** Backend used when `--backend` is not given. */
export const DEFAULT_BACKEND: BackendChoice = "auto";

const COMMON_HELP: Record<string, string> = {
  profile: `grid sizes: ${PROFILES.join(" | ")} (default ${DEFAULT_PROFILE})`,
  backend: `tfjs backend: ${BACKEND_CHOICES.join(" | ")} (default ${DEFAULT_BACKEND})`,
  force: "recompute even when a valid cached result exists",
  help: "print this help and exit",
};

/** Where the CLI writes and which folders it uses (tests redirect these). */
export interface CliIo {
  /** Standard output lines (default console.log). */
  out?: (line: string) => void;
  /** Log lines (default console.error). */
  err?: (line: string) => void;
  /** Results root (default `$FG_RESULTS_DIR` or `results/`). */
  resultsDir?: string;
  /** Repository root for stage sources. */
  rootDir?: string;
}

/** parseFlags (one-line UsageErrors that list the allowed flags) with the help lines. */
function parseWith(args: string[], options: Options, help: Record<string, string>): FlagValues {
  return parseFlags(args, options, { help }).values as FlagValues;
}

function flagUsage(name: string, opt: Options[string]): string {
  const short = opt.short ? `, -${opt.short}` : "";
  return opt.type === "string" ? `--${name}${short} <value>` : `--${name}${short}`;
}

function flagLines(options: Options, help: Record<string, string>): string[] {
  const rows = Object.entries(options).map(([n, o]) => [flagUsage(n, o), help[n] ?? ""]);
  const w = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([u, h]) => `  ${u.padEnd(w)}  ${h}`.trimEnd());
}

function showValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** A stage's upstream stages with its profiles' parameters, and whether flags may add more. */
function upstreamLine(stage: Stage): string {
  const names = [...new Set(PROFILES.flatMap((p) => stageDeps(stage, stage.params(p))))];
  return (names.length ? names.join(", ") : "none") +
    (stage.upstream ? " (with the profiles' parameters; some flag values add more)" : "");
}

/**
 * The `--help` text of a stage: description, upstream stages, common and
 * stage flags with their help lines, and each parameter's default per profile.
 */
export function formatStageHelp(stage: Stage): string {
  const lines = [
    `Usage: deno task ${stage.name} [flags]   (deno run -A tasks/stage.ts ${stage.name} [flags])`,
    "",
    stage.description,
    "",
    `Upstream stages: ${upstreamLine(stage)}`,
    "",
    "Common flags:",
    ...flagLines(COMMON_OPTIONS, COMMON_HELP),
  ];
  if (stage.units) lines.push("", "Unit flags:", ...flagLines(UNIT_OPTIONS, UNIT_HELP));
  if (Object.keys(stage.flags.options).length > 0) {
    lines.push("", "Stage flags:", ...flagLines(stage.flags.options, stage.flags.help));
  }
  lines.push("", "Profile defaults (a flag overrides its parameter):");
  const byProfile = PROFILES.map((p) => stage.params(p) as Record<string, unknown>);
  const isRecord = byProfile.every((p) => p !== null && typeof p === "object" && !Array.isArray(p));
  if (!isRecord) {
    for (const [i, p] of PROFILES.entries()) lines.push(`  ${p}: ${showValue(byProfile[i])}`);
  } else {
    const keys = [...new Set(byProfile.flatMap((p) => Object.keys(p)))];
    const w = Math.max(0, ...keys.map((k) => k.length));
    for (const k of keys) {
      const vals = byProfile.map((p) => showValue(p[k]));
      const same = vals.every((v) => v === vals[0]);
      lines.push(
        `  ${k.padEnd(w)}  ${
          same ? vals[0] : PROFILES.map((p, i) => `${p}: ${vals[i]}`).join(" | ")
        }`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * With `workers` processes computing at once, each wasm backend's thread pool
 * gets its share of the cores: sets `FG_WASM_THREADS` (which the worker
 * processes inherit) to ⌊cores / workers⌋, at least 1, unless it is set.
 */
export function shareCoresAmongWorkers(
  workers: number,
  cores = Math.min(8, navigator.hardwareConcurrency ?? 1),
): void {
  if (workers <= 1 || (Deno.env.get("FG_WASM_THREADS") ?? "") !== "") return;
  Deno.env.set("FG_WASM_THREADS", String(Math.max(1, Math.floor(cores / workers))));
}

/**
 * Starts the backend a command asked for; one that cannot start here, or a bad
 * `FG_WASM_THREADS`, is a usage error (exit 2).
 */
async function startBackend(choice: BackendChoice, workers = 1) {
  shareCoresAmongWorkers(workers);
  try {
    return await initBackend(choice);
  } catch (e) {
    if (e instanceof BackendUnavailableError) {
      throw new UsageError(`--backend ${choice}: ${e.message}`);
    }
    if (e instanceof RangeError && e.message.startsWith("FG_WASM_THREADS")) {
      throw new UsageError(e.message);
    }
    throw e;
  }
}

const ONLY_HELP = "comma-separated stages to run (with their upstream stages)";
const LRS_HELP =
  "LR tables: authors (lrs/*.csv) or searched (the lr-search stage runs upstream); passed to every stage with an --lrs flag (default authors)";
const MODEL_HELP =
  "models to train, e.g. fc or resnet18,vit: passed to every stage with a --model flag (default: the profile's grids)";
const GC_HELP =
  "afterwards remove stale state and cache entries nothing references (as deno task gc)";

function reproduceHelp(stages: readonly Stage[]): string {
  const options = { ...COMMON_OPTIONS, ...REPRODUCE_OPTIONS } as Options;
  const help = {
    ...COMMON_HELP,
    only: ONLY_HELP,
    lrs: LRS_HELP,
    model: MODEL_HELP,
    gc: GC_HELP,
    ...REPRODUCE_HELP,
  };
  return [
    "Usage: deno task reproduce [flags]   (deno run -A tasks/reproduce.ts [flags])",
    "",
    "Runs every stage in dependency order, reusing cached results, and prints a summary.",
    "",
    "Flags:",
    ...flagLines(options, help),
    "",
    `Stages (dependency order): ${stages.map((s) => s.name).join(", ") || "none registered"}`,
    ...(stages.some((s) => s.onDemand)
      ? [
        `Run only when needed (or named by --only): ${
          stages.filter((s) => s.onDemand).map((s) => s.name).join(", ")
        }`,
      ]
      : []),
  ].join("\n");
}

function commonValues(
  values: FlagValues,
): { profile: Profile; backend: BackendChoice; force: boolean } {
  return {
    profile: oneOf("profile", (values.profile as string | undefined) ?? DEFAULT_PROFILE, PROFILES),
    backend: oneOf(
      "backend",
      (values.backend as string | undefined) ?? DEFAULT_BACKEND,
      BACKEND_CHOICES,
    ),
    force: values.force === true,
  };
}

function fmtSeconds(s: number): string {
  return s < 1 ? `${s.toFixed(2)}s` : s < 60 ? `${s.toFixed(1)}s` : formatDuration(s);
}

/**
 * Formats pipeline outcomes as an aligned table: stage, status, time spent
 * now, time the result took when computed, key (12 hex digits) and folder.
 */
export function formatSummary(entries: readonly PipelineEntry[], cwd: string = Deno.cwd()): string {
  const rows = [["stage", "status", "wall", "computed in", "key", "folder"]];
  for (const e of entries) {
    if (e.status === "ran" || e.status === "cached") {
      rows.push([
        e.stage,
        e.passed ? e.status : `${e.status}, FAILED (ok: false)`,
        fmtSeconds(e.wallSeconds),
        fmtSeconds(e.manifest.wallSeconds),
        e.key.slice(0, 12),
        displayPath(e.dir, cwd),
      ]);
    } else if ("message" in e) {
      rows.push([e.stage, e.status, "-", "-", "-", e.message]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join(
    "\n",
  );
}

/**
 * `tasks/stage.ts <name> [flags]`: validates every flag, starts the backend,
 * runs the stage (and missing upstream results), prints a summary.
 *
 * @param args Command-line arguments: the stage name, then flags.
 * @param stages The stage graph.
 * @returns The exit code: 0, or 1 when the stage's summary says `ok: false`.
 * @throws UsageError for bad input (nothing written).
 */
export async function stageMain(
  args: readonly string[],
  stages: readonly Stage[],
  io: CliIo = {},
): Promise<number> {
  const out = io.out ?? ((l: string) => console.log(l));
  const err = io.err ?? ((l: string) => console.error(l));
  stageIndex(stages);
  const [name, ...rest] = args;
  const names = stages.map((s) => s.name).join(", ") || "none registered";
  if (name === undefined || name.startsWith("-")) {
    if (name === "--help" || name === "-h") {
      out(`Usage: deno run -A tasks/stage.ts <stage> [flags]\nStages: ${names}`);
      return 0;
    }
    throw new UsageError(`missing stage name; stages: ${names}`);
  }
  const stage = findStage(name, stages);
  if (rest.includes("--help") || rest.includes("-h")) {
    out(formatStageHelp(stage));
    return 0;
  }
  for (const f of Object.keys(stage.flags.options)) {
    if (f in COMMON_OPTIONS) {
      throw new Error(`Stage "${stage.name}" redefines the common flag --${f}`);
    }
  }
  const options: Options = {
    ...COMMON_OPTIONS,
    ...(stage.units ? UNIT_OPTIONS : {}),
    ...stage.flags.options,
  };
  const values = parseWith([...rest], options, {
    ...COMMON_HELP,
    ...(stage.units ? UNIT_HELP : {}),
    ...stage.flags.help,
  });
  const common = commonValues(values);
  const flagValues: FlagValues = {};
  for (const f of Object.keys(stage.flags.options)) flagValues[f] = values[f];
  const plan = planRun([stage.name], { profile: common.profile, flagValues }, stages);
  const unitIds = values.unit === undefined
    ? undefined
    : listOf("unit", values.unit as string[], (s) => s);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard as string);
  const workers = values.workers === undefined
    ? 1
    : positiveInt("workers", values.workers as string);
  if (unitIds !== undefined && shard !== undefined) {
    throw new UsageError("--unit and --shard cannot be combined: give one of them");
  }
  if (values["list-units"] === true) {
    for (const u of listUnits(stage.name, stage.units!, plan.params.get(stage.name))) {
      out(`${u.id}\t${waveOf(u)}\t${weightOf(u)}`);
    }
    return 0;
  }
  if (unitIds !== undefined || shard !== undefined) {
    const backend = await startBackend(common.backend);
    err(`backend: ${backend.name}${backend.notice ? ` (${backend.notice})` : ""}`);
    const r = await runUnitsOnly(
      stage.name,
      unitIds ? { ids: unitIds } : { shard: shard! },
      {
        profile: common.profile,
        backend,
        flagValues,
        resultsDir: io.resultsDir,
        rootDir: io.rootDir,
        log: err,
      },
      stages,
    );
    out(
      r.status === "cached"
        ? `${stage.name}: the complete result ${r.key} is cached; nothing to compute`
        : `${stage.name}: computed ${r.computed.length} unit(s), ${r.adopted.length} already ` +
          `complete, in ${
            displayPath(r.unitsDir, Deno.cwd())
          }; run the stage without --unit/--shard to finalize`,
    );
    return 0;
  }

  const backend = await startBackend(common.backend, workers);
  err(`backend: ${backend.name}${backend.notice ? ` (${backend.notice})` : ""}`);
  const { target, outcomes } = await runStage(stage.name, {
    profile: common.profile,
    backend,
    force: common.force,
    flagValues,
    workers,
    spawnWorker: spawnUnitWorker,
    resultsDir: io.resultsDir,
    rootDir: io.rootDir,
    log: err,
  }, stages);
  out(formatSummary(outcomes));
  out(
    `${target.stage}: ${target.status} in ${fmtSeconds(target.wallSeconds)}, key ${target.key}, ` +
      `output ${displayPath(target.dir, Deno.cwd())}`,
  );
  return target.passed ? 0 : 1;
}

async function findReport(dir: string): Promise<string> {
  for (const f of ["index.html", "report.html"]) {
    if (await isFile(join(dir, f))) return join(dir, f);
  }
  return dir;
}

/**
 * `tasks/reproduce.ts [--profile] [--backend] [--force] [--only a,b]`: walks
 * the whole graph in dependency order, prints a summary table and where the
 * report is.
 *
 * @returns The exit code: 0 when every stage succeeded, else 1 (after the summary).
 * @throws UsageError for bad input (nothing written).
 */
export async function reproduceMain(
  args: readonly string[],
  stages: readonly Stage[],
  io: CliIo = {},
): Promise<number> {
  const out = io.out ?? ((l: string) => console.log(l));
  const err = io.err ?? ((l: string) => console.error(l));
  stageIndex(stages);
  if (args.includes("--help") || args.includes("-h")) {
    out(reproduceHelp(stages));
    return 0;
  }
  const options: Options = { ...COMMON_OPTIONS, ...REPRODUCE_OPTIONS };
  const values = parseWith([...args], options, {
    ...COMMON_HELP,
    only: ONLY_HELP,
    lrs: LRS_HELP,
    model: MODEL_HELP,
    gc: GC_HELP,
    ...REPRODUCE_HELP,
  });
  const shared = Object.fromEntries(
    (["lrs", "model"] as const).filter((f) => values[f] !== undefined).map((f) => [f, values[f]]),
  ) as FlagValues;
  const sharedFlags = Object.keys(shared).length === 0 ? undefined : shared;
  const common = commonValues(values);
  const only = values.only === undefined
    ? undefined
    : listOf("only", values.only as string, (s) => {
      if (!stages.some((x) => x.name === s)) {
        throw new UsageError(
          `--only must list stages from ${
            stages.map((x) => x.name).join(", ") || "(none registered)"
          }, got "${s}"`,
        );
      }
      return s;
    });
  if (only !== undefined && only.length === 0) {
    throw new UsageError("--only must name at least one stage");
  }
  if (stages.length === 0) {
    throw new UsageError("no stages are registered in src/stages/registry.ts");
  }
  const plan = planRun(
    only ?? defaultTargets(stages),
    { profile: common.profile, sharedFlags },
    stages,
  );
  const executor = oneOf("executor", (values.executor as string | undefined) ?? "local", EXECUTORS);
  const workers = values.workers === undefined
    ? 1
    : positiveInt("workers", values.workers as string);
  const slurmOnly = [
    "partition",
    "max-parallel",
    "sbatch-arg",
    "wait",
    "cpus",
    "mem",
    "gres",
    "time",
  ];
  if (executor === "local") {
    const bad = slurmOnly.find((f) => values[f] !== undefined);
    if (bad) throw new UsageError(`--${bad} needs --executor slurm`);
  } else if (values.workers !== undefined) {
    throw new UsageError("--workers is for --executor local (slurm runs units as array tasks)");
  }
  if (executor === "slurm") {
    if (common.force) throw new UsageError("--force is for --executor local");
    const ex = slurmExecutor();
    await ex.check();
    const resources = {
      ...(values.cpus !== undefined ? { cpus: positiveInt("cpus", values.cpus as string) } : {}),
      ...(values.mem !== undefined ? { mem: slurmValue("mem", values.mem as string) } : {}),
      ...(values.gres !== undefined ? { gres: slurmValue("gres", values.gres as string) } : {}),
      ...(values.time !== undefined ? { time: slurmValue("time", values.time as string) } : {}),
    };
    const extraArgs = [...((values["sbatch-arg"] as string[] | undefined) ?? [])];
    if (values.partition !== undefined) {
      extraArgs.unshift(`--partition=${slurmValue("partition", values.partition as string)}`);
    }
    const backend = await startBackend(common.backend);
    err(`backend: ${backend.name} (tasks start --backend ${backend.name})`);
    const rootDir = resolve(io.rootDir ?? REPO_ROOT);
    const resultsDir = resolve(io.resultsDir ?? defaultResultsDir(rootDir));
    const subs = await submitPipeline(ex, {
      plan,
      backend: backend.name,
      resultsDir,
      rootDir,
      maxParallel: values["max-parallel"] === undefined
        ? 8
        : positiveInt("max-parallel", values["max-parallel"] as string),
      resources,
      extraArgs,
      out,
    });
    if (values.wait !== true) {
      out(
        "submitted; follow with squeue, or rerun with --wait (a rerun resubmits only what is missing)",
      );
      return 0;
    }
    await waitFor(ex, subs, out);
    const bad: string[] = [];
    for (const s of subs) {
      const c = await checkResult(resultDir(resultsDir, s.stage, s.key), s.stage, s.key);
      if (!c.ok || c.manifest.summary?.ok === false) bad.push(s.stage);
    }
    out(
      bad.length === 0 ? "slurm: every stage complete" : `slurm: failed stages: ${bad.join(", ")}`,
    );
    return bad.length === 0 ? 0 : 1;
  }

  const backend = await startBackend(common.backend, workers);
  err(`backend: ${backend.name}${backend.notice ? ` (${backend.notice})` : ""}`);
  const result = await runPipeline(
    {
      profile: common.profile,
      backend,
      force: common.force,
      sharedFlags,
      resultsDir: io.resultsDir,
      rootDir: io.rootDir,
      log: err,
      workers,
      spawnWorker: spawnUnitWorker,
    },
    stages,
    only,
  );
  out(formatSummary(result.entries));
  const report = result.entries.find((e) => e.stage === "report");
  if (report && (report.status === "ran" || report.status === "cached")) {
    out(`report: ${displayPath(await findReport(report.dir), Deno.cwd())}`);
  }
  if (values.gc === true) {
    const resultsDir = io.resultsDir ?? defaultResultsDir(io.rootDir);
    const gc = await collectGarbage(resultsDir);
    err(`gc: removed ${gc.removed.length} item(s) from ${displayPath(resultsDir, Deno.cwd())}`);
  }
  if (!result.ok) {
    const bad = result.entries.filter((e) =>
      !((e.status === "ran" || e.status === "cached") && e.passed)
    ).map((e) => e.stage);
    err(`reproduce: failed stages: ${bad.join(", ")}`);
  }
  return result.ok ? 0 : 1;
}

/**
 * `tasks/gc.ts [--dry-run]`: removes stale state (`.old-<pid>`, orphan
 * `.partial`/`.units` folders, stale locks, temporary files) and cache
 * entries that neither `latest/` nor `pipeline.lock.json` references; with
 * `--dry-run` only lists them. Never touches a folder a live process locks.
 *
 * @returns The exit code (0).
 * @throws UsageError for a bad flag.
 */
export async function gcMain(args: readonly string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((l: string) => console.log(l));
  const options: Options = {
    "dry-run": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  };
  const values = parseWith([...args], options, {
    "dry-run": "list what would be removed, remove nothing",
    help: COMMON_HELP.help,
  });
  if (values.help) {
    out(
      [
        "Usage: deno task gc [--dry-run]   (deno run -A tasks/gc.ts [--dry-run])",
        "",
        "Removes stale state and cache entries that no latest/ view or pipeline.lock.json references.",
        "",
        ...flagLines(options, {
          "dry-run": "list what would be removed, remove nothing",
          help: COMMON_HELP.help,
        }),
      ].join("\n"),
    );
    return 0;
  }
  const dry = values["dry-run"] === true;
  const resultsDir = io.resultsDir ?? defaultResultsDir(io.rootDir);
  const { removed, busy } = await collectGarbage(resultsDir, { dryRun: dry });
  for (const r of removed) {
    out(`${dry ? "would remove" : "removed"} ${displayPath(r.path, Deno.cwd())}: ${r.reason}`);
  }
  for (const b of busy) out(`kept ${displayPath(b, Deno.cwd())}: a running process holds its lock`);
  out(
    `gc: ${removed.length} item(s) ${dry ? "would be removed" : "removed"}, ${busy.length} in use`,
  );
  return 0;
}
