/**
 * Units: the independent pieces of a stage's work (one n of the
 * approximation grid, one function × n, one training run, one LR-search
 * evaluation), as a first-class, declarative part of a stage.
 *
 * A stage that works in units sets {@link Stage.units}: it lists its units
 * for given parameters ({@link StageUnits.list}: stable ids, a weight for
 * progress, a wave number), computes one unit into that unit's own folder
 * ({@link StageUnits.compute}) and assembles its outputs from the complete
 * units ({@link StageUnits.finalize}). Executors only need these three
 * calls: the local one ({@link runUnits}) lists, computes every missing unit
 * in wave order and finalizes; a cluster executor runs `compute` for a
 * selection of units per job and `finalize` once after all of them.
 *
 * Storage: `<unitsDir>/<id with "/" as "+">/` holds a unit's files and its
 * record `.unit.json` (id, fingerprint, per-file SHA-256, facts, the records
 * of the earlier units it read, and a seal over all of it). A unit is
 * computed into `<unitsDir>/.tmp/…` and renamed into place with its record,
 * so a killed computation never leaves a unit that looks complete. On
 * resume a unit is adopted only when its record and every file verify;
 * otherwise it is discarded and recomputed. Each unit is computed under its
 * lock `<unitsDir>/.locks/<unit>.lock` (./unit_lock.ts: host, PID, start
 * time, lease), so processes on several hosts can share one store.
 *
 * @module
 */
import { join } from "node:path";
import type { Stage, StageContext } from "./stage.ts";
import { exists, removeTempFiles, writeJsonAtomic } from "../io/files.ts";
import { canonicalJson, type FileHash, hashTree, sha256Hex } from "./hash.ts";
import { sealOf } from "./manifest.ts";
import { describeHolder, tryLock } from "./unit_lock.ts";

/** One unit of a stage's work, as {@link StageUnits.list} returns it. */
export interface UnitSpec {
  /**
   * Stable id, unique within the stage: segments of letters, digits and
   * `._=,-` (each starting with a letter or digit) joined by `/`, e.g.
   * `approx_quality/n=16`. Ids name units on the command line.
   */
  id: string;
  /** Relative cost for progress (default 1), e.g. epochs or runs. */
  weight?: number;
  /**
   * Wave (default 0): every unit of wave w is computed after every unit of
   * the waves before it, and may read them ({@link UnitContext.completed}).
   * Independent units share one wave; a generation-synchronous search puts
   * generation g in wave g.
   */
  wave?: number;
  /**
   * JSON of what this unit is computed from beyond the stage's key (its
   * grid point, its LR…): it enters the unit's fingerprint, so a unit
   * computed from something else is never adopted. Default: the unit itself.
   */
  fingerprint?: unknown;
}

/** What {@link StageUnits.setup} receives. */
export type UnitSetupContext<P> = Pick<
  StageContext<P>,
  "params" | "inputs" | "backend" | "rootDir" | "log"
>;

/** What {@link StageUnits.compute} receives. */
export interface UnitContext<P, S> extends UnitSetupContext<P> {
  /** The unit's own (temporary) folder: write every file of the unit here, and only here. */
  dir: string;
  /** What {@link StageUnits.setup} returned (undefined without a setup). */
  state: S;
  /** Reports progress within the unit, in the unit's weight (capped at it). */
  tick(weight?: number): void;
  /**
   * The folder of a complete unit of an earlier wave, for reading. Its record
   * is noted in this unit's record: when it is recomputed, so is this unit.
   *
   * @throws Error when that unit is not complete or not of an earlier wave
   */
  completed(id: string): string;
}

/** A complete unit, as {@link StageUnits.finalize} sees it. */
export interface CompletedUnit<U extends UnitSpec> {
  /** The unit as listed. */
  unit: U;
  /** Its verified folder (read only). */
  dir: string;
  /** What compute() returned for it. */
  facts: Record<string, unknown>;
  /** True when it was adopted from an earlier (interrupted) run instead of computed now. */
  reused: boolean;
}

/** What {@link StageUnits.finalize} receives: the stage context plus every complete unit. */
export interface FinalizeContext<P, U extends UnitSpec> extends StageContext<P> {
  /** Every unit, complete and verified, in list order. */
  units: CompletedUnit<U>[];
}

/** The units of a stage: list, compute one, finalize. */
export interface StageUnits<P, U extends UnitSpec = UnitSpec, S = undefined> {
  /** Progress-bar label (default "units"). */
  label?: string;
  /** Every unit for these parameters, in output order. Pure: no files, no clock. */
  list(params: P): U[];
  /**
   * Optional preparation shared by the units computed in one process (load
   * a dataset, start a backend); called once, before the first unit that
   * needs computing, never when every unit is adopted.
   */
  setup?(ctx: UnitSetupContext<P>): Promise<S> | S;
  /**
   * Computes one unit into `ctx.dir` (which starts empty); may return facts
   * (JSON) kept in the unit's record. Deterministic from the params, the
   * unit and the units of earlier waves it reads.
   */
  compute(unit: U, ctx: UnitContext<P, S>): Promise<Record<string, unknown> | void>;
  /**
   * Assembles the stage's outputs in `ctx.outDir` from the complete units
   * (which it only reads); returns the stage summary, as `run()` does.
   */
  finalize(ctx: FinalizeContext<P, U>): Promise<Record<string, unknown> | void>;
}

/** File name of a unit's record inside its folder. */
export const UNIT_RECORD = ".unit.json";
/** Format of {@link UnitRecord}. */
export const UNIT_FORMAT = 1;
const TMP_DIR = ".tmp";

/** The record committed with a unit. */
export interface UnitRecord {
  /** {@link UNIT_FORMAT}. */
  format: number;
  /** The unit id. */
  id: string;
  /** SHA-256 binding the stage key, the id and the unit's fingerprint. */
  fingerprint: string;
  /** Every file of the unit (except the record) → hash. */
  files: Record<string, FileHash>;
  /** What compute() returned. */
  facts: Record<string, unknown>;
  /** Id → seal of each earlier unit this one read. */
  reads: Record<string, string>;
  /** When it was computed (ISO). */
  computedAt: string;
  /** Seal over the rest of the record. */
  seal: string;
}

const ID_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._=,-]*$/;

/** Whether `id` is a valid unit id (see {@link UnitSpec.id}). */
export function validUnitId(id: string): boolean {
  return id.length > 0 && id.length <= 200 && id.split("/").every((s) => ID_SEGMENT.test(s));
}

/** The folder name of a unit inside the unit store (`/` becomes `+`). */
export function unitFolder(id: string): string {
  return id.replaceAll("/", "+");
}

/** The wave of a unit (default 0). */
export function waveOf(u: UnitSpec): number {
  return u.wave ?? 0;
}

/** The weight of a unit (default 1). */
export function weightOf(u: UnitSpec): number {
  return u.weight ?? 1;
}

/**
 * Lists and validates a stage's units: unique valid ids, waves that are
 * non-negative integers, finite non-negative weights.
 *
 * @throws Error naming the stage and the offending unit
 */
export function listUnits<P, U extends UnitSpec>(
  stageName: string,
  units: StageUnits<P, U, unknown>,
  params: P,
): U[] {
  const list = units.list(params);
  const seen = new Set<string>();
  for (const u of list) {
    if (!validUnitId(u.id)) {
      throw new Error(`Stage "${stageName}" lists a unit with an invalid id "${u.id}"`);
    }
    if (seen.has(u.id)) throw new Error(`Stage "${stageName}" lists unit "${u.id}" twice`);
    seen.add(u.id);
    const w = waveOf(u), g = weightOf(u);
    if (!Number.isSafeInteger(w) || w < 0) {
      throw new Error(`Stage "${stageName}": unit "${u.id}" has wave ${w}, not an integer ≥ 0`);
    }
    if (!Number.isFinite(g) || g < 0) {
      throw new Error(`Stage "${stageName}": unit "${u.id}" has weight ${g}, not a number ≥ 0`);
    }
  }
  return list;
}

/** The expected fingerprint of a unit under a stage key. */
export function unitFingerprint(key: string, u: UnitSpec): string {
  const { weight: _w, ...rest } = u;
  return sha256Hex(canonicalJson({ key, id: u.id, unit: u.fingerprint ?? rest }));
}

/** Why a unit folder cannot be adopted, or its record when it can. */
export async function checkUnit(
  dir: string,
  id: string,
  fingerprint: string,
  readSeal: (id: string) => string | undefined,
): Promise<{ ok: true; record: UnitRecord } | { ok: false; reason: string }> {
  let r: UnitRecord;
  try {
    r = JSON.parse(await Deno.readTextFile(join(dir, UNIT_RECORD)));
  } catch {
    return { ok: false, reason: `no readable ${UNIT_RECORD}` };
  }
  if (r === null || typeof r !== "object" || r.format !== UNIT_FORMAT || r.id !== id) {
    return { ok: false, reason: `${UNIT_RECORD} does not describe unit ${id}` };
  }
  let seal: string;
  try {
    seal = sealOf(r);
  } catch {
    return { ok: false, reason: `${UNIT_RECORD} holds values that are not JSON` };
  }
  if (seal !== r.seal) return { ok: false, reason: `${UNIT_RECORD} was edited` };
  if (r.fingerprint !== fingerprint) {
    return { ok: false, reason: "it was computed from other inputs" };
  }
  for (const [dep, s] of Object.entries(r.reads ?? {})) {
    if (readSeal(dep) !== s) return { ok: false, reason: `unit ${dep} it read has changed` };
  }
  const onDisk = await hashTree(dir, (rel) => rel === UNIT_RECORD);
  for (const f of Object.keys(r.files ?? {})) {
    if (!onDisk[f]) return { ok: false, reason: `file ${f} is missing` };
    if (onDisk[f].sha256 !== r.files[f].sha256) {
      return { ok: false, reason: `file ${f} does not match its hash` };
    }
  }
  for (const f of Object.keys(onDisk)) {
    if (!r.files[f]) return { ok: false, reason: `unlisted file ${f}` };
  }
  return { ok: true, record: r };
}

/** Options of {@link runUnits}. */
export interface RunUnitsOptions<U extends UnitSpec> {
  /** The stage's cache key: it enters every unit's fingerprint (default ""). */
  key?: string;
  /** The unit store (default `<outDir>/.units`, removed after finalize). */
  unitsDir?: string;
  /** Computes only the units it selects and skips finalize (cluster array tasks). */
  select?: (unit: U, index: number) => boolean;
  /** Stage name for messages (default "stage"). */
  stageName?: string;
  /**
   * Checked before each unit is computed: when it resolves true (another
   * process finalized the result meanwhile) the run stops without computing
   * more or finalizing, and `stopped` is set.
   */
  isDone?: () => Promise<boolean>;
  /** Lease of the unit locks in ms (default: ./unit_lock.ts). */
  leaseMs?: number;
  /** First interval in ms between looks at units other processes hold (default 200). */
  pollMs?: number;
  /**
   * Units committed at or after this time (ms since the epoch) count as
   * computed by this run, not reused, when finalize sees them (their other
   * processes, array tasks or workers, computed them for this run).
   */
  freshSince?: number;
}

/** What {@link runUnits} did. */
export interface RunUnitsResult {
  /** What finalize() returned (undefined when `select` was given). */
  summary: Record<string, unknown> | void;
  /** Ids computed now. */
  computed: string[];
  /** Ids adopted from an earlier run. */
  adopted: string[];
  /** True when `isDone` stopped the run early. */
  stopped: boolean;
}

let tmpCounter = 0;

/** Folder of a unit's lock files inside the unit store. */
export const LOCKS_DIR = ".locks";

/** The lock file of a unit in a unit store. */
export function unitLockPath(store: string, id: string): string {
  return join(store, LOCKS_DIR, `${unitFolder(id)}.lock`);
}

/**
 * The local executor of a unit stage: lists the units, adopts every unit
 * whose record and files verify, computes the missing ones wave by wave
 * (each into a temporary folder, committed by a rename with its record),
 * then finalizes into `ctx.outDir`.
 *
 * Several processes (array tasks, local workers, a second run) may work on
 * one unit store at once: each unit is computed under its own lock
 * (./unit_lock.ts), a unit another live process holds is skipped and
 * adopted once it is committed, so no unit is computed twice.
 *
 * @param units The stage's units.
 * @param ctx The stage context (outDir, params, progress…).
 * @param opts Key, unit store, selection.
 */
export async function runUnits<P, U extends UnitSpec, S>(
  units: StageUnits<P, U, S>,
  ctx: StageContext<P>,
  opts: RunUnitsOptions<U> = {},
): Promise<RunUnitsResult> {
  const stageName = opts.stageName ?? "stage";
  const key = opts.key ?? "";
  const store = opts.unitsDir ?? join(ctx.outDir, ".units");
  const list = listUnits(stageName, units, ctx.params);
  const order = list.map((u, i) => ({ u, i })).sort((a, b) =>
    waveOf(a.u) - waveOf(b.u) || a.i - b.i
  );
  const selected = (u: U, i: number) => !opts.select || opts.select(u, i);
  const tmpRoot = join(store, TMP_DIR);
  await Deno.mkdir(tmpRoot, { recursive: true });
  await Deno.mkdir(join(store, LOCKS_DIR), { recursive: true });

  const total = order.reduce((s, { u, i }) => s + (selected(u, i) ? weightOf(u) : 0), 0);
  const ticks = Number.isInteger(total) && total <= 100_000 ? total : 1000;
  const bar = ctx.progress(units.label ?? "units", ticks);
  let done = 0, ticked = 0;
  const advance = (w: number) => {
    done += w;
    const t = total > 0 ? Math.min(ticks, Math.floor((done / total) * ticks + 1e-9)) : 0;
    if (t > ticked) {
      bar.tick(t - ticked);
      ticked = t;
    }
  };

  const records = new Map<string, { record: UnitRecord; dir: string; reused: boolean }>();
  const byId = new Map(list.map((u) => [u.id, u]));
  const computed: string[] = [], adopted: string[] = [];
  const readSeal = (id: string) => records.get(id)?.record.seal;
  let state: { value: S } | undefined;

  /** Adopts the unit when its folder verifies; "invalid" when a folder is there but does not. */
  const adopt = async (u: U, i: number, dir: string): Promise<"adopted" | "absent" | "invalid"> => {
    if (!(await exists(dir))) return "absent";
    const check = await checkUnit(dir, u.id, unitFingerprint(key, u), readSeal);
    if (!check.ok) return "invalid";
    const fresh = opts.freshSince !== undefined &&
      Date.parse(check.record.computedAt) >= opts.freshSince;
    records.set(u.id, { record: check.record, dir, reused: !fresh });
    adopted.push(u.id);
    if (selected(u, i)) advance(weightOf(u));
    return "adopted";
  };

  /** Computes one unit into place; the caller holds its lock. */
  const computeOne = async (u: U, dir: string) => {
    const fingerprint = unitFingerprint(key, u);
    state ??= { value: units.setup ? await units.setup(ctx) : undefined as S };
    // only the lock holder writes a unit's temporary folder: what is there was left by a dead one
    const unitTmp = join(tmpRoot, unitFolder(u.id));
    await Deno.remove(unitTmp, { recursive: true }).catch(() => {});
    const tmp = join(unitTmp, `${Deno.pid}.${tmpCounter++}`);
    await Deno.mkdir(tmp, { recursive: true });
    const reads: Record<string, string> = {};
    let within = 0;
    const weight = weightOf(u);
    try {
      const facts = await units.compute(u, {
        params: ctx.params,
        inputs: ctx.inputs,
        backend: ctx.backend,
        rootDir: ctx.rootDir,
        log: ctx.log,
        dir: tmp,
        state: state.value,
        tick(w = 1) {
          const step = Math.max(0, Math.min(w, weight - within));
          within += step;
          advance(step);
        },
        completed(id) {
          const dep = byId.get(id);
          const rec = records.get(id);
          if (!dep || waveOf(dep) >= waveOf(u) || !rec) {
            throw new Error(
              `Unit ${u.id} cannot read unit ${id}: it is not a complete unit of an earlier wave`,
            );
          }
          reads[id] = rec.record.seal;
          return rec.dir;
        },
      });
      await removeTempFiles(tmp);
      const files = await hashTree(tmp, (rel) => rel === UNIT_RECORD);
      const body = {
        format: UNIT_FORMAT,
        id: u.id,
        fingerprint,
        files,
        facts: JSON.parse(JSON.stringify(facts ?? {})),
        reads,
        computedAt: new Date().toISOString(),
      };
      const record: UnitRecord = { ...body, seal: sealOf(body) };
      await writeJsonAtomic(join(tmp, UNIT_RECORD), record);
      await commit(tmp, dir);
      await Deno.remove(unitTmp, { recursive: true }).catch(() => {});
      records.set(u.id, { record, dir, reused: false });
      computed.push(u.id);
      advance(weight - within);
    } catch (e) {
      await Deno.remove(unitTmp, { recursive: true }).catch(() => {});
      throw e;
    }
  };

  let stopped = false;
  try {
    const waves = [...new Set(order.map(({ u }) => waveOf(u)))];
    for (const w of waves) {
      let pending = order.filter(({ u }) => waveOf(u) === w);
      const told = new Set<string>();
      let poll = opts.pollMs ?? 200;
      while (pending.length > 0 && !stopped) {
        const deferred: typeof pending = [];
        for (const { u, i } of pending) {
          const dir = join(store, unitFolder(u.id));
          if ((await adopt(u, i, dir)) === "adopted" || !selected(u, i)) continue;
          if (opts.isDone && await opts.isDone()) {
            stopped = true;
            break;
          }
          const got = await tryLock(unitLockPath(store, u.id), {
            what: `unit ${u.id} of stage "${stageName}"`,
            leaseMs: opts.leaseMs,
            log: ctx.log,
          });
          if (!("lock" in got)) {
            deferred.push({ u, i });
            if (!told.has(u.id)) {
              told.add(u.id);
              ctx.log(`unit ${u.id} is being computed by ${describeHolder(got.holder)}; waiting`);
            }
            continue;
          }
          try {
            // it may have been committed between the look above and the lock
            const again = await adopt(u, i, dir);
            if (again === "adopted") continue;
            if (again === "invalid") {
              const check = await checkUnit(dir, u.id, unitFingerprint(key, u), readSeal);
              ctx.log(
                `discarding unit ${u.id}: ${
                  check.ok ? "it changed while being checked" : check.reason
                }; computing it again`,
              );
              await Deno.remove(dir, { recursive: true });
            }
            await computeOne(u, dir);
          } finally {
            await got.lock.release();
          }
        }
        pending = deferred;
        if (pending.length > 0 && !stopped) {
          await new Promise((r) => setTimeout(r, poll));
          poll = Math.min(2000, poll * 1.5);
        }
      }
      if (stopped) break;
    }
  } finally {
    bar.stop();
  }
  // units this run's own processes (workers, an earlier phase) committed are not "resumed"
  const reusedIds = adopted.filter((id) => records.get(id)?.reused);
  if (reusedIds.length > 0) {
    ctx.log(`resumed: ${reusedIds.length} of ${list.length} unit(s) adopted (records verified)`);
  }
  if (opts.select || stopped) return { summary: undefined, computed, adopted, stopped };
  const missing = list.filter((u) => !records.has(u.id)).map((u) => u.id);
  if (missing.length > 0) throw new Error(`Units not complete: ${missing.join(", ")}`);
  const summary = await units.finalize({
    ...ctx,
    units: list.map((u) => {
      const r = records.get(u.id)!;
      return { unit: u, dir: r.dir, facts: r.record.facts, reused: r.reused };
    }),
  });
  if (opts.unitsDir === undefined) await Deno.remove(store, { recursive: true });
  return { summary, computed, adopted, stopped };
}

/** Renames a computed unit into place (replacing a stale folder another attempt left). */
async function commit(tmp: string, dir: string): Promise<void> {
  try {
    await Deno.rename(tmp, dir);
  } catch (e) {
    if (!(await exists(dir))) throw e;
    await Deno.remove(dir, { recursive: true });
    await Deno.rename(tmp, dir);
  }
}

/**
 * A `run()` for a unit stage that runs its units locally (for callers that
 * invoke `stage.run()` directly; the pipeline runner calls {@link runUnits}
 * itself with the key and the unit store beside the result).
 */
export function unitRun<P, U extends UnitSpec, S>(
  units: StageUnits<P, U, S>,
): Stage<P>["run"] {
  return async (ctx) => (await runUnits(units, ctx)).summary;
}
