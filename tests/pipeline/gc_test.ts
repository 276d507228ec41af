import assert, { deepEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import { gcMain } from "../../src/pipeline/cli.ts";
import { exists } from "../../src/io/files.ts";
import { collectGarbage } from "../../src/pipeline/gc.ts";
import { runStage } from "../../src/pipeline/run.ts";
import { FAKE_BACKEND, makeRoot, makeStages } from "../fixtures/pipeline/stages.ts";

Deno.test("collectGarbage() removes stale state and unreferenced entries, keeps what is referenced or locked", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  try {
    const run = (scale: number) =>
      runStage("b", {
        profile: "smoke",
        backend: FAKE_BACKEND,
        resultsDir: results,
        rootDir: root,
        log: () => {},
        progress: { mode: "off" },
        flagArgs: ["--scale", String(scale)],
      }, makeStages({}));
    const old = (await run(3)).target; // superseded by the next run: unreferenced
    const cur = await run(2);
    const bDir = join(results, "cache", "b");
    const k = (c: string) => c.repeat(64);
    const dead = 2 ** 22 + 12345; // no such process
    await Deno.mkdir(join(bDir, `${cur.target.key}.old-${dead}`));
    await Deno.mkdir(join(bDir, `${k("1")}.partial`));
    await Deno.mkdir(join(bDir, `${k("2")}.units`));
    await Deno.writeTextFile(join(bDir, `${k("2")}.lock`), JSON.stringify({ pid: dead }));
    await Deno.mkdir(join(bDir, `${k("3")}.partial`)); // held by this (live) process
    await Deno.writeTextFile(join(bDir, `${k("3")}.lock`), JSON.stringify({ pid: Deno.pid }));

    const lines: string[] = [];
    await gcMain(["--dry-run"], { resultsDir: results, out: (l) => lines.push(l) });
    assert.ok(
      lines.some((l) => l.startsWith("would remove") && l.includes(old.key)),
      lines.join("\n"),
    );
    assert.ok(
      lines.at(-1)!.startsWith("gc: 5 item(s) would be removed, 1 in use"),
      lines.join("\n"),
    );
    assert.ok(await exists(old.dir)); // dry run removes nothing

    const { removed, busy } = await collectGarbage(results);
    assertEquals(
      removed.map((r) => r.path.slice(bDir.length + 1).replace(/^(.)\1{63}/, "K")).sort(),
      [
        "K.lock",
        "K.partial",
        "K.units",
        `${cur.target.key}.old-${dead}`,
        old.key,
      ].sort(),
    );
    assertEquals(busy, [join(bDir, `${k("3")}.partial`)]);
    assertEquals(
      [...Deno.readDirSync(bDir)].map((e) => e.name).sort(),
      [cur.target.key, `${k("3")}.lock`, `${k("3")}.partial`].sort(),
    );
    assert.ok(await exists(cur.outcomes[0].dir)); // upstream a: referenced by the lock file
    // what is left is still served from the cache
    assertEquals((await run(2)).target.status, "cached");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("collectGarbage() removes jobs/ folders of finished submissions, keeps those still to resume (dry run honest)", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  try {
    const cur = await runStage("b", {
      profile: "smoke",
      backend: FAKE_BACKEND,
      resultsDir: results,
      rootDir: root,
      log: () => {},
      progress: { mode: "off" },
      flagArgs: ["--scale", "2"],
    }, makeStages({}));
    const jobs = join(results, "jobs");
    const done = join(jobs, `b-${cur.target.key.slice(0, 16)}`);
    const pending = join(jobs, `b-${"7".repeat(16)}`); // its result is not complete
    for (const d of [done, pending]) {
      await Deno.mkdir(d, { recursive: true });
      await Deno.writeTextFile(join(d, "unit-0.log"), "log\n");
    }
    const lines: string[] = [];
    await gcMain(["--dry-run"], { resultsDir: results, out: (l) => lines.push(l) });
    assert.ok(
      lines.some((l) => l.startsWith("would remove") && l.includes(done)),
      lines.join("\n"),
    );
    assert.ok(!lines.some((l) => l.includes(pending)), lines.join("\n"));
    assert.ok(await exists(done)); // dry run removes nothing
    const { removed } = await collectGarbage(results);
    assertEquals(removed.map((r) => r.path), [done]);
    assert.ok(!(await exists(done)));
    assert.ok(await exists(pending));
    assert.ok(await exists(cur.target.dir)); // the referenced result itself stays
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
