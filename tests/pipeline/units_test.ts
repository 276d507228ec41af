import assert, { deepEqual as assertEquals, rejects } from "node:assert/strict";
import { join } from "node:path";
import { exists } from "../../src/io/files.ts";
import { type RunOptions, runStage, StageError } from "../../src/pipeline/run.ts";
import type { Stage } from "../../src/pipeline/stage.ts";
import { listUnits, runUnits, UNIT_RECORD, unitFolder } from "../../src/pipeline/units.ts";
import {
  FAKE_BACKEND,
  makeRoot,
  makeUnitStage,
  type UnitFixture,
} from "../fixtures/pipeline/stages.ts";

async function setup() {
  const root = await makeRoot();
  const results = join(root, "results");
  const run = (fx: UnitFixture, opts: Partial<RunOptions> = {}) =>
    runStage("units", {
      profile: "smoke",
      backend: FAKE_BACKEND,
      resultsDir: results,
      rootDir: root,
      log: () => {},
      progress: { mode: "off" },
      ...opts,
    }, [makeUnitStage(fx) as Stage]);
  return { root, results, run, cleanup: () => Deno.remove(root, { recursive: true }) };
}

const fresh = (over: Partial<UnitFixture> = {}): UnitFixture => ({
  computed: [],
  setups: 0,
  ...over,
});

Deno.test("unit stage: runner computes every unit in wave order, finalizes, keeps only the outputs", async () => {
  const env = await setup();
  try {
    const fx = fresh();
    const { target } = await env.run(fx);
    assertEquals(target.status, "ran");
    assertEquals(fx.computed, ["w0/u0", "w0/u1", "w0/u2", "w1/sum0"]);
    assertEquals(fx.setups, 1);
    assertEquals(Object.keys(target.manifest.files), ["all.txt"]);
    assertEquals(
      await Deno.readTextFile(join(target.dir, "all.txt")),
      "w0/u0 10\nw0/u1 20\nw0/u2 30\nw1/sum0 60\n",
    );
    assertEquals([...Deno.readDirSync(join(env.results, "cache", "units"))].map((e) => e.name), [
      target.key,
    ]);
    const again = fresh();
    assertEquals((await env.run(again)).target.status, "cached");
    assertEquals(again.computed, []);
    assertEquals(again.setups, 0);
  } finally {
    await env.cleanup();
  }
});

Deno.test("unit stage: a failed run keeps committed units; the rerun adopts them after verifying", async () => {
  const env = await setup();
  try {
    await rejects(env.run(fresh({ failAt: "w0/u2" })), (e: unknown) => {
      assert.ok(e instanceof StageError);
      assert.match(e.message, /unit w0\/u2 exploded.*a rerun resumes from it/);
      return true;
    });
    const stageDir = join(env.results, "cache", "units");
    const names = [...Deno.readDirSync(stageDir)].map((e) => e.name).sort();
    assertEquals(names.length, 2, names.join(" "));
    assert.match(names[0], /^[0-9a-f]{64}\.partial$/);
    assert.match(names[1], /^[0-9a-f]{64}\.units$/);
    const store = join(stageDir, names[1]);
    assertEquals(
      [...Deno.readDirSync(store)].map((e) => e.name).sort(),
      [".locks", ".tmp", "w0+u0", "w0+u1"],
    );
    assertEquals([...Deno.readDirSync(join(store, ".tmp"))], []);
    const fx = fresh();
    const { target } = await env.run(fx);
    assertEquals(fx.computed, ["w0/u2", "w1/sum0"]);
    assertEquals(target.manifest.resumed, true);
    assertEquals(target.manifest.summary, { reused: ["w0/u0", "w0/u1"] });
    assertEquals([...Deno.readDirSync(stageDir)].map((e) => e.name), [target.key]);
  } finally {
    await env.cleanup();
  }
});

Deno.test("unit stage: an edited, truncated, added-to or re-recorded unit is discarded and recomputed", async () => {
  const env = await setup();
  try {
    await rejects(env.run(fresh({ failAt: "w1/sum0" })), StageError);
    const stageDir = join(env.results, "cache", "units");
    const storeName = [...Deno.readDirSync(stageDir)].map((e) => e.name).find((n) =>
      n.endsWith(".units")
    )!;
    const unit = (id: string) => join(stageDir, storeName, unitFolder(id));
    await Deno.writeTextFile(join(unit("w0/u0"), "value.txt"), "99\n"); // edited
    await Deno.writeTextFile(join(unit("w0/u1"), "stray.txt"), "x"); // added to
    const rec = JSON.parse(await Deno.readTextFile(join(unit("w0/u2"), UNIT_RECORD)));
    rec.facts.value = 1234; // record edited
    await Deno.writeTextFile(join(unit("w0/u2"), UNIT_RECORD), JSON.stringify(rec));
    const logs: string[] = [];
    const fx = fresh();
    const { target } = await env.run(fx, { log: (l) => logs.push(l) });
    assertEquals(fx.computed, ["w0/u0", "w0/u1", "w0/u2", "w1/sum0"]);
    assertEquals(
      await Deno.readTextFile(join(target.dir, "all.txt")),
      "w0/u0 10\nw0/u1 20\nw0/u2 30\nw1/sum0 60\n",
    );
    assert.ok(logs.some((l) => /discarding unit w0\/u0: file value.txt does not match/.test(l)));
    assert.ok(logs.some((l) => /discarding unit w0\/u1: unlisted file stray.txt/.test(l)));
    assert.ok(logs.some((l) => /discarding unit w0\/u2: .unit.json was edited/.test(l)));
  } finally {
    await env.cleanup();
  }
});

Deno.test("unit stage: a later-wave unit is recomputed when a unit it read was recomputed", async () => {
  const outDir = await Deno.makeTempDir();
  const unitsDir = join(outDir, "..", `${outDir.split("/").pop()}.units`);
  try {
    const ctx = {
      params: { units: 2, later: 1 },
      outDir,
      inputs: {},
      backend: FAKE_BACKEND,
      rootDir: outDir,
      log: () => {},
      progress: () => ({ tick() {}, stop() {} }),
    };
    const stage = makeUnitStage(fresh());
    const first = await runUnits(stage.units!, ctx, { key: "k", unitsDir });
    assertEquals(first.computed, ["w0/u0", "w0/u1", "w1/sum0"]);
    // only wave 0 of a selection: wave 1 is left
    await Deno.remove(join(unitsDir, unitFolder("w0/u1")), { recursive: true });
    const fx = fresh();
    const again = await runUnits(makeUnitStage(fx).units!, ctx, { key: "k", unitsDir });
    assertEquals(again.adopted, ["w0/u0"]);
    assertEquals(fx.computed, ["w0/u1", "w1/sum0"]);
    // another key: nothing is adopted
    const other = fresh();
    await runUnits(makeUnitStage(other).units!, ctx, { key: "other", unitsDir });
    assertEquals(other.computed.length, 3);
  } finally {
    await Deno.remove(outDir, { recursive: true });
    await Deno.remove(unitsDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("unit stage: select computes only the chosen units and does not finalize", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    const ctx = {
      params: { units: 3, later: 1 },
      outDir,
      inputs: {},
      backend: FAKE_BACKEND,
      rootDir: outDir,
      log: () => {},
      progress: () => ({ tick() {}, stop() {} }),
    };
    const unitsDir = join(outDir, "store");
    const fx = fresh();
    const r = await runUnits(makeUnitStage(fx).units!, ctx, {
      unitsDir,
      select: (u) => u.id === "w0/u1",
    });
    assertEquals(r.computed, ["w0/u1"]);
    assertEquals(r.summary, undefined);
    assertEquals(await exists(join(outDir, "all.txt")), false);
    // a later-wave unit cannot read units that are not complete
    await rejects(
      runUnits(makeUnitStage(fresh()).units!, ctx, {
        unitsDir,
        select: (u) => u.id === "w1/sum0",
      }),
      /cannot read unit w0\/u0: it is not a complete unit of an earlier wave/,
    );
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("unit stage: a failure before any unit is complete leaves nothing and promises no resume", async () => {
  const env = await setup();
  try {
    await rejects(env.run(fresh({ failSetup: true })), (e: unknown) => {
      assert.ok(e instanceof StageError);
      assertEquals(e.partialDir, undefined);
      assert.doesNotMatch(e.message, /resumes/);
      return true;
    });
    assertEquals([...Deno.readDirSync(join(env.results, "cache", "units"))], []);
    await rejects(env.run(fresh({ failAt: "w0/u0" })), (e: unknown) => {
      assert.doesNotMatch((e as Error).message, /resumes/);
      return true;
    });
    assertEquals([...Deno.readDirSync(join(env.results, "cache", "units"))], []);
  } finally {
    await env.cleanup();
  }
});

Deno.test("listUnits() rejects duplicate or invalid ids and bad waves", () => {
  const base = makeUnitStage(fresh()).units!;
  const bad = (list: unknown[]) => ({ ...base, list: () => list as never });
  assert.throws(
    () => listUnits("s", bad([{ id: "a" }, { id: "a" }]), {} as never),
    /lists unit "a" twice/,
  );
  assert.throws(() => listUnits("s", bad([{ id: "../x" }]), {} as never), /invalid id/);
  assert.throws(() => listUnits("s", bad([{ id: "a+b" }]), {} as never), /invalid id/);
  assert.throws(() => listUnits("s", bad([{ id: "a", wave: -1 }]), {} as never), /wave -1/);
  assertEquals(listUnits("s", base, { units: 1, later: 0 }).map((u) => u.id), ["w0/u0"]);
});

Deno.test("unit stage: a fresh run prints its progress bar once (the unit phase), not again at finalize", async () => {
  const env = await setup();
  try {
    const lines: string[] = [];
    const { target } = await env.run(fresh(), {
      progress: { mode: "lines", write: (l) => lines.push(l) },
    });
    assertEquals(target.status, "ran");
    assert.ok(lines.length > 0, "the bar printed nothing");
    assertEquals(lines.filter((l) => l.includes("(100%)")).length, 1, lines.join("\n"));
    const done = lines.map((l) => Number(/ (\d+)\/\d+ \(/.exec(l)?.[1]));
    assertEquals(done, [...done].sort((a, b) => a - b), lines.join("\n")); // one bar: never restarts
  } finally {
    await env.cleanup();
  }
});
