/**
 * The pipeline runner: resolves a stage's upstream graph, computes each
 * stage's content-hash key, reuses a verified cached result or runs the stage
 * into `<key>.partial/` and renames it into place with a manifest, then
 * updates the `latest` view and `pipeline.lock.json`.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { oneOf, parseFlags, UsageError } from "../cli/args.ts";
import type { BackendChoice, BackendInfo } from "../backend.ts";
import { exists, removeTempFiles, TEMP_SUFFIX, writeJsonAtomic } from "../io/files.ts";
import { dependencyOrder, findStage, stageDeps } from "./graph.ts";
import {
  cacheKey,
  canonicalJson,
  hashInputFiles,
  hashSources,
  hashTree,
  listFiles,
} from "./hash.ts";
import { listUnits, runUnits } from "./units.ts";
import { updateLatest } from "./latest.ts";
import { LOCK_FILE, updateLock } from "./lock.ts";
import {
  checkResult,
  type Manifest,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  sealManifest,
} from "./manifest.ts";
import { acquireLock } from "./unit_lock.ts";
import { defaultResultsDir, REPO_ROOT, resultDir } from "./paths.ts";
import { clearBarLine, createProgress, type ProgressOptions } from "./progress.ts";
import {
  type Profile,
  PROFILES,
  type Progress,
  type Stage,
  type StageContext,
  type StageFlags,
  type UpstreamOutput,
} from "./stage.ts";

/** Profile used when none is given, by single stages and by reproduce alike. */
export const DEFAULT_PROFILE: Profile = "paper";

/** Parsed flag values as node:util parseArgs returns them. */
export type FlagValues = Parameters<StageFlags<unknown>["apply"]>[0];

/** Options shared by {@link runStage} and {@link runPipeline}. */
export interface RunOptions {
  /** Grid sizes for every stage's default parameters (default "paper"). */
  profile?: Profile | string;
  /** A started backend, or the choice to start with initBackend (default "auto"). */
  backend?: BackendInfo | BackendChoice;
  /** Recompute the target stage(s) even when a valid cached result exists. */
  force?: boolean;
  /** Raw flags of the target stage (e.g. `["--n-max", "64"]`), parsed with its options. */
  flagArgs?: string[];
  /** Already parsed flag values of the target stage (used instead of flagArgs). */
  flagValues?: FlagValues;
  /**
   * Flag values for every other stage of the run that declares the flag
   * (`reproduce --lrs searched` sets `lrs` on each stage with an `--lrs` flag).
   */
  sharedFlags?: FlagValues;
  /** Exact parameters of the (single) target stage, instead of its profile's and flags. */
  params?: unknown;
  /** The key the target must have (a job spec's): anything else is an error, nothing computed. */
  expectKey?: string;
  /** Counts the target's units committed since this time (ms) as computed by this run. */
  freshSince?: number;
  /** Whether the target continues an interrupted run (manifest `resumed`; default: looked up). */
  resumed?: boolean;
  /** Results root (default: `$FG_RESULTS_DIR` or `<rootDir>/results`). */
  resultsDir?: string;
  /** Repository root that stage `sources` are relative to (default: this repository). */
  rootDir?: string;
  /** Sink for log lines (default: console.error). */
  log?: (line: string) => void;
  /** Progress display options (default: a bar on a terminal, plain lines otherwise). */
  progress?: ProgressOptions;
  /** How long to wait for another process finalizing the same result, in ms (default 24 h). */
  lockWaitMs?: number;
  /**
   * Processes computing the units of one stage at once (default 1): this one
   * plus `workers - 1` started with {@link RunOptions.spawnWorker}; the unit
   * locks share the work out. Results do not depend on it.
   */
  workers?: number;
  /**
   * Starts one worker process that computes every missing unit of `stage`
   * with exactly `params` (see src/pipeline/executors/spec.ts) and resolves
   * when it exits; needed for `workers` > 1.
   */
  spawnWorker?: (job: WorkerJob) => Promise<{ ok: boolean; message?: string }>;
}

/** What a worker process of {@link RunOptions.spawnWorker} computes. */
export interface WorkerJob {
  /** Stage name. */
  stage: string;
  /** Its resolved parameters. */
  params: unknown;
  /** Its cache key (the worker refuses to run under another). */
  key: string;
  /** Profile and backend the key was computed under. */
  profile: Profile;
  /** The backend's name. */
  backend: string;
  /** Results root. */
  resultsDir: string;
  /** Repository root. */
  rootDir: string;
}

/** What happened to one stage. */
export interface StageOutcome {
  /** Stage name. */
  stage: string;
  /** "ran": run() was called; "cached": a verified result was reused. */
  status: "ran" | "cached";
  /** Cache key. */
  key: string;
  /** Absolute result folder. */
  dir: string;
  /** Seconds this invocation spent on the stage (hashing, checking, running). */
  wallSeconds: number;
  /** The result's manifest (its `wallSeconds` is the time run() took when computed). */
  manifest: Manifest;
  /** False when run()'s summary says `ok: false` (a verdict, e.g. verification failed). */
  passed: boolean;
}

/**
 * A stage's run() threw. When it had written something (or completed units),
 * its `.partial` folder is kept so that a rerun resumes from it; otherwise
 * the empty scratch folder is removed and `partialDir` is undefined.
 */
export class StageError extends Error {
  override name = "StageError";
  /**
   * @param stage Stage name.
   * @param partialDir The kept scratch folder, or undefined when nothing was kept.
   * @param cause What run() threw.
   */
  constructor(readonly stage: string, readonly partialDir: string | undefined, cause: unknown) {
    super(
      `Stage "${stage}" failed: ${(cause as Error)?.message ?? cause}` +
        (partialDir ? ` (partial output kept in ${partialDir}; a rerun resumes from it)` : ""),
      { cause },
    );
  }
}

/** Whether `dir` holds at least one file (temporary files aside), at any depth. */
async function holdsFiles(dir: string): Promise<boolean> {
  if (!(await exists(dir))) return false;
  return (await listFiles(dir, (rel) => rel.endsWith(TEMP_SUFFIX))).length > 0;
}

/** The validated plan of a run: stages in dependency order with their parameters. */
export interface RunPlan {
  /** Profile every stage's defaults come from. */
  profile: Profile;
  /** Stages upstream first. */
  order: Stage[];
  /** Stage name → resolved parameters. */
  params: Map<string, unknown>;
}

/**
 * Validates everything about a run without touching the disk: the stage
 * names, the graph (unknown dependencies, cycles), the profile, the target's
 * flags and every stage's parameters (JSON-serialisable).
 *
 * @param targets Stages to run (their upstream stages are added).
 * @param opts Profile and the flags of the target (only when there is a single target).
 * @param stages The stage list (normally STAGES from src/stages/registry.ts).
 * @throws UsageError for a bad profile, unknown stage or bad flag; Error for a bad graph.
 */
export function planRun(
  targets: readonly string[],
  opts: Pick<RunOptions, "profile" | "flagArgs" | "flagValues" | "sharedFlags" | "params">,
  stages: readonly Stage[],
): RunPlan {
  const profile = oneOf("profile", opts.profile ?? DEFAULT_PROFILE, PROFILES);
  const hasFlags = opts.flagArgs !== undefined || opts.flagValues !== undefined;
  if (hasFlags && targets.length !== 1) {
    throw new Error("Cannot apply stage flags: more than one target stage");
  }
  const params = new Map<string, unknown>();
  const paramsOf = (stage: Stage): unknown => {
    if (params.has(stage.name)) return params.get(stage.name);
    let p = stage.params(profile);
    if (opts.params !== undefined && stage.name === targets[0]) {
      p = opts.params;
    } else if (hasFlags && stage.name === targets[0]) {
      const values = opts.flagValues ??
        parseFlags(opts.flagArgs ?? [], stage.flags.options).values as FlagValues;
      p = stage.flags.apply(values, p);
    } else if (opts.sharedFlags) {
      const own = Object.entries(opts.sharedFlags).filter(([f]) => f in stage.flags.options);
      if (own.length > 0) p = stage.flags.apply(Object.fromEntries(own), p);
    }
    canonicalJson(p);
    params.set(stage.name, p);
    return p;
  };
  const order = dependencyOrder(targets, stages, (s) => stageDeps(s, paramsOf(s)));
  for (const flag of Object.keys(opts.sharedFlags ?? {})) {
    if (!order.some((s) => flag in s.flags.options)) {
      const takers = stages.filter((s) => flag in s.flags.options).map((s) => s.name);
      throw new UsageError(
        `--${flag} applies to ${
          takers.join(", ") || "no stage"
        }, and no stage of this run takes it${
          takers.length > 0 ? `: add ${takers.join(",")} to --only` : ""
        }`,
      );
    }
  }
  // bad input is one error line alone: checked here, before a backend starts (and logs)
  for (const s of order) s.checkParams?.(paramsOf(s));
  return { profile, order, params: new Map(order.map((s) => [s.name, paramsOf(s)])) };
}

async function ensureBackend(b: BackendInfo | BackendChoice | undefined): Promise<BackendInfo> {
  if (typeof b === "object") return b;
  const { initBackend } = await import("../backend.ts");
  return await initBackend(b ?? "auto");
}

interface ExecContext {
  profile: Profile;
  backend: BackendInfo;
  resultsDir: string;
  rootDir: string;
  log: (line: string) => void;
  progress: ProgressOptions;
  lockWaitMs?: number;
  workers: number;
  spawnWorker?: RunOptions["spawnWorker"];
}

function contextFrom(opts: RunOptions, profile: Profile, backend: BackendInfo): ExecContext {
  const rootDir = opts.rootDir ?? REPO_ROOT;
  return {
    profile,
    backend,
    rootDir,
    resultsDir: opts.resultsDir ?? defaultResultsDir(rootDir),
    log: opts.log ?? ((l) => console.error(l)),
    progress: opts.progress ?? {},
    lockWaitMs: opts.lockWaitMs,
    workers: opts.workers ?? 1,
    spawnWorker: opts.spawnWorker,
  };
}

/** Makes `value` plain JSON (drops undefined members), or throws naming the stage. */
function toJsonRecord(stage: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  try {
    return JSON.parse(JSON.stringify(value));
  } catch (e) {
    throw new Error(
      `Stage "${stage}" returned a summary that is not JSON: ${(e as Error).message}`,
    );
  }
}

/** Throws when a job spec's key is not the key computed here (sources changed since). */
function checkExpectedKey(stage: string, key: string, expected: string | undefined): void {
  if (expected !== undefined && key !== expected) {
    throw new Error(
      `Stage "${stage}": this job was submitted for key ${expected.slice(0, 12)} but the ` +
        `checkout here gives ${key.slice(0, 12)} (sources, inputs or backend differ); resubmit`,
    );
  }
}

/** A stage's identity for given parameters and upstream results. */
export interface Resolved {
  key: string;
  inputs: Record<string, UpstreamOutput>;
  inputKeys: Record<string, string>;
  sources: Manifest["sources"];
  inputFiles: Manifest["inputFiles"];
  inKey: boolean;
}

/** Hashes a stage's inputs into its key (upstream results must be resolved). */
async function resolveKey(
  ex: ExecContext,
  stage: Stage,
  params: unknown,
  upstream: Map<string, StageOutcome>,
): Promise<Resolved> {
  const inputs: Record<string, UpstreamOutput> = {};
  const inputKeys: Record<string, string> = {};
  for (const d of stageDeps(stage, params)) {
    const u = upstream.get(d);
    if (!u) {
      throw new Error(`Cannot run stage "${stage.name}": upstream stage "${d}" has no result`);
    }
    inputs[d] = { stage: d, dir: u.dir, key: u.key, params: u.manifest.params };
    inputKeys[d] = u.key;
  }
  return { ...await keyFor(ex.rootDir, ex.backend.name, stage, params, inputKeys), inputs };
}

/**
 * A stage's cache key from its parameters and its upstream stages' keys
 * (no upstream result needs to exist yet: a cluster executor plans every
 * stage's key before submitting anything).
 */
export async function keyFor(
  rootDir: string,
  backendName: string,
  stage: Stage,
  params: unknown,
  inputKeys: Record<string, string>,
): Promise<Omit<Resolved, "inputs">> {
  const sources = await hashSources(rootDir, stage.sources);
  const inputPaths = stage.inputFiles ? await stage.inputFiles(params, rootDir) : [];
  const inputFiles = inputPaths.length === 0
    ? undefined
    : await hashInputFiles(inputPaths.map((p) => resolve(rootDir, p)));
  const inKey = !stage.backendIndependent;
  const key = cacheKey({
    stage: stage.name,
    params,
    inputs: inputKeys,
    sources: sources.hash,
    inputFiles: inputFiles?.hash,
    backend: inKey ? backendName : null,
  });
  return { key, inputKeys, sources, inputFiles, inKey };
}

async function resolveStage(
  ex: ExecContext,
  stage: Stage,
  params: unknown,
  upstream: Map<string, StageOutcome>,
  force: boolean,
  opts: { resumed?: boolean; freshSince?: number; expectKey?: string } = {},
): Promise<StageOutcome> {
  const t0 = performance.now();
  const freshSince = opts.freshSince ?? Date.now();
  const { key, inputs, inputKeys, sources, inputFiles, inKey } = await resolveKey(
    ex,
    stage,
    params,
    upstream,
  );
  checkExpectedKey(stage.name, key, opts.expectKey);
  const dir = resultDir(ex.resultsDir, stage.name, key);
  const finish = async (manifest: Manifest, status: StageOutcome["status"]) => {
    try {
      await updateLatest(manifest, ex.resultsDir, ex.rootDir);
      await updateLock(manifest, ex.resultsDir, ex.rootDir);
    } catch (e) {
      // a complete, verified result in a read-only results folder is still served
      if (status !== "cached") throw e;
      ex.log(
        `[${stage.name}] serving the cached result; latest/ and ${LOCK_FILE} were not updated ` +
          `(${(e as Error)?.message ?? e})`,
      );
    }
    return {
      stage: stage.name,
      status,
      key,
      dir,
      wallSeconds: (performance.now() - t0) / 1000,
      manifest,
      passed: manifest.summary?.ok !== false,
    };
  };

  const fromCache = async (): Promise<Manifest | undefined> => {
    const check = await checkResult(dir, stage.name, key);
    if (check.ok) return check.manifest;
    if (check.exists) {
      ex.log(`[${stage.name}] discarding untrusted result ${dir}: ${check.reason}`);
      await Deno.remove(dir, { recursive: true });
    }
  };
  if (!force) {
    const cached = await fromCache();
    if (cached) return await finish(cached, "cached");
  }
  if (stage.preflight) {
    await stage.preflight({
      params,
      inputs,
      backend: ex.backend,
      rootDir: ex.rootDir,
      log: (m) => ex.log(`[${stage.name}] ${m}`),
    });
  }
  await Deno.mkdir(dirname(dir), { recursive: true });
  const unitsDir = `${dir}.units`;
  const resumed = force ? undefined : opts.resumed ??
    (await exists(`${dir}.partial`) || await holdsFiles(unitsDir));
  if (stage.units && !force) {
    // compute the units first, under their own locks (other processes may share the work);
    // the stage lock below covers only the finalize step
    const isDone = async () => !force && await exists(join(dir, MANIFEST_FILE));
    try {
      await computeUnitsPhase(ex, stage, params, key, inputs, isDone, freshSince);
    } catch (e) {
      const partial = `${dir}.partial`;
      if (await holdsFiles(unitsDir)) {
        await Deno.mkdir(partial, { recursive: true });
        throw new StageError(stage.name, partial, e);
      }
      await Deno.remove(unitsDir, { recursive: true }).catch(() => {});
      if (!(await holdsFiles(partial))) {
        await Deno.remove(partial, { recursive: true }).catch(() => {});
      }
      throw new StageError(stage.name, undefined, e);
    }
  }
  const lock = await acquireLock(`${dir}.lock`, {
    what: `stage "${stage.name}"`,
    log: (m) => ex.log(`[${stage.name}] ${m}`),
    timeoutMs: ex.lockWaitMs,
  });
  let manifest: Manifest;
  try {
    // another process may have finished the same result while we waited for the lock
    const cached = force ? undefined : await fromCache();
    if (cached) return await finish(cached, "cached");
    manifest = await compute(ex, {
      stage,
      params,
      key,
      inputs,
      inputKeys,
      sources,
      inputFiles,
      inKey,
      force,
      resumed,
      freshSince,
    });
  } finally {
    await lock.release();
  }
  return await finish(manifest, "ran");
}

/** The stage context a unit or stage computation gets (its bars are pushed onto `bars`). */
function stageContext(
  ex: ExecContext,
  name: string,
  params: unknown,
  outDir: string,
  inputs: Record<string, UpstreamOutput>,
  bars: Progress[],
): StageContext<unknown> {
  return {
    params,
    outDir,
    inputs,
    backend: ex.backend,
    rootDir: ex.rootDir,
    log: (m) => {
      clearBarLine();
      ex.log(`[${name}] ${m}`);
    },
    progress: (label, total) => {
      const p = createProgress(`[${name}] ${label}`, total, ex.progress);
      bars.push(p);
      return p;
    },
  };
}

/**
 * Computes every missing unit of a unit stage into `<key>.units/` (no
 * finalize), under the unit locks; with `ex.workers` > 1 alongside that many
 * − 1 worker processes. Stops early when `isDone` (the result appeared).
 */
async function computeUnitsPhase(
  ex: ExecContext,
  stage: Stage,
  params: unknown,
  key: string,
  inputs: Record<string, UpstreamOutput>,
  isDone: () => Promise<boolean>,
  freshSince: number,
): Promise<void> {
  const dir = resultDir(ex.resultsDir, stage.name, key);
  const bars: Progress[] = [];
  const helpers: Promise<{ ok: boolean; message?: string }>[] = [];
  if (ex.workers > 1) {
    if (!ex.spawnWorker) throw new Error("workers > 1 needs RunOptions.spawnWorker");
    for (let w = 1; w < ex.workers; w++) {
      helpers.push(ex.spawnWorker({
        stage: stage.name,
        params,
        key,
        profile: ex.profile,
        backend: ex.backend.requested,
        resultsDir: ex.resultsDir,
        rootDir: ex.rootDir,
      }));
    }
  }
  try {
    await runUnits(
      stage.units!,
      stageContext(ex, stage.name, params, `${dir}.partial`, inputs, bars),
      {
        key,
        unitsDir: `${dir}.units`,
        stageName: stage.name,
        select: () => true,
        isDone,
        freshSince,
      },
    );
  } catch (e) {
    await Promise.allSettled(helpers);
    throw e;
  } finally {
    for (const b of bars) b.stop();
  }
  for (const r of await Promise.all(helpers)) {
    if (!r.ok) throw new Error(`a worker failed: ${r.message ?? "see its log above"}`);
  }
}

/** Everything {@link compute} needs about one stage result. */
interface Job {
  stage: Stage;
  params: unknown;
  key: string;
  inputs: Record<string, UpstreamOutput>;
  inputKeys: Record<string, string>;
  sources: Manifest["sources"];
  inputFiles: Manifest["inputFiles"];
  inKey: boolean;
  force: boolean;
  /** Whether this continues an interrupted run (default: whether scratch state exists). */
  resumed?: boolean;
  /** Units committed since this time (ms) count as computed by this run. */
  freshSince?: number;
}

/** Runs the stage into `<key>.partial/`, writes the manifest, renames the folder into place. */
async function compute(ex: ExecContext, job: Job): Promise<Manifest> {
  const { stage, params, key, inputs, inputKeys, sources, inputFiles, inKey, force } = job;
  const dir = resultDir(ex.resultsDir, stage.name, key);
  const partial = `${dir}.partial`;
  const unitsDir = `${dir}.units`;
  if (force) {
    for (const d of [partial, unitsDir]) {
      if (await exists(d)) await Deno.remove(d, { recursive: true });
    }
  }
  const resumed = job.resumed ?? (await exists(partial) || await holdsFiles(unitsDir));
  await Deno.mkdir(partial, { recursive: true });
  await removeTempFiles(partial);
  await Deno.remove(join(partial, MANIFEST_FILE)).catch(() => {});
  ex.log(`[${stage.name}] ${resumed ? "resuming" : "running"} (key ${key.slice(0, 12)})`);

  const bars: Progress[] = [];
  // a unit stage's bar ran in its unit phase (computeUnitsPhase): finalize's adoption of those
  // units would print it a second time
  const quiet = stage.units && !force
    ? { ...ex, progress: { ...ex.progress, mode: "off" as const } }
    : ex;
  const ctx = stageContext(quiet, stage.name, params, partial, inputs, bars);
  // a unit stage computed its units before this call (since freshSince): time the result from
  // there, so the manifest's timings cover the units and not just the finalize step
  const startedAt = new Date(
    stage.units && job.freshSince !== undefined ? job.freshSince : Date.now(),
  );
  const r0 = performance.now() - (Date.now() - startedAt.getTime());
  let summary: Record<string, unknown>;
  try {
    const out = stage.units
      ? (await runUnits(stage.units, ctx, {
        key,
        unitsDir,
        stageName: stage.name,
        freshSince: job.freshSince,
      })).summary
      : await stage.run(ctx);
    summary = toJsonRecord(stage.name, out);
  } catch (e) {
    if (await holdsFiles(partial) || await holdsFiles(unitsDir)) {
      throw new StageError(stage.name, partial, e);
    }
    await Deno.remove(partial, { recursive: true }).catch(() => {});
    await Deno.remove(unitsDir, { recursive: true }).catch(() => {});
    throw new StageError(stage.name, undefined, e);
  } finally {
    for (const b of bars) b.stop();
  }
  const wallSeconds = (performance.now() - r0) / 1000;
  const finishedAt = new Date();
  if (await exists(join(partial, MANIFEST_FILE))) {
    throw new StageError(
      stage.name,
      partial,
      new Error(`${MANIFEST_FILE} is reserved for the runner`),
    );
  }
  await removeTempFiles(partial);
  const files = await hashTree(partial, (rel) => rel === MANIFEST_FILE);
  const manifest = sealManifest({
    format: MANIFEST_FORMAT,
    stage: stage.name,
    key,
    params,
    profile: ex.profile,
    inputs: inputKeys,
    sources,
    inputFiles,
    files,
    backend: {
      requested: ex.backend.requested,
      name: ex.backend.name,
      inKey,
      versions: ex.backend.versions,
    },
    versions: { deno: Deno.version.deno, v8: Deno.version.v8, typescript: Deno.version.typescript },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds,
    resumed,
    summary,
  });
  await writeJsonAtomic(join(partial, MANIFEST_FILE), manifest);
  let old: string | undefined;
  if (await exists(dir)) {
    old = `${dir}.old-${Deno.pid}`;
    await Deno.rename(dir, old);
  }
  await Deno.rename(partial, dir);
  if (old) await Deno.remove(old, { recursive: true });
  await Deno.remove(unitsDir, { recursive: true }).catch(() => {});
  return manifest;
}

/** What {@link runStage} returns. */
export interface StageRunResult {
  /** The requested stage. */
  target: StageOutcome;
  /** Every stage resolved, upstream first, ending with the target. */
  outcomes: StageOutcome[];
}

/**
 * Runs one stage, first resolving its upstream stages (each with its profile
 * parameters; an upstream stage runs only when its result is missing or
 * untrusted). The target's flags override its profile parameters; `force`
 * recomputes the target only.
 *
 * @param name Stage to run.
 * @param opts Profile, backend, flags, folders.
 * @param stages The stage graph (normally STAGES from src/stages/registry.ts).
 * @throws UsageError for bad input (before anything is written), StageError when a run() throws.
 *
 * @example Run a stage from the registry
 * ```ts ignore
 * import { runStage } from "./run.ts";
 * import { STAGES } from "../stages/registry.ts";
 * const { target } = await runStage("approx", { profile: "smoke", backend: "cpu" }, STAGES);
 * console.log(target.status, target.dir);
 * ```
 */
export async function runStage(
  name: string,
  opts: RunOptions,
  stages: readonly Stage[],
): Promise<StageRunResult> {
  const plan = planRun([name], opts, stages);
  const ex = contextFrom(opts, plan.profile, await ensureBackend(opts.backend));
  const done = new Map<string, StageOutcome>();
  const outcomes: StageOutcome[] = [];
  for (const stage of plan.order) {
    const o = await resolveStage(
      ex,
      stage,
      plan.params.get(stage.name),
      done,
      !!opts.force && stage.name === name,
      stage.name === name
        ? { resumed: opts.resumed, freshSince: opts.freshSince, expectKey: opts.expectKey }
        : {},
    );
    done.set(stage.name, o);
    outcomes.push(o);
  }
  return { target: done.get(name)!, outcomes };
}

/** Which units {@link runUnitsOnly} computes: explicit ids, or shard `index` of `count`. */
export type UnitSelection = { ids: string[] } | { shard: { index: number; count: number } };

/** What {@link runUnitsOnly} returns. */
export interface UnitsOnlyResult {
  /** The stage's key. */
  key: string;
  /** "cached" when the complete result already exists (nothing computed). */
  status: "cached" | "units";
  /** Ids computed now. */
  computed: string[];
  /** Selected ids that were already complete (verified). */
  adopted: string[];
  /** The unit store, `<key>.units/`. */
  unitsDir: string;
}

/**
 * Computes selected units of a stage into its `<key>.units/` store (after
 * resolving its upstream results like {@link runStage}) and stops: no
 * finalize, no manifest. A normal run afterwards adopts them and finalizes.
 * This is what one array task of a cluster executor runs.
 *
 * @throws UsageError when the stage has no units or an id is unknown
 */
export async function runUnitsOnly(
  name: string,
  selection: UnitSelection,
  opts: RunOptions,
  stages: readonly Stage[],
): Promise<UnitsOnlyResult> {
  const plan = planRun([name], opts, stages);
  const target = plan.order[plan.order.length - 1];
  if (!target.units) throw new UsageError(`stage ${name} does not work in units`);
  const params = plan.params.get(name);
  const list = listUnits(name, target.units, params);
  if ("ids" in selection) {
    for (const id of selection.ids) {
      if (!list.some((u) => u.id === id)) {
        throw new UsageError(`--unit must name a unit of ${name} (see --list-units), got "${id}"`);
      }
    }
  }
  const ex = contextFrom(opts, plan.profile, await ensureBackend(opts.backend));
  const done = new Map<string, StageOutcome>();
  for (const stage of plan.order.slice(0, -1)) {
    done.set(
      stage.name,
      await resolveStage(ex, stage, plan.params.get(stage.name), done, false),
    );
  }
  const r = await resolveKey(ex, target, params, done);
  checkExpectedKey(name, r.key, opts.expectKey);
  const dir = resultDir(ex.resultsDir, name, r.key);
  const unitsDir = `${dir}.units`;
  if ((await checkResult(dir, name, r.key)).ok) {
    return { key: r.key, status: "cached", computed: [], adopted: [], unitsDir };
  }
  if (target.preflight) {
    await target.preflight({
      params,
      inputs: r.inputs,
      backend: ex.backend,
      rootDir: ex.rootDir,
      log: (m) => ex.log(`[${name}] ${m}`),
    });
  }
  const chosen = "ids" in selection
    ? (u: { id: string }) => selection.ids.includes(u.id)
    : (_u: unknown, i: number) => i % selection.shard.count === selection.shard.index;
  const bars: Progress[] = [];
  try {
    const res = await runUnits(
      target.units,
      stageContext(ex, name, params, `${dir}.partial`, r.inputs, bars),
      { key: r.key, unitsDir, select: chosen, stageName: name },
    );
    const picked = list.filter((u, i) => chosen(u, i)).map((u) => u.id);
    return {
      key: r.key,
      status: "units",
      computed: res.computed,
      adopted: res.adopted.filter((id) => picked.includes(id)),
      unitsDir,
    };
  } finally {
    for (const b of bars) b.stop();
  }
}

/** The stages a run without `--only` targets: every stage but the on-demand ones. */
export function defaultTargets(stages: readonly Stage[]): string[] {
  return stages.filter((s) => !s.onDemand).map((s) => s.name);
}

/** One row of a pipeline run. */
export type PipelineEntry =
  | StageOutcome
  | { stage: string; status: "error"; message: string; error: unknown }
  | { stage: string; status: "skipped"; message: string };

/** What {@link runPipeline} returns. */
export interface PipelineResult {
  /** One entry per stage, in dependency order. */
  entries: PipelineEntry[];
  /** True when every stage ran or was cached and none reported `ok: false`. */
  ok: boolean;
}

/**
 * Runs the whole graph (or the `only` stages and their upstream stages) in
 * dependency order, reusing cached results. A failing stage does not stop the
 * others: its dependents are skipped, the rest still run.
 *
 * @param opts Profile, backend, force (applies to every selected stage), folders.
 * @param stages The stage graph.
 * @param only Stage names to run (default: all).
 * @throws UsageError for a bad profile or stage name, before anything is written.
 */
export async function runPipeline(
  opts: Omit<RunOptions, "flagArgs" | "flagValues">,
  stages: readonly Stage[],
  only?: readonly string[],
): Promise<PipelineResult> {
  const targets = only ?? defaultTargets(stages);
  for (const t of targets) findStage(t, stages);
  const plan = planRun(targets, { profile: opts.profile, sharedFlags: opts.sharedFlags }, stages);
  const ex = contextFrom(opts, plan.profile, await ensureBackend(opts.backend));
  const done = new Map<string, StageOutcome>();
  const failed = new Set<string>();
  const entries: PipelineEntry[] = [];
  for (const stage of plan.order) {
    const bad = stageDeps(stage, plan.params.get(stage.name)).filter((d) => failed.has(d));
    if (bad.length > 0) {
      failed.add(stage.name);
      entries.push({
        stage: stage.name,
        status: "skipped",
        message: `upstream ${bad.join(", ")} failed`,
      });
      continue;
    }
    try {
      const o = await resolveStage(
        ex,
        stage,
        plan.params.get(stage.name),
        done,
        !!opts.force && targets.includes(stage.name),
      );
      done.set(stage.name, o);
      entries.push(o);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      failed.add(stage.name);
      ex.log(`[${stage.name}] error: ${(e as Error)?.message ?? e}`);
      entries.push({
        stage: stage.name,
        status: "error",
        message: (e as Error)?.message ?? String(e),
        error: e,
      });
    }
  }
  const ok = entries.every((e) => (e.status === "ran" || e.status === "cached") && e.passed);
  return { entries, ok };
}
