/**
 * Garbage collection of a results folder (`deno task gc`, `reproduce --gc`):
 * removes stale state (`<key>.old-<pid>` folders left by a kill during the
 * swap, orphan `<key>.partial/` and `<key>.units/` folders, stale locks and
 * temporary files) and complete cache entries that neither `latest/` nor
 * `pipeline.lock.json` references. A `.partial` or `.units` folder whose lock
 * is held by a live process is never touched. A SLURM submission's folder
 * `jobs/<stage>-<key prefix>/` (job specs, logs) goes once its stage's result
 * for that key is complete in the cache (the submission is finished); one
 * whose result is still missing is kept, as a rerun resumes from it.
 *
 * @module
 */
import { join } from "node:path";
import { exists, TEMP_SUFFIX } from "../io/files.ts";
import { LATEST_DIR } from "./latest.ts";
import { readLock } from "./lock.ts";
import { processAlive } from "./mutex.ts";
import { holderStatus, readHolder } from "./unit_lock.ts";
import { LOCKS_DIR } from "./units.ts";

/** One thing gc removes (or, in a dry run, would remove). */
export interface GcItem {
  /** Absolute path. */
  path: string;
  /** Why it goes. */
  reason: string;
}

/** What {@link collectGarbage} did. */
export interface GcResult {
  /** Removed (or, with `dryRun`, to be removed). */
  removed: GcItem[];
  /** Kept because a live process holds their lock. */
  busy: string[];
}

const KEY = "[0-9a-f]{64}";
const COMPLETE = new RegExp(`^${KEY}$`);
const OLD = new RegExp(`^(${KEY})\\.old-(\\d+)$`);
const SCRATCH = new RegExp(`^(${KEY})\\.(partial|units)$`);
const LOCK = new RegExp(`^(${KEY})\\.lock$`);

/** The pid in a lock file, when it names a live holder (./unit_lock.ts: PID, start time, lease). */
async function liveHolder(lockPath: string): Promise<number | undefined> {
  const h = await readHolder(lockPath);
  return h && typeof h.pid === "number" && holderStatus(h).alive ? h.pid : undefined;
}

/** Whether a live process holds the lock of any unit in a unit store. */
async function unitLockHeld(store: string): Promise<boolean> {
  const locks = join(store, LOCKS_DIR);
  if (!(await exists(locks))) return false;
  for await (const e of Deno.readDir(locks)) {
    if (e.name.endsWith(".lock") && await liveHolder(join(locks, e.name)) !== undefined) {
      return true;
    }
  }
  return false;
}

/** Every `<stage>/<key>` that latest/ or pipeline.lock.json references. */
async function referenced(resultsDir: string): Promise<Set<string>> {
  const refs = new Set<string>();
  const lock = await readLock(resultsDir);
  for (const [stage, entry] of Object.entries(lock.stages)) {
    if (typeof entry?.key === "string") refs.add(`${stage}/${entry.key}`);
    for (const d of entry?.deps ?? []) {
      if ("stage" in d && typeof d.key === "string") refs.add(`${d.stage}/${d.key}`);
    }
  }
  const latest = join(resultsDir, LATEST_DIR);
  if (await exists(latest)) {
    for await (const e of Deno.readDir(latest)) {
      const p = join(latest, e.name);
      if (e.isSymlink) {
        const m = new RegExp(`cache/([^/]+)/(${KEY})$`).exec(await Deno.readLink(p));
        if (m) refs.add(`${m[1]}/${m[2]}`);
      } else if (e.isFile && e.name.endsWith(".json")) {
        try {
          const m = JSON.parse(await Deno.readTextFile(p));
          if (typeof m?.stage === "string" && typeof m?.key === "string") {
            refs.add(`${m.stage}/${m.key}`);
          }
        } catch {
          // unreadable view: references nothing
        }
      }
    }
  }
  return refs;
}

const JOB = /^(.+)-([0-9a-f]{16})$/;

/** Adds every `jobs/<stage>-<key16>` folder whose stage result is complete in the cache. */
async function finishedJobs(
  resultsDir: string,
  drop: (path: string, reason: string) => void,
): Promise<void> {
  const jobs = join(resultsDir, "jobs");
  if (!(await exists(jobs))) return;
  for await (const e of Deno.readDir(jobs)) {
    const m = e.isDirectory ? JOB.exec(e.name) : null;
    if (!m) continue;
    const stageDir = join(resultsDir, "cache", m[1]);
    if (!(await exists(stageDir))) continue;
    for await (const c of Deno.readDir(stageDir)) {
      if (c.isDirectory && COMPLETE.test(c.name) && c.name.startsWith(m[2])) {
        drop(join(jobs, e.name), "job specs and logs of a finished submission");
        break;
      }
    }
  }
}

/**
 * Finds (and unless `dryRun`, removes) the garbage in a results folder.
 *
 * @param resultsDir The results root (holding `cache/`, `latest/`, `pipeline.lock.json`).
 * @param opts `dryRun`: list only.
 */
export async function collectGarbage(
  resultsDir: string,
  opts: { dryRun?: boolean } = {},
): Promise<GcResult> {
  const removed: GcItem[] = [];
  const busy: string[] = [];
  const cache = join(resultsDir, "cache");
  if (!(await exists(cache))) return { removed, busy };
  const refs = await referenced(resultsDir);
  const drop = (path: string, reason: string) => removed.push({ path, reason });
  for await (const s of Deno.readDir(cache)) {
    if (!s.isDirectory) continue;
    const stageDir = join(cache, s.name);
    for await (const e of Deno.readDir(stageDir)) {
      const path = join(stageDir, e.name);
      let m: RegExpExecArray | null;
      if (COMPLETE.test(e.name)) {
        if (!refs.has(`${s.name}/${e.name}`)) {
          drop(path, "a cache entry that no latest/ view or pipeline.lock.json references");
        }
      } else if ((m = OLD.exec(e.name))) {
        if (!processAlive(Number(m[2]))) drop(path, "left by a run killed while swapping results");
      } else if ((m = SCRATCH.exec(e.name))) {
        if (
          await liveHolder(join(stageDir, `${m[1]}.lock`)) !== undefined ||
          await unitLockHeld(join(stageDir, `${m[1]}.units`))
        ) busy.push(path);
        else {
          drop(
            path,
            (await exists(join(stageDir, m[1])))
              ? `unfinished ${m[2]} of a result that is complete`
              : `orphan ${m[2]} of an interrupted run`,
          );
        }
      } else if ((m = LOCK.exec(e.name))) {
        if (await liveHolder(path) === undefined) {
          drop(path, "stale lock of a process that is gone");
        }
      } else if (e.name.endsWith(TEMP_SUFFIX)) {
        drop(path, "temporary file");
      }
    }
  }
  await finishedJobs(resultsDir, drop);
  removed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (!opts.dryRun) {
    for (const r of removed) await Deno.remove(r.path, { recursive: true }).catch(() => {});
  }
  return { removed, busy };
}
