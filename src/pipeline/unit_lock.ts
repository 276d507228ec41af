/**
 * Locks that work on a shared filesystem (a `results/` folder that array
 * tasks on several nodes see): one per unit (`<key>.units/.locks/<unit>.lock`)
 * and one per stage result (`<key>.lock`, held only while finalizing).
 *
 * A lock file names its holder: host, PID, the process's start time (Linux
 * `/proc/<pid>/stat` field 22, so a PID reused by an unrelated process is
 * recognised), the boot id, a random token, and a lease that the holder
 * renews while it works (heartbeat). It is created atomically: the content is
 * written to a private file first and then hard-linked to the lock name,
 * which fails when the name exists (atomic on local filesystems and NFS), so
 * a reader never sees a half-written lock and two processes never both hold
 * one. A lock is stale, and taken over, when
 * - its holder ran on this host (same boot) and that PID is gone, or now
 *   belongs to a process with another start time;
 * - its holder ran on another host (or before a reboot) and its lease has
 *   not been renewed for longer than the lease;
 * - it is a lock of the old format (`{"pid": N}`) whose PID is gone or is
 *   not a Deno process.
 * Taking over goes through a short-lived `<lock>.break` file (itself created
 * exclusively) so that two processes breaking the same stale lock never
 * remove a fresh one.
 *
 * @module
 */
import { hostname } from "node:os";
import { processAlive } from "./mutex.ts";

/** What a lock file holds. */
export interface LockHolder {
  /** Host name of the holder (`os.hostname()`). */
  host: string;
  /** Its process id. */
  pid: number;
  /** Its start time (`/proc/<pid>/stat` field 22, clock ticks since boot); null when unknown. */
  start: string | null;
  /** `/proc/sys/kernel/random/boot_id` of its host; null when unknown. */
  boot: string | null;
  /** Random token of this acquisition. */
  token: string;
  /** Lease in milliseconds: the holder renews `renewedAt` well within it. */
  leaseMs: number;
  /** When the lease was last renewed (ms since the epoch, holder's clock). */
  renewedAt: number;
  /** When it was taken (ISO). */
  acquiredAt: string;
  /** What is locked, for messages. */
  what: string;
}

/** Default lease: a holder that has not renewed its lock for this long is taken to be dead. */
export const DEFAULT_LEASE_MS = 5 * 60_000;

/** The lease in ms: `$FG_LOCK_LEASE_S` seconds when set (tests), else {@link DEFAULT_LEASE_MS}. */
export function defaultLeaseMs(): number {
  const s = Number(Deno.env.get("FG_LOCK_LEASE_S"));
  return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_LEASE_MS;
}

/** This host's name. */
export function hostName(): string {
  return hostname();
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** A process's start time: field 22 of `/proc/<pid>/stat`, or null when it cannot be read. */
export function processStart(pid: number): string | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // field 2 (comm) is parenthesised and may hold spaces: count fields after the last ")"
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return rest[22 - 3] ?? null;
}

/** This machine's boot id, or null. */
export function bootId(): string | null {
  return readText("/proc/sys/kernel/random/boot_id")?.trim() ?? null;
}

/** Whether a lock's holder is alive, and why not. */
export function holderStatus(
  h: Partial<LockHolder>,
  now: number = Date.now(),
): { alive: boolean; reason: string } {
  const pid = typeof h.pid === "number" ? h.pid : NaN;
  if (typeof h.token !== "string" || typeof h.host !== "string") {
    // the old format: {"pid": N, "startedAt": …}, always written on this host
    if (!processAlive(pid)) return { alive: false, reason: `process ${pid} is gone` };
    const cmd = readText(`/proc/${pid}/cmdline`);
    if (cmd !== null && !/deno/i.test(cmd)) {
      return { alive: false, reason: `process ${pid} is not a deno process (its PID was reused)` };
    }
    return { alive: true, reason: `process ${pid} is running` };
  }
  const sameBoot = h.boot === null || h.boot === undefined || bootId() === null ||
    h.boot === bootId();
  if (h.host === hostName() && sameBoot) {
    if (!processAlive(pid)) return { alive: false, reason: `process ${pid} is gone` };
    const start = processStart(pid);
    if (h.start && start && start !== h.start) {
      return {
        alive: false,
        reason: `PID ${pid} now belongs to another process (start time ${start}, not ${h.start})`,
      };
    }
    return { alive: true, reason: `process ${pid} on ${h.host} is running` };
  }
  const age = now - (h.renewedAt ?? 0);
  const lease = h.leaseMs ?? DEFAULT_LEASE_MS;
  if (!(age <= lease)) {
    return {
      alive: false,
      reason: `its lease expired (${h.host} PID ${pid} last renewed it ${
        Math.round(age / 1000)
      } s ago, lease ${Math.round(lease / 1000)} s)`,
    };
  }
  return {
    alive: true,
    reason: `${h.host} PID ${pid} renewed its lease ${Math.round(age / 1000)} s ago`,
  };
}

/** Reads a lock file: its holder, `null` when unreadable or not JSON, undefined when absent. */
export async function readHolder(path: string): Promise<Partial<LockHolder> | null | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    return null;
  }
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === "object" ? v : null;
  } catch {
    return null;
  }
}

/** Whether the lock at `path` is held by a live holder (false when absent or stale). */
export async function lockHeld(path: string): Promise<boolean> {
  const h = await readHolder(path);
  return h !== undefined && h !== null && holderStatus(h).alive;
}

/** A held lock. */
export interface HeldLock {
  /** The lock file. */
  path: string;
  /** What it holds. */
  holder: LockHolder;
  /** True once another process took it over (the heartbeat found another token). */
  readonly lost: boolean;
  /** Renews the lease now (the heartbeat does it every lease/4). */
  renew(): Promise<void>;
  /** Stops the heartbeat and removes the lock (when still ours). */
  release(): Promise<void>;
}

/** Options of {@link tryLock} and {@link acquireLock}. */
export interface LockOptions {
  /** Lease in ms (default {@link defaultLeaseMs}). */
  leaseMs?: number;
  /** Description for messages, e.g. `unit n=16 of stage "approx"`. */
  what?: string;
  /** Sink for a line saying that a stale lock was taken over. */
  log?: (line: string) => void;
}

function randomToken(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

const enc = new TextEncoder();

/** Writes `holder` into a private file and links it to `path`; false when `path` exists. */
async function createExclusive(path: string, holder: LockHolder): Promise<boolean> {
  const tmp = `${path}.${holder.token}.new`;
  await Deno.writeFile(tmp, enc.encode(JSON.stringify(holder) + "\n"));
  try {
    await Deno.link(tmp, path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Removes the lock at `path` when it still holds `token` (null: the unreadable one seen). */
async function breakStale(path: string, token: string | null | undefined): Promise<boolean> {
  const breaker = `${path}.break`;
  try {
    await Deno.writeFile(breaker, enc.encode(`${Deno.pid}\n`), { createNew: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    // a breaker that died mid-way: its file is older than a few seconds
    const st = await Deno.stat(breaker).catch(() => undefined);
    if (st?.mtime && Date.now() - st.mtime.getTime() > 10_000) {
      await Deno.remove(breaker).catch(() => {});
    }
    return false;
  }
  try {
    const now = await readHolder(path);
    if (now === undefined) return true;
    const same = now === null ? token === null : now.token === token;
    if (!same || (now !== null && holderStatus(now).alive)) return false;
    await Deno.remove(path).catch(() => {});
    return true;
  } finally {
    await Deno.remove(breaker).catch(() => {});
  }
}

/**
 * Tries once to take the lock at `path` (taking over a stale one).
 *
 * @returns The held lock, or the live holder that has it.
 */
export async function tryLock(
  path: string,
  opts: LockOptions = {},
): Promise<{ lock: HeldLock } | { holder: Partial<LockHolder>; reason: string }> {
  const leaseMs = opts.leaseMs ?? defaultLeaseMs();
  const what = opts.what ?? path;
  for (let attempt = 0; attempt < 3; attempt++) {
    const holder: LockHolder = {
      host: hostName(),
      pid: Deno.pid,
      start: processStart(Deno.pid),
      boot: bootId(),
      token: randomToken(),
      leaseMs,
      renewedAt: Date.now(),
      acquiredAt: new Date().toISOString(),
      what,
    };
    if (await createExclusive(path, holder)) return { lock: heldLock(path, holder) };
    const seen = await readHolder(path);
    if (seen === undefined) continue; // released meanwhile: try again
    if (seen !== null) {
      const st = holderStatus(seen);
      if (st.alive) return { holder: seen, reason: st.reason };
      opts.log?.(`taking over the lock of ${what}: ${st.reason}`);
    } else {
      opts.log?.(`taking over the unreadable lock of ${what}`);
    }
    if (!(await breakStale(path, seen === null ? null : seen.token))) {
      const again = await readHolder(path);
      if (again && holderStatus(again).alive) {
        return { holder: again, reason: holderStatus(again).reason };
      }
    }
  }
  const h = (await readHolder(path)) ?? {};
  return { holder: h, reason: "another process is taking it over" };
}

function heldLock(path: string, holder: LockHolder): HeldLock {
  let lost = false;
  let released = false;
  const renew = async () => {
    if (released || lost) return;
    const now = await readHolder(path);
    if (!now || now.token !== holder.token) {
      lost = true;
      return;
    }
    holder.renewedAt = Date.now();
    const tmp = `${path}.${holder.token}.renew`;
    await Deno.writeTextFile(tmp, JSON.stringify(holder) + "\n");
    await Deno.rename(tmp, path);
  };
  const timer = setInterval(() => {
    renew().catch(() => {});
  }, Math.max(50, Math.floor(holder.leaseMs / 4)));
  Deno.unrefTimer(timer);
  return {
    path,
    holder,
    get lost() {
      return lost;
    },
    renew,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      const now = await readHolder(path);
      if (now && now.token === holder.token) await Deno.remove(path).catch(() => {});
    },
  };
}

/** Describes a holder for messages: `process 123 on node7 (since …)`. */
export function describeHolder(h: Partial<LockHolder>): string {
  return `process ${h.pid ?? "?"}${h.host ? ` on ${h.host}` : ""}${
    h.acquiredAt ? ` (since ${h.acquiredAt})` : ""
  }`;
}

/** Options of {@link acquireLock}. */
export interface AcquireOptions extends LockOptions {
  /** How long to wait for a live holder, in ms (default `$FG_LOCK_WAIT_S` s, else 24 h). */
  timeoutMs?: number;
  /** First poll interval in ms (default 250; grows to 2 s). */
  pollMs?: number;
}

/** The wait in ms: `$FG_LOCK_WAIT_S` seconds when set, else 24 hours. */
export function defaultWaitMs(): number {
  const s = Number(Deno.env.get("FG_LOCK_WAIT_S"));
  return Number.isFinite(s) && s >= 0 && Deno.env.get("FG_LOCK_WAIT_S") !== undefined
    ? s * 1000
    : 24 * 3600_000;
}

/**
 * Takes the lock at `path`, waiting (with one message) while a live process
 * holds it.
 *
 * @throws Error naming the holder when it still holds the lock after the timeout
 */
export async function acquireLock(path: string, opts: AcquireOptions = {}): Promise<HeldLock> {
  const timeoutMs = opts.timeoutMs ?? defaultWaitMs();
  const what = opts.what ?? path;
  const t0 = Date.now();
  let poll = opts.pollMs ?? 250;
  let told = false;
  for (;;) {
    const r = await tryLock(path, opts);
    if ("lock" in r) return r.lock;
    const waited = Date.now() - t0;
    if (waited >= timeoutMs) {
      throw new Error(
        `Cannot run ${what}: ${describeHolder(r.holder)} is computing the same result ` +
          `(lock ${path}; waited ${Math.round(waited / 1000)} s)`,
      );
    }
    if (!told) {
      opts.log?.(
        `waiting for ${describeHolder(r.holder)}, which is computing ${what} ` +
          `(lock ${path}; ${r.reason}; timeout ${Math.round(timeoutMs / 1000)} s)`,
      );
      told = true;
    }
    await new Promise((res) => setTimeout(res, Math.min(poll, timeoutMs - waited)));
    poll = Math.min(2000, poll * 1.5);
  }
}
