// `reproduce --workers N` (local executor): N processes share one stage's units through the unit
// locks; the result files are byte-identical to one worker's, and every unit is computed once.
import assert, { deepEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Manifest } from "../../src/pipeline/manifest.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function approx(results: string, workers: number) {
  const o = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(ROOT, "tasks", "reproduce.ts"),
      "--profile",
      "smoke",
      "--backend",
      "cpu",
      "--only",
      "approx",
      "--workers",
      String(workers),
    ],
    env: { FG_RESULTS_DIR: results },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(o.stderr);
  assertEquals(o.code, 0, err);
  const lock = JSON.parse(await Deno.readTextFile(join(results, "pipeline.lock.json")));
  const key = lock.stages.approx.key;
  const m: Manifest = JSON.parse(
    await Deno.readTextFile(join(results, "cache", "approx", key, "manifest.json")),
  );
  return { key, m, err };
}

Deno.test("reproduce --workers 2 gives the files of --workers 1 (approx, smoke grid)", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "fg_workers_" });
  try {
    const one = await approx(join(tmp, "one"), 1);
    const two = await approx(join(tmp, "two"), 2);
    assertEquals(two.key, one.key);
    assertEquals(two.m.files, one.m.files);
    assertEquals(two.m.resumed, false);
    // no unit was computed twice: no second process logged a discarded or recomputed unit
    assert.doesNotMatch(two.err, /discarding unit/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("reproduce --workers rejects a bad count and slurm-only flags", async () => {
  for (const args of [["--workers", "0"], ["--wait"], ["--executor", "pbs"]]) {
    const o = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "tasks", "reproduce.ts"), ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(o.code, 2, args.join(" "));
    const err = new TextDecoder().decode(o.stderr).trim();
    assertEquals(err.split("\n").length, 1, err);
    assert.match(err, new RegExp(`--(${args[0].slice(2)}|wait)`));
  }
});

Deno.test("reproduce --executor slurm without sbatch on PATH: one line naming sbatch, exit 2", async () => {
  const empty = await Deno.makeTempDir();
  try {
    const o = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "tasks", "reproduce.ts"), "--executor", "slurm"],
      env: { PATH: empty, FG_RESULTS_DIR: join(empty, "results") },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(o.code, 2);
    const err = new TextDecoder().decode(o.stderr).trim();
    assertEquals(err, "error: --executor slurm: the command sbatch is not installed (not on PATH)");
    assertEquals([...Deno.readDirSync(empty)], []);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("--workers N gives each process's wasm backend ⌊cores / N⌋ threads unless FG_WASM_THREADS is set", async () => {
  const { shareCoresAmongWorkers } = await import("../../src/pipeline/cli.ts");
  const before = Deno.env.get("FG_WASM_THREADS");
  try {
    Deno.env.delete("FG_WASM_THREADS");
    shareCoresAmongWorkers(1, 8);
    assertEquals(Deno.env.get("FG_WASM_THREADS"), undefined);
    shareCoresAmongWorkers(3, 8);
    assertEquals(Deno.env.get("FG_WASM_THREADS"), "2");
    Deno.env.delete("FG_WASM_THREADS");
    shareCoresAmongWorkers(4, 2);
    assertEquals(Deno.env.get("FG_WASM_THREADS"), "1");
    Deno.env.set("FG_WASM_THREADS", "3");
    shareCoresAmongWorkers(2, 8);
    assertEquals(Deno.env.get("FG_WASM_THREADS"), "3");
  } finally {
    if (before === undefined) Deno.env.delete("FG_WASM_THREADS");
    else Deno.env.set("FG_WASM_THREADS", before);
  }
});
