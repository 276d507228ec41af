import assert, { deepEqual as assertEquals, notEqual, rejects } from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../src/cli/args.ts";
import { exists } from "../../src/io/files.ts";
import type { LockFile } from "../../src/pipeline/lock.ts";
import type { Manifest } from "../../src/pipeline/manifest.ts";
import {
  type RunOptions,
  runPipeline,
  runStage,
  StageError,
  type StageOutcome,
} from "../../src/pipeline/run.ts";
import {
  FAKE_BACKEND,
  type FixtureOptions,
  makeRoot,
  makeStages,
} from "../fixtures/pipeline/stages.ts";

interface Env {
  root: string;
  results: string;
  counts: Record<string, number>;
  run(name: string, opts?: Partial<RunOptions>, fx?: FixtureOptions): Promise<StageOutcome[]>;
  cleanup(): Promise<void>;
}

async function setup(): Promise<Env> {
  const root = await makeRoot();
  const results = join(root, "results");
  const counts: Record<string, number> = {};
  return {
    root,
    results,
    counts,
    async run(name, opts = {}, fx = {}) {
      const r = await runStage(name, {
        profile: "smoke",
        backend: FAKE_BACKEND,
        resultsDir: results,
        rootDir: root,
        log: () => {},
        progress: { mode: "off" },
        ...opts,
      }, makeStages(counts, fx));
      return r.outcomes;
    },
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}

const statuses = (os: StageOutcome[]) => Object.fromEntries(os.map((o) => [o.stage, o.status]));

Deno.test("runStage() runs upstream stages once and the second identical run does no work", async () => {
  const env = await setup();
  try {
    const first = await env.run("c");
    assertEquals(statuses(first), { a: "ran", b: "ran", c: "ran" });
    assertEquals(env.counts, { a: 1, b: 1, c: 1 });
    const second = await env.run("c");
    assertEquals(statuses(second), { a: "cached", b: "cached", c: "cached" });
    assertEquals(env.counts, { a: 1, b: 1, c: 1 });
    assertEquals(second.map((o) => o.key), first.map((o) => o.key));
    const c = second[2];
    assertEquals(await Deno.readTextFile(join(c.dir, "sum.txt")), "6\n"); // (1 + 2) * 2
    assertEquals(c.dir, join(env.results, "cache", "c", c.key));
    assertEquals(await exists(`${c.dir}.partial`), false);
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() writes a manifest with params, inputs, hashes, versions and timings", async () => {
  const env = await setup();
  try {
    const [a, b] = await env.run("b");
    const m: Manifest = JSON.parse(await Deno.readTextFile(join(b.dir, "manifest.json")));
    assertEquals(m.stage, "b");
    assertEquals(m.key, b.key);
    assertEquals(m.params, { scale: 2 });
    assertEquals(m.profile, "smoke");
    assertEquals(m.inputs, { a: a.key });
    assertEquals(Object.keys(m.sources.files), ["src/b/mod.ts"]);
    assertEquals(Object.keys(m.files), ["scaled/values.txt"]);
    assertEquals(m.files["scaled/values.txt"].size, "2\n4\n".length);
    assert.match(m.files["scaled/values.txt"].sha256, /^[0-9a-f]{64}$/);
    assertEquals(m.backend.name, "cpu");
    assertEquals(m.backend.inKey, true);
    assertEquals(m.versions.deno, Deno.version.deno);
    assert.ok(Date.parse(m.finishedAt) >= Date.parse(m.startedAt));
    assert.ok(m.wallSeconds >= 0);
    assertEquals(m.resumed, false);
    const am: Manifest = JSON.parse(await Deno.readTextFile(join(a.dir, "manifest.json")));
    assertEquals(am.summary, { count: 2 });
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() updates the latest view and pipeline.lock.json after each stage", async () => {
  const env = await setup();
  try {
    const [a, b] = await env.run("b");
    const latest = JSON.parse(await Deno.readTextFile(join(env.results, "latest", "b.json")));
    assertEquals(latest.key, b.key);
    assertEquals(latest.dir, `results/cache/b/${b.key}`);
    assertEquals(
      await Deno.readTextFile(join(env.results, "latest", "b", "scaled", "values.txt")),
      "2\n4\n",
    );
    const lock: LockFile = JSON.parse(
      await Deno.readTextFile(join(env.results, "pipeline.lock.json")),
    );
    assertEquals(Object.keys(lock.stages), ["a", "b"]);
    const lb = lock.stages.b;
    assertEquals(lb.key, b.key);
    assertEquals(lb.params, { scale: 2 });
    assert.ok(lb.deps.some((d) => "stage" in d && d.stage === "a" && d.key === a.key));
    assert.ok(lb.deps.some((d) => d.path === "src/b/mod.ts" && "sha256" in d));
    assertEquals(lb.outs.map((o) => o.path), [`results/cache/b/${b.key}/scaled/values.txt`]);
    // a run under another profile moves "latest" and the lock entry of a
    await env.run("a", { profile: "paper" });
    const lock2: LockFile = JSON.parse(
      await Deno.readTextFile(join(env.results, "pipeline.lock.json")),
    );
    notEqual(lock2.stages.a.key, a.key);
    assertEquals(lock2.stages.a.params, { n: 5 });
    assertEquals(
      await Deno.readTextFile(join(env.results, "latest", "a", "numbers.txt")),
      "1\n2\n3\n4\n5\n",
    );
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() reruns only the changed stage and its dependents, not its upstream", async () => {
  const env = await setup();
  try {
    const before = await env.run("c", {}, { bScale: 2 });
    await env.run("d");
    assertEquals(env.counts, { a: 1, b: 1, c: 1, d: 1 });
    const after = await env.run("c", {}, { bScale: 3 });
    assertEquals(statuses(after), { a: "cached", b: "ran", c: "ran" });
    assertEquals(after[0].key, before[0].key);
    notEqual(after[1].key, before[1].key);
    notEqual(after[2].key, before[2].key);
    assertEquals(await Deno.readTextFile(join(after[2].dir, "sum.txt")), "9\n");
    assertEquals(statuses(await env.run("d")), { a: "cached", d: "cached" });
    assertEquals(env.counts, { a: 1, b: 2, c: 2, d: 1 });
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() applies the target's flags over its profile parameters", async () => {
  const env = await setup();
  try {
    const viaProfile = await env.run("b", {}, { bScale: 3 });
    const viaFlag = await env.run("b", { flagArgs: ["--scale", "3"] }, { bScale: 2 });
    assertEquals(viaFlag[1].key, viaProfile[1].key);
    assertEquals(statuses(viaFlag), { a: "cached", b: "cached" });
    const other = await env.run("b", { flagArgs: ["--scale=7"] });
    assertEquals(other[1].manifest.params, { scale: 7 });
    assertEquals(statuses(other), { a: "cached", b: "ran" });
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() changes the key when a source file changes, is added or renamed", async () => {
  const env = await setup();
  try {
    const k0 = (await env.run("c"))[0].key;
    await Deno.writeTextFile(join(env.root, "src", "a", "mod.ts"), "export const a = 2;\n");
    const edited = await env.run("c");
    assertEquals(statuses(edited), { a: "ran", b: "ran", c: "ran" });
    const k1 = edited[0].key;
    notEqual(k1, k0);
    await Deno.writeTextFile(join(env.root, "src", "a", "extra.ts"), "\n");
    const k2 = (await env.run("a"))[0].key;
    notEqual(k2, k1);
    await Deno.rename(
      join(env.root, "src", "a", "extra.ts"),
      join(env.root, "src", "a", "other.ts"),
    );
    const k3 = (await env.run("a"))[0].key;
    notEqual(k3, k2);
    assertEquals(statuses(await env.run("c")), { a: "cached", b: "ran", c: "ran" });
    // a source outside a stage's declared sources does not matter
    await Deno.writeTextFile(join(env.root, "src", "d", "mod.ts"), "changed\n");
    assertEquals(statuses(await env.run("c")), { a: "cached", b: "cached", c: "cached" });
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() puts the backend name in the key unless the stage is backend-independent", async () => {
  const env = await setup();
  try {
    const cpu = await env.run("d");
    const wasm = await env.run("d", { backend: { ...FAKE_BACKEND, name: "wasm" } });
    notEqual(wasm[0].key, cpu[0].key);
    assertEquals(wasm[0].status, "ran");
    // d's own key differs only through a's key
    assertEquals(wasm[1].manifest.backend.inKey, false);
    const d2 = await env.run("d", { backend: { ...FAKE_BACKEND, name: "wasm" } });
    assertEquals(statuses(d2), { a: "cached", d: "cached" });
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() recomputes a result whose files were corrupted, removed or added to", async () => {
  const env = await setup();
  try {
    const [, b] = await env.run("b");
    const file = join(b.dir, "scaled", "values.txt");
    await Deno.writeTextFile(file, "2\n5\n");
    let again = await env.run("b");
    assertEquals(statuses(again), { a: "cached", b: "ran" });
    assertEquals(await Deno.readTextFile(file), "2\n4\n");
    await Deno.remove(file);
    again = await env.run("b");
    assertEquals(again[1].status, "ran");
    await Deno.writeTextFile(join(b.dir, "stray.txt"), "x");
    again = await env.run("b");
    assertEquals(again[1].status, "ran");
    assertEquals(await exists(join(b.dir, "stray.txt")), false);
    await Deno.writeTextFile(join(b.dir, "manifest.json"), "{not json");
    again = await env.run("b");
    assertEquals(again[1].status, "ran");
    await Deno.remove(join(b.dir, "manifest.json"));
    again = await env.run("b");
    assertEquals(again[1].status, "ran");
    assertEquals(env.counts, { a: 1, b: 6 });
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() never trusts a .partial folder and resumes it", async () => {
  const env = await setup();
  try {
    await rejects(env.run("c", {}, { bThrows: true }), (e: unknown) => {
      assert.ok(e instanceof StageError);
      assertEquals(e.stage, "b");
      assert.match(e.message, /b exploded/);
      return true;
    });
    const bDir = join(env.results, "cache", "b");
    const entries = [...Deno.readDirSync(bDir)].map((e) => e.name);
    assertEquals(entries.length, 1);
    assert.match(entries[0], /^[0-9a-f]{64}\.partial$/);
    assertEquals(await exists(join(bDir, entries[0], "manifest.json")), false);
    assertEquals(await exists(join(bDir, entries[0], "scaled", "values.txt")), true);
    const fixed = await env.run("c");
    assertEquals(statuses(fixed), { a: "cached", b: "ran", c: "ran" });
    assertEquals(fixed[1].manifest.resumed, true);
    assertEquals(`${fixed[1].key}.partial`, entries[0]);
    assertEquals([...Deno.readDirSync(bDir)].map((e) => e.name), [fixed[1].key]);
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() with force recomputes the target only, from scratch", async () => {
  const env = await setup();
  try {
    const first = await env.run("c");
    await Deno.mkdir(join(first[2].dir + ".partial"), { recursive: true });
    await Deno.writeTextFile(join(first[2].dir + ".partial", "leftover.txt"), "x");
    const forced = await env.run("c", { force: true });
    assertEquals(statuses(forced), { a: "cached", b: "cached", c: "ran" });
    assertEquals(forced[2].key, first[2].key);
    assertEquals(forced[2].manifest.resumed, false);
    assertEquals(Object.keys(forced[2].manifest.files), ["sum.txt"]);
    assertEquals([...Deno.readDirSync(join(env.results, "cache", "c"))].map((e) => e.name), [
      first[2].key,
    ]);
    assertEquals(env.counts, { a: 1, b: 1, c: 2 });
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() rejects a bad profile, flag or stage before writing anything", async () => {
  const env = await setup();
  try {
    await rejects(env.run("c", { profile: "huge" }), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assertEquals(e.message, '--profile must be one of smoke, quick, paper, got "huge"');
      return true;
    });
    await rejects(
      env.run("b", { flagArgs: ["--scale", "500"] }),
      /--scale must be a number in \[0, 100\]/,
    );
    await rejects(env.run("b", { flagArgs: ["--nope"] }), UsageError);
    await rejects(env.run("zzz"), /unknown stage "zzz"; stages: a, b, c, d, verdict/);
    assertEquals(await exists(env.results), false);
    assertEquals(env.counts, {});
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() keeps a result whose summary says ok: false and marks it failed", async () => {
  const env = await setup();
  try {
    const out = await env.run("verdict", {}, { verdictOk: false });
    assertEquals(out[3].status, "ran");
    assertEquals(out[3].passed, false);
    const again = await env.run("verdict", {}, { verdictOk: false });
    assertEquals(again[3].status, "cached");
    assertEquals(again[3].passed, false);
  } finally {
    await env.cleanup();
  }
});

Deno.test("runPipeline() walks the graph, skips dependents of a failed stage and runs the rest", async () => {
  const env = await setup();
  try {
    const opts = {
      profile: "smoke",
      backend: FAKE_BACKEND,
      resultsDir: env.results,
      rootDir: env.root,
      log: () => {},
      progress: { mode: "off" as const },
    };
    const bad = await runPipeline(opts, makeStages(env.counts, { bThrows: true }));
    assertEquals(bad.ok, false);
    assertEquals(
      bad.entries.map((e) => [e.stage, e.status]),
      [["a", "ran"], ["b", "error"], ["c", "skipped"], ["d", "ran"], ["verdict", "skipped"]],
    );
    const good = await runPipeline(opts, makeStages(env.counts));
    assertEquals(good.ok, true);
    assertEquals(
      good.entries.map((e) => [e.stage, e.status]),
      [["a", "cached"], ["b", "ran"], ["c", "ran"], ["d", "cached"], ["verdict", "ran"]],
    );
    const only = await runPipeline({ ...opts, force: true }, makeStages(env.counts), ["c"]);
    assertEquals(only.entries.map((e) => [e.stage, e.status]), [["a", "cached"], ["b", "cached"], [
      "c",
      "ran",
    ]]);
    const failing = await runPipeline(
      { ...opts, force: true },
      makeStages(env.counts, {
        verdictOk: false,
      }),
      ["verdict"],
    );
    assertEquals(failing.ok, false);
    assertEquals(failing.entries.map((e) => e.status), ["cached", "cached", "cached", "ran"]);
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() refuses a result another live process is computing and takes over a stale lock", async () => {
  const env = await setup();
  try {
    const [a] = await env.run("a");
    // b's key does not depend on the lock, so compute it by a first run, then remove the result
    const [, b] = await env.run("b");
    await Deno.remove(b.dir, { recursive: true });
    await Deno.writeTextFile(`${b.dir}.lock`, JSON.stringify({ pid: Deno.pid }));
    // a live holder: the run waits for it, then gives up after FG_LOCK_WAIT_S seconds
    Deno.env.set("FG_LOCK_WAIT_S", "0.3");
    try {
      await rejects(env.run("b"), new RegExp(`process ${Deno.pid} is computing the same result`));
    } finally {
      Deno.env.delete("FG_LOCK_WAIT_S");
    }
    assertEquals(await exists(b.dir), false);
    // a lock whose process has exited is stale
    const gone = new Deno.Command(Deno.execPath(), { args: ["--version"], stdout: "null" }).spawn();
    await gone.status;
    await Deno.writeTextFile(`${b.dir}.lock`, JSON.stringify({ pid: gone.pid }));
    const again = await env.run("b");
    assertEquals(statuses(again), { a: "cached", b: "ran" });
    assertEquals(again[0].key, a.key);
    assertEquals(await exists(`${b.dir}.lock`), false);
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() detects a hand-edited manifest (params, backend, summary.ok, seal) and recomputes", async () => {
  const env = await setup();
  try {
    const first = await env.run("verdict", {}, { verdictOk: false });
    const v = first[3];
    const b = first[1];
    assertEquals(v.passed, false);
    const path = (o: StageOutcome) => join(o.dir, "manifest.json");
    const edits: [StageOutcome, (m: Record<string, unknown>) => void][] = [
      [v, (m) => ((m.summary as Record<string, unknown>).ok = true)],
      [b, (m) => (m.params = { scale: 3 })],
      [b, (m) => ((m.backend as Record<string, unknown>).name = "tensorflow")],
      [b, (m) => ((m.sources as Record<string, unknown>).hash = "0".repeat(64))],
      [b, (m) => (m.seal = "0".repeat(64))],
    ];
    let runsOfB = 1, runsOfV = 1;
    for (const [o, edit] of edits) {
      const m = JSON.parse(await Deno.readTextFile(path(o)));
      edit(m);
      await Deno.writeTextFile(path(o), JSON.stringify(m, null, 2));
      const again = await env.run("verdict", {}, { verdictOk: false });
      const target = again.find((x) => x.stage === o.stage)!;
      assertEquals(target.status, "ran", `after editing ${o.stage}'s manifest`);
      if (o.stage === "b") runsOfB++;
      else runsOfV++;
      assertEquals(again[3].passed, false);
      assertEquals(again[1].manifest.params, { scale: 2 });
      assertEquals(again[1].manifest.backend.name, "cpu");
      const lock: LockFile = JSON.parse(
        await Deno.readTextFile(join(env.results, "pipeline.lock.json")),
      );
      assertEquals(lock.stages.b.params, { scale: 2 });
      assertEquals(lock.stages.b.backend, "cpu");
      const latest = JSON.parse(
        await Deno.readTextFile(join(env.results, "latest", "verdict.json")),
      );
      assertEquals(latest.summary.ok, false);
    }
    assertEquals(env.counts.b, runsOfB);
    assertEquals(env.counts.verdict, runsOfV);
    // a manifest re-sealed after an edit still fails: its parts no longer give the key
    const { sealOf } = await import("../../src/pipeline/manifest.ts");
    const m = JSON.parse(await Deno.readTextFile(path(b)));
    m.params = { scale: 3 };
    m.seal = sealOf(m);
    await Deno.writeTextFile(path(b), JSON.stringify(m, null, 2));
    const again = await env.run("b");
    assertEquals(again[1].status, "ran");
    assertEquals(again[1].manifest.params, { scale: 2 });
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() puts the contents of a stage's declared input files in the key", async () => {
  const env = await setup();
  try {
    const dataDir = join(env.root, "external");
    await Deno.mkdir(join(dataDir, "sub"), { recursive: true });
    await Deno.writeTextFile(join(dataDir, "sub", "x.bin"), "12345678");
    const stages = makeStages(env.counts);
    const a = stages[0];
    a.inputFiles = () => [dataDir];
    const run = () =>
      runStage("a", {
        profile: "smoke",
        backend: FAKE_BACKEND,
        resultsDir: env.results,
        rootDir: env.root,
        log: () => {},
        progress: { mode: "off" },
      }, stages);
    const first = (await run()).target;
    assertEquals(first.status, "ran");
    assertEquals(Object.keys(first.manifest.inputFiles!.files), [`${dataDir}/sub/x.bin`]);
    assertEquals((await run()).target.status, "cached");
    await Deno.writeTextFile(join(dataDir, "sub", "x.bin"), "1234"); // truncated
    const second = (await run()).target;
    assertEquals(second.status, "ran");
    notEqual(second.key, first.key);
    await Deno.writeTextFile(join(dataDir, "extra.bin"), "x"); // added
    notEqual((await run()).target.key, second.key);
  } finally {
    await env.cleanup();
  }
});

Deno.test("runStage() serves a complete cached result when latest/ and the lock file cannot be written", async () => {
  const env = await setup();
  try {
    await env.run("b");
    // as root, permissions do not stop writes: make latest/ unwritable by turning it into a file
    await Deno.remove(join(env.results, "latest"), { recursive: true });
    await Deno.writeTextFile(join(env.results, "latest"), "not a folder");
    const logs: string[] = [];
    const out = await env.run("b", { log: (l) => logs.push(l) });
    assertEquals(statuses(out), { a: "cached", b: "cached" });
    assertEquals(
      logs.filter((l) => /latest\/ and pipeline.lock.json were not updated/.test(l)).length,
      2,
    );
    assertEquals(env.counts, { a: 1, b: 1 });
    if (Deno.uid() !== 0) {
      await Deno.remove(join(env.results, "latest"));
      await Deno.chmod(env.results, 0o555);
      try {
        assertEquals(statuses(await env.run("b")), { a: "cached", b: "cached" });
      } finally {
        await Deno.chmod(env.results, 0o755);
      }
    }
  } finally {
    await env.cleanup();
  }
});
