import assert, { deepEqual as assertEquals } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { exists } from "../../src/io/files.ts";
import type { Manifest } from "../../src/pipeline/manifest.ts";
import { makeRoot } from "../fixtures/pipeline/stages.ts";

const script = fileURLToPath(new URL("../fixtures/pipeline/slow_run.ts", import.meta.url));

function spawn(results: string, root: string, delayMs: number) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, results, root],
    env: { FG_FIXTURE_DELAY_MS: String(delayMs) },
    stdout: "piped",
    stderr: "null",
  }).spawn();
}

Deno.test("runStage() killed with SIGKILL mid-run leaves only .partial; the rerun resumes", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  try {
    const child = spawn(results, root, 1500);
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("unit 0 done")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    child.kill("SIGKILL");
    const status = await child.status;
    await reader.cancel();
    assert.ok(seen.includes("unit 0 done"), `child output: ${seen}`);
    assertEquals(status.signal, "SIGKILL");

    const stageDir = join(results, "cache", "slow");
    // only the scratch folder and the dead process's lock: nothing that looks complete
    const names = [...Deno.readDirSync(stageDir)].map((e) => e.name).sort();
    assertEquals(names.length, 2, names.join(" "));
    assert.match(names[0], /^[0-9a-f]{64}\.lock$/);
    assert.match(names[1], /^[0-9a-f]{64}\.partial$/);
    names.shift();
    const partial = join(stageDir, names[0]);
    assertEquals(await exists(join(partial, "manifest.json")), false);
    assertEquals([...Deno.readDirSync(join(partial, "units"))].map((e) => e.name), ["unit_0.txt"]);
    assertEquals(await exists(join(results, "pipeline.lock.json")), false);
    assertEquals(await exists(join(results, "latest")), false);

    const rerun = await spawn(results, root, 0).output();
    assertEquals(rerun.code, 0);
    const out = new TextDecoder().decode(rerun.stdout);
    assert.ok(out.includes("finished ran"), out);
    assert.ok(!out.includes("unit 0 done"), out);
    const key = names[0].replace(/\.partial$/, "");
    assertEquals([...Deno.readDirSync(stageDir)].map((e) => e.name), [key]);
    const m: Manifest = JSON.parse(await Deno.readTextFile(join(stageDir, key, "manifest.json")));
    assertEquals(m.resumed, true);
    assertEquals(m.summary, { computed: [1, 2], skipped: [0] });
    assertEquals(Object.keys(m.files), [
      "units/unit_0.txt",
      "units/unit_1.txt",
      "units/unit_2.txt",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("unit stage killed with SIGKILL mid-unit: committed units are adopted, the torn one recomputed", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  const unitScript = fileURLToPath(new URL("../fixtures/pipeline/unit_run.ts", import.meta.url));
  const spawnUnits = (delayMs: number) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", unitScript, results, root],
      env: { FG_FIXTURE_DELAY_MS: String(delayMs) },
      stdout: "piped",
      stderr: "null",
    });
  try {
    const child = spawnUnits(800).spawn();
    const stageDir = join(results, "cache", "units");
    const storeOf = () =>
      [...Deno.readDirSync(stageDir)].map((e) => e.name).find((n) => n.endsWith(".units"));
    // wait until unit w0/u0 is committed and w0/u1 is half written in its temporary folder
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const store = (await exists(stageDir)) ? storeOf() : undefined;
      if (!store) continue;
      const names = [...Deno.readDirSync(join(stageDir, store))].map((e) => e.name);
      const tmp = join(stageDir, store, ".tmp");
      const torn = (await exists(tmp)) &&
        (await exists(join(tmp, "w0+u1"))) &&
        [...Deno.readDirSync(join(tmp, "w0+u1"))].some((e) =>
          Deno.statSync(join(tmp, "w0+u1", e.name)).isDirectory &&
          [...Deno.readDirSync(join(tmp, "w0+u1", e.name))].some((f) => f.name === "started.txt")
        );
      if (names.includes("w0+u0") && torn) break;
    }
    child.kill("SIGKILL");
    assertEquals((await child.status).signal, "SIGKILL");
    await child.stdout.cancel();
    const names = [...Deno.readDirSync(stageDir)].map((e) => e.name).sort();
    // units are computed before the stage lock is taken: only the unit store, with the dead
    // process's lock on the torn unit (taken over by the rerun: its PID is gone)
    assertEquals(names.map((n) => n.replace(/^[0-9a-f]{64}/, "K")), ["K.units"]);
    const store = join(stageDir, storeOf()!);
    assertEquals(
      [...Deno.readDirSync(store)].map((e) => e.name).sort(),
      [".locks", ".tmp", "w0+u0"],
    );
    assertEquals([...Deno.readDirSync(join(store, ".locks"))].map((e) => e.name), ["w0+u1.lock"]);
    assertEquals(await exists(join(results, "latest")), false);

    const rerun = await spawnUnits(0).output();
    assertEquals(rerun.code, 0);
    const out = new TextDecoder().decode(rerun.stdout);
    assert.ok(out.includes("computed w0/u1,w0/u2,w1/sum0\n"), out);
    assert.ok(out.includes("finished ran"), out);
    const key = names[0].replace(/\.units$/, "");
    assertEquals([...Deno.readDirSync(stageDir)].map((e) => e.name), [key]);
    assertEquals(
      await Deno.readTextFile(join(stageDir, key, "all.txt")),
      "w0/u0 10\nw0/u1 20\nw0/u2 30\nw1/sum0 60\n",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
