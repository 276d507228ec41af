// The SLURM executor against a real one-node cluster (tests/cluster/slurm.sh; no mocked sbatch):
// smoke through sbatch arrays gives the same result files as the local executor; one cancelled
// array task (scancel of a pending one, SIGKILL of a running one) stops the finalize job and the
// rerun resubmits only the missing unit.
// Uses the cluster `$SLURM_CONF` names (CI brings one up), else brings one up itself when it
// can (root, SLURM installed); otherwise every test is ignored with the reason printed.
import assert, { deepEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Manifest } from "../../src/pipeline/manifest.ts";
import { unitFolder } from "../../src/pipeline/units.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = join(ROOT, "tests", "cluster", "slurm.sh");
const dec = new TextDecoder();

async function sh(cmd: string, args: string[], env: Record<string, string> = {}) {
  try {
    const o = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
      .output();
    return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
  } catch (e) {
    return { code: 127, out: "", err: (e as Error).message };
  }
}

/** Finds or starts a cluster: its SLURM_CONF, a way to stop what we started, or why not. */
async function cluster(): Promise<{ conf: string; stop?: () => Promise<void> } | string> {
  const given = Deno.env.get("SLURM_CONF");
  if (given && (await sh("sinfo", ["-h", "-o", "%T"], { SLURM_CONF: given })).code === 0) {
    return { conf: given };
  }
  // (sbatch --version itself fails without a configuration)
  if ((await sh("sh", ["-c", "command -v sbatch && command -v slurmctld"])).code !== 0) {
    return "SLURM is not installed (no sbatch or slurmctld)";
  }
  if ((await sh("id", ["-u"])).out.trim() !== "0") return "starting a cluster needs root";
  const dir = await Deno.makeTempDir({ prefix: "fg_slurm_" });
  const up = await sh("bash", [SCRIPT, "up", dir]);
  if (up.code !== 0) return `the one-node cluster did not start: ${up.err.trim()}`;
  return {
    conf: join(dir, "slurm.conf"),
    stop: async () => {
      await sh("bash", [SCRIPT, "down", dir]);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

const found = await cluster();
const reason = typeof found === "string" ? found : undefined;
if (reason) console.log(`tests/cluster/slurm_test.ts: ignored: ${reason}`);

function reproduce(results: string, args: string[]) {
  const env = {
    FG_RESULTS_DIR: results,
    ...(typeof found === "string" ? {} : { SLURM_CONF: found.conf }),
  };
  return sh(Deno.execPath(), ["run", "-A", join(ROOT, "tasks", "reproduce.ts"), ...args], env);
}

/** A column or member that holds a measured time (not a result): wall seconds, step durations. */
const TIMING = /(^|_)(time_s|seconds|duration|wall|elapsed)|_s$|At$|Seconds$|_ms$| s\/|^s\//;

/** A file's contents with timing columns (CSV) or members (JSON) blanked. */
function withoutTimings(path: string, text: string): string {
  if (path.endsWith(".csv")) {
    const rows = text.split("\n").map((r) => r.split(","));
    const drop = new Set(rows[0].flatMap((h, i) => (TIMING.test(h) ? [i] : [])));
    return rows.map((r) => r.map((c, i) => (drop.has(i) ? "" : c)).join(",")).join("\n");
  }
  if (path.endsWith(".json")) {
    return JSON.stringify(JSON.parse(text), (k, v) => (TIMING.test(k) ? undefined : v));
  }
  return text;
}

/** Stage → its key, `resumed` and output files (timing fields blanked), from pipeline.lock.json. */
async function results(dir: string): Promise<Record<string, unknown>> {
  const lock = JSON.parse(await Deno.readTextFile(join(dir, "pipeline.lock.json")));
  const out: Record<string, unknown> = {};
  for (const [stage, e] of Object.entries(lock.stages) as [string, { key: string }][]) {
    const res = join(dir, "cache", stage, e.key);
    const m: Manifest = JSON.parse(await Deno.readTextFile(join(res, "manifest.json")));
    const files: Record<string, string> = {};
    for (const f of Object.keys(m.files).sort()) {
      const bytes = await Deno.readFile(join(res, f));
      files[f] = /\.(csv|json|md|txt|tex)$/.test(f)
        ? withoutTimings(f, dec.decode(bytes))
        : String(bytes.length);
    }
    const exact = Object.fromEntries(Object.entries(m.files).map(([f, h]) => [f, h.sha256]));
    out[stage] = { key: m.key, resumed: m.resumed, files, exact };
  }
  return out;
}

Deno.test({
  name:
    "reproduce --executor slurm --profile smoke --wait: the same result files as --executor local",
  ignore: reason !== undefined,
  sanitizeResources: false,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "fg_slurm_smoke_" });
    try {
      const slurm = await reproduce(join(tmp, "slurm"), [
        "--executor",
        "slurm",
        "--profile",
        "smoke",
        "--backend",
        "wasm",
        "--max-parallel",
        "2",
        "--wait",
      ]);
      assertEquals(slurm.code, 0, slurm.out + slurm.err);
      assert.match(slurm.out, /approx: wave 0: array job \d+, \d+ unit\(s\)/);
      assert.match(slurm.out, /slurm: every stage complete/);
      const local = await reproduce(join(tmp, "local"), [
        "--profile",
        "smoke",
        "--backend",
        "wasm",
      ]);
      assertEquals(local.code, 0, local.out + local.err);
      const a = await results(join(tmp, "slurm")), b = await results(join(tmp, "local"));
      assertEquals(Object.keys(a).sort(), Object.keys(b).sort());
      for (const stage of Object.keys(b)) {
        // the report embeds timings: compare its file list only
        const x = a[stage] as Record<string, Record<string, unknown>>;
        const y = b[stage] as Record<string, Record<string, unknown>>;
        assertEquals(x.key, y.key, `stage ${stage}`);
        assertEquals(x.resumed, y.resumed, `stage ${stage}`);
        assertEquals(Object.keys(x.files), Object.keys(y.files), `stage ${stage}`);
        if (stage === "report") continue;
        for (const f of Object.keys(y.files)) {
          // tables render the measured seconds per epoch into every format: compare the CSVs
          if (stage === "tables" && !f.endsWith(".csv")) continue;
          // byte-identical, or identical once timing columns/members are blanked
          if (x.exact[f] !== y.exact[f] && x.files[f] !== y.files[f]) {
            assert.fail(`stage ${stage}: ${f} differs beyond timing fields`);
          }
        }
      }
      // the deterministic stages are byte-identical outright
      for (const stage of ["data", "approx"]) {
        const x = a[stage] as Record<string, unknown>, y = b[stage] as Record<string, unknown>;
        assertEquals(x.exact, y.exact, `stage ${stage}`);
      }
      // a second submission finds every stage cached and submits nothing
      const again = await reproduce(join(tmp, "slurm"), [
        "--executor",
        "slurm",
        "--profile",
        "smoke",
        "--backend",
        "wasm",
        "--wait",
      ]);
      assertEquals(again.code, 0, again.err);
      assert.doesNotMatch(again.out, /job \d+/);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "one running array task SIGKILLed: finalize does not run; the rerun resubmits only that unit",
  ignore: reason !== undefined,
  sanitizeResources: false,
  async fn() {
    const env: Record<string, string> = typeof found === "string" ? {} : { SLURM_CONF: found.conf };
    const args = [
      "--executor",
      "slurm",
      "--profile",
      "smoke",
      "--backend",
      "cpu",
      "--only",
      "approx",
    ];
    // One submission whose first array task is SIGKILLed while it runs. A smoke unit is short: when
    // it has already finished as the kill lands (nothing is missing), the precondition was not met
    // and the submission is tried again, at most 3 times; the checks below always run.
    const attempt = async (tmp: string) => {
      const first = await reproduce(tmp, [...args, "--max-parallel", "1"]);
      assertEquals(first.code, 0, first.err);
      const m = /approx: wave 0: array job (\d+), (\d+) unit\(s\)/.exec(first.out);
      const fin = /approx: finalize job (\d+)/.exec(first.out);
      assert.ok(m && fin, first.out);
      const units = Number(m[2]);
      const task = `${m[1]}_0`;
      // wait until the first task runs, then SIGKILL every process of it (batch shell included)
      for (let i = 0; i < 600; i++) {
        const q = await sh("squeue", ["-h", "-j", task, "-o", "%T"], env);
        if (/RUNNING/.test(q.out)) break;
        assert.match(q.out, /PENDING|CONFIGURING/, `task ${task} ended before it was killed`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const kill = await sh("scancel", ["--signal=KILL", "--full", task], env);
      assertEquals(kill.code, 0, kill.err);
      // every job of the submission has left the queue (two empty answers in a row)
      for (let i = 0, empty = 0; i < 600 && empty < 2; i++) {
        const q = await sh("squeue", ["-h", "-j", `${m[1]},${fin[1]}`, "-o", "%T"], env);
        empty = q.code === 0 && !/PENDING|RUNNING|COMPLETING|CONFIGURING/.test(q.out)
          ? empty + 1
          : 0;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const stageDir = join(tmp, "cache", "approx");
      const names = [...Deno.readDirSync(stageDir)].map((e) => e.name);
      const store = names.find((n) => n.endsWith(".units"))!;
      const key = store.replace(/\.units$/, "");
      const jobDir = join(tmp, "jobs", `approx-${key.slice(0, 16)}`);
      const all: string[] = JSON.parse(await Deno.readTextFile(join(jobDir, "wave0.json"))).units;
      assertEquals(all.length, units);
      const done = new Set(
        [...Deno.readDirSync(join(stageDir, store))].map((e) => e.name).filter((n) =>
          !n.startsWith(".")
        ),
      );
      const missing = all.filter((id) => !done.has(unitFolder(id)));
      return { names, units, stageDir, key, jobDir, all, done, missing };
    };
    let tmp = "";
    let run: Awaited<ReturnType<typeof attempt>> | undefined;
    for (let tries = 1; tries <= 3; tries++) {
      if (tmp) await Deno.remove(tmp, { recursive: true });
      tmp = await Deno.makeTempDir({ prefix: "fg_slurm_sigkill_" });
      run = await attempt(tmp);
      if (run.missing.length > 0) break;
      console.log(`try ${tries}: the unit finished before the kill landed; submitting again`);
    }
    try {
      const { names, units, stageDir, key, jobDir, all, done, missing } = run!;
      // the finalize job did not run: no result folder, exactly the killed unit missing
      assertEquals(names.filter((n) => /^[0-9a-f]{64}$/.test(n)), [], names.join(" "));
      assertEquals(missing.length, 1, `missing ${missing} of ${all} (store: ${[...done]})`);

      const rerun = await reproduce(tmp, [...args, "--wait"]);
      assertEquals(rerun.code, 0, rerun.out + rerun.err);
      assert.match(
        rerun.out,
        new RegExp(
          `approx: wave 0: array job \\d+, 1 unit\\(s\\) \\(${units - 1} already complete\\)`,
        ),
      );
      const again: string[] = JSON.parse(await Deno.readTextFile(join(jobDir, "wave0.json"))).units;
      assertEquals(again, missing); // only the killed unit was resubmitted
      const manifest: Manifest = JSON.parse(
        await Deno.readTextFile(join(stageDir, key, "manifest.json")),
      );
      assertEquals(manifest.key, key);
      assertEquals(manifest.resumed, true);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "one cancelled array task: finalize does not run; the rerun resubmits only that unit",
  ignore: reason !== undefined,
  sanitizeResources: false,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "fg_slurm_kill_" });
    const env: Record<string, string> = typeof found === "string" ? {} : { SLURM_CONF: found.conf };
    const args = [
      "--executor",
      "slurm",
      "--profile",
      "smoke",
      "--backend",
      "cpu",
      "--only",
      "approx",
    ];
    try {
      const first = await reproduce(tmp, [...args, "--max-parallel", "1"]);
      assertEquals(first.code, 0, first.err);
      const m = /approx: wave 0: array job (\d+), (\d+) unit\(s\)/.exec(first.out);
      const fin = /approx: finalize job (\d+)/.exec(first.out);
      assert.ok(m && fin, first.out);
      const units = Number(m[2]);
      // the last task is still pending behind the throttle: cancel it
      const cancel = await sh("scancel", [`${m[1]}_${units - 1}`], env);
      assertEquals(cancel.code, 0, cancel.err);
      for (let i = 0; i < 600; i++) {
        const q = await sh("squeue", ["-h", "-j", `${m[1]},${fin[1]}`, "-o", "%T"], env);
        if (!/PENDING|RUNNING|COMPLETING/.test(q.out)) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const stageDir = join(tmp, "cache", "approx");
      const names = [...Deno.readDirSync(stageDir)].map((e) => e.name);
      // no result: the finalize job never ran; the other units are complete in the store
      assertEquals(names.filter((n) => /^[0-9a-f]{64}$/.test(n)), [], names.join(" "));
      const store = names.find((n) => n.endsWith(".units"))!;
      const done = [...Deno.readDirSync(join(stageDir, store))].filter((e) =>
        !e.name.startsWith(".")
      );
      assertEquals(done.length, units - 1);

      const rerun = await reproduce(tmp, [...args, "--wait"]);
      assertEquals(rerun.code, 0, rerun.out + rerun.err);
      assert.match(
        rerun.out,
        new RegExp(
          `approx: wave 0: array job \\d+, 1 unit\\(s\\) \\(${units - 1} already complete\\)`,
        ),
      );
      const key = store.replace(/\.units$/, "");
      const manifest: Manifest = JSON.parse(
        await Deno.readTextFile(join(stageDir, key, "manifest.json")),
      );
      assertEquals(manifest.key, key);
      assertEquals(manifest.resumed, true);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "cluster teardown",
  ignore: typeof found === "string" || found.stop === undefined,
  async fn() {
    if (typeof found !== "string") await found.stop?.();
  },
});
