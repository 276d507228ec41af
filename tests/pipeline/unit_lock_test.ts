// Unit locks (src/pipeline/unit_lock.ts) with real subprocesses: two processes share one stage's
// units without computing any twice; a stale lock of a "remote" holder is taken over after its
// lease; a lock naming a live but unrelated PID (another start time) is taken over at once.
import assert, { deepEqual as assertEquals } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { hostname } from "node:os";
import { makeRoot } from "../fixtures/pipeline/stages.ts";
import {
  holderStatus,
  type LockHolder,
  processStart,
  tryLock,
} from "../../src/pipeline/unit_lock.ts";

const unitScript = fileURLToPath(new URL("../fixtures/pipeline/unit_run.ts", import.meta.url));

function spawnUnits(results: string, root: string, delayMs: number) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", unitScript, results, root],
    env: { FG_FIXTURE_DELAY_MS: String(delayMs) },
    stdout: "piped",
    stderr: "piped",
  });
}

function computedOf(stdout: Uint8Array): string[] {
  const line = new TextDecoder().decode(stdout).split("\n").find((l) => l.startsWith("computed"));
  return (line ?? "computed ").slice("computed ".length).split(",").filter((s) => s !== "");
}

/** Runs the unit fixture once and returns its key, then removes the result (keeps nothing). */
async function keyOf(results: string, root: string): Promise<string> {
  const out = await spawnUnits(results, root, 0).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const stageDir = join(results, "cache", "units");
  const [key] = [...Deno.readDirSync(stageDir)].map((e) => e.name);
  await Deno.remove(join(stageDir, key), { recursive: true });
  await Deno.remove(join(results, "latest"), { recursive: true });
  await Deno.remove(join(results, "pipeline.lock.json"));
  return key;
}

const ALL = "w0/u0 10\nw0/u1 20\nw0/u2 30\nw1/sum0 60\n";

Deno.test("two processes computing one stage's units never compute a unit twice", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  try {
    const [a, b] = await Promise.all([
      spawnUnits(results, root, 400).output(),
      spawnUnits(results, root, 400).output(),
    ]);
    assertEquals([a.code, b.code], [0, 0], new TextDecoder().decode(a.stderr));
    const ca = computedOf(a.stdout), cb = computedOf(b.stdout);
    assertEquals([...ca, ...cb].sort(), ["w0/u0", "w0/u1", "w0/u2", "w1/sum0"]);
    const stageDir = join(results, "cache", "units");
    const names = [...Deno.readDirSync(stageDir)].map((e) => e.name);
    assertEquals(names.length, 1, names.join(" "));
    assertEquals(await Deno.readTextFile(join(stageDir, names[0], "all.txt")), ALL);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

function remoteLock(leaseMs: number, extra: Partial<LockHolder> = {}): LockHolder {
  return {
    host: "another-node.cluster",
    pid: 4242,
    start: "777",
    boot: "00000000-0000-0000-0000-000000000000",
    token: "f".repeat(24),
    leaseMs,
    renewedAt: Date.now(),
    acquiredAt: new Date().toISOString(),
    what: "unit w0/u0",
    ...extra,
  };
}

Deno.test("a stale lock from another host is taken over only after its lease", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  try {
    const key = await keyOf(results, root);
    const locks = join(results, "cache", "units", `${key}.units`, ".locks");
    await Deno.mkdir(locks, { recursive: true });
    const leaseMs = 2500;
    await Deno.writeTextFile(join(locks, "w0+u0.lock"), JSON.stringify(remoteLock(leaseMs)));
    const t0 = Date.now();
    const out = await spawnUnits(results, root, 0).output();
    const elapsed = Date.now() - t0;
    const err = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, err);
    // it computed every unit, w0/u0 last (after the lease ran out), and never before the lease
    assertEquals(computedOf(out.stdout), ["w0/u1", "w0/u2", "w0/u0", "w1/sum0"]);
    assert.ok(elapsed >= leaseMs - 100, `finished after ${elapsed} ms, lease ${leaseMs} ms`);
    const dir = join(results, "cache", "units", key);
    assertEquals(await Deno.readTextFile(join(dir, "all.txt")), ALL);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a lock naming a live PID with another start time (a reused PID) is taken over at once", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  try {
    const key = await keyOf(results, root);
    const stageDir = join(results, "cache", "units");
    const locks = join(stageDir, `${key}.units`, ".locks");
    await Deno.mkdir(locks, { recursive: true });
    // PID 1 runs, but it is not the process that wrote this lock (another start time)
    const real = processStart(1);
    assert.ok(real !== null, "this test needs /proc/1/stat");
    const reused = remoteLock(3_600_000, {
      host: hostname(),
      pid: 1,
      start: `${Number(real) + 1}`,
    });
    reused.boot = null;
    await Deno.writeTextFile(join(locks, "w0+u0.lock"), JSON.stringify(reused));
    // and the stage lock in the old format, {"pid": 1}: PID 1 is not a deno process
    await Deno.writeTextFile(join(stageDir, `${key}.lock`), JSON.stringify({ pid: 1 }));
    const t0 = Date.now();
    const out = await spawnUnits(results, root, 0).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertEquals(computedOf(out.stdout), ["w0/u0", "w0/u1", "w0/u2", "w1/sum0"]);
    assert.ok(Date.now() - t0 < 60_000);
    assertEquals(await Deno.readTextFile(join(stageDir, key, "all.txt")), ALL);
    assertEquals([...Deno.readDirSync(stageDir)].map((e) => e.name), [key]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("holderStatus(): live here, dead PID, reused PID, remote within and past its lease", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "x.lock");
    const got = await tryLock(path, { leaseMs: 60_000 });
    assert.ok("lock" in got);
    // a second try sees the live holder (this process) and does not take it
    const second = await tryLock(path, { leaseMs: 60_000 });
    assert.ok("holder" in second);
    assertEquals(second.holder.pid, Deno.pid);
    const me = got.lock.holder;
    assertEquals(holderStatus(me).alive, true);
    const gone = new Deno.Command(Deno.execPath(), { args: ["--version"], stdout: "null" }).spawn();
    await gone.status;
    assertEquals(holderStatus({ ...me, pid: gone.pid }).alive, false);
    assertEquals(holderStatus({ ...me, start: `${Number(me.start) + 1}` }).alive, false);
    const now = Date.now();
    assertEquals(holderStatus(remoteLock(1000, { renewedAt: now - 500 }), now).alive, true);
    assertEquals(holderStatus(remoteLock(1000, { renewedAt: now - 1500 }), now).alive, false);
    // the heartbeat renews the lease; release removes only our own lock
    const before = me.renewedAt;
    await new Promise((r) => setTimeout(r, 5));
    await got.lock.renew();
    const onDisk = JSON.parse(await Deno.readTextFile(path));
    assert.ok(onDisk.renewedAt > before);
    await got.lock.release();
    assertEquals(await Deno.stat(path).then(() => true, () => false), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
