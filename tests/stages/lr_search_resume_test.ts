import assert, { deepEqual as assertEquals } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const stageTask = fileURLToPath(new URL("../../tasks/stage.ts", import.meta.url));
// four labels (bp, fg k=1, fg-mean k=2, frog k=2), 12 evaluations each: 48 units in 3 waves
const ARGS = [
  "lr-search",
  "--profile",
  "smoke",
  "--task",
  "math",
  "--function",
  "sphere",
  "--n",
  "2",
  "--k",
  "2",
  "--evaluations",
  "12",
  "--max-steps",
  "300",
  "--backend",
  "cpu",
];

function command(results: string, extra: string[] = []) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", stageTask, ...ARGS, ...extra],
    env: { FG_RESULTS_DIR: results, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
}

/** Committed units in the stage's unit store (`<key>.units/`), 0 when there is none yet. */
function committedUnits(results: string): number {
  const stageDir = join(results, "cache", "lr-search");
  try {
    for (const e of Deno.readDirSync(stageDir)) {
      if (!e.name.endsWith(".units")) continue;
      return [...Deno.readDirSync(join(stageDir, e.name))].filter((u) => u.name !== ".tmp").length;
    }
  } catch { /* not there yet */ }
  return 0;
}

async function outputs(results: string): Promise<Record<string, string>> {
  const latest = join(results, "cache", "lr-search");
  const key = [...Deno.readDirSync(latest)].map((e) => e.name).find((n) =>
    /^[0-9a-f]{64}$/.test(n)
  );
  assert.ok(key, "no result folder");
  const dir = join(latest, key);
  const out: Record<string, string> = {};
  for (const f of ["lrs/math.csv", "trace.csv", "search.json"]) {
    out[f] = await Deno.readTextFile(join(dir, f));
  }
  for (const e of Deno.readDirSync(join(dir, "curves"))) {
    for (const c of Deno.readDirSync(join(dir, "curves", e.name))) {
      out[`curves/${e.name}/${c.name}`] = await Deno.readTextFile(
        join(dir, "curves", e.name, c.name),
      );
    }
  }
  return out;
}

Deno.test("lr-search killed with SIGKILL mid-run: the rerun adopts the finished evaluations and writes the same tables as an uninterrupted run", async () => {
  const root = await Deno.makeTempDir({ prefix: "lrs-resume-" });
  try {
    const killed = join(root, "killed"), clean = join(root, "clean");
    const child = command(killed).spawn();
    const started = Date.now();
    while (committedUnits(killed) < 14 && Date.now() - started < 120_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    assertEquals(status.signal, "SIGKILL");
    const before = committedUnits(killed);
    assert.ok(before >= 14 && before < 48, `killed after ${before} of 48 units`);

    const rerun = await command(killed).output();
    const log = new TextDecoder().decode(rerun.stderr);
    assertEquals(rerun.code, 0, log);
    const adopted = Number(/resumed: (\d+) of 48 unit\(s\) adopted/.exec(log)?.[1]);
    assert.ok(adopted >= before - 1 && adopted < 48, log);

    const fresh = await command(clean).output();
    assertEquals(fresh.code, 0, new TextDecoder().decode(fresh.stderr));
    const a = await outputs(killed), b = await outputs(clean);
    assertEquals(Object.keys(a).length, 3 + 48);
    assertEquals(a, b);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lr-search with --workers 2 writes the same tables, trace and curves as one worker", async () => {
  const root = await Deno.makeTempDir({ prefix: "lrs-workers-" });
  try {
    const one = join(root, "one"), two = join(root, "two");
    const a = await command(one).output();
    assertEquals(a.code, 0, new TextDecoder().decode(a.stderr));
    const b = await command(two, ["--workers", "2"]).output();
    const log = new TextDecoder().decode(b.stderr);
    assertEquals(b.code, 0, log);
    assert.doesNotMatch(log, /discarding unit/);
    assertEquals(await outputs(two), await outputs(one));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
