/**
 * A stage as a SLURM array against the local executor: wall time of
 * `deno task <stage>` (local, one process) and of `reproduce --executor slurm
 * --only <stage> --max-parallel M --wait` on fresh results folders whose
 * upstream results are computed first (not timed), and the overhead per
 * unit, (slurm wall × M − local wall) / units: what each array task adds
 * (a Deno start, the backend, upstream checks, its own hashing) when the
 * tasks run M at a time.
 *
 *   SLURM_CONF=… deno run -A bench/slurm_array.ts [--stage train] [--profile quick] [--max-parallel 2] [--backend wasm] [--model fc]
 *
 * `--model` limits the train stage's grid (as `reproduce --model`); it is
 * passed to the timed runs only, not to the upstream stages.
 *
 * Needs a cluster (tests/cluster/slurm.sh up DIR). Prints one JSON line.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  args: Deno.args,
  options: {
    stage: { type: "string", default: "train" },
    profile: { type: "string", default: "quick" },
    "max-parallel": { type: "string", default: "2" },
    backend: { type: "string", default: "wasm" }, // the default backend
    model: { type: "string" },
  },
});
const stage = values.stage!, profile = values.profile!, m = Number(values["max-parallel"]);

async function run(results: string, args: string[]): Promise<{ seconds: number; out: string }> {
  const t0 = performance.now();
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    env: { FG_RESULTS_DIR: results },
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const out = new TextDecoder().decode(o.stdout);
  if (o.code !== 0) {
    throw new Error(`${args.join(" ")} failed: ${new TextDecoder().decode(o.stderr)}`);
  }
  return { seconds, out };
}

const tmp = await Deno.makeTempDir({ prefix: "fg_bench_slurm_" });
try {
  const common = ["--profile", profile, "--backend", values.backend!];
  const own = values.model === undefined ? [] : ["--model", values.model];
  const units = (await run(join(tmp, "x"), [
    "tasks/stage.ts",
    stage,
    ...common,
    ...own,
    "--list-units",
  ]))
    .out.trim().split("\n").length;
  const stageDeps = (await import("../src/stages/registry.ts")).getStage(stage).deps;
  for (const d of ["local", "slurm"]) {
    if (stageDeps.length > 0) {
      await run(join(tmp, d), ["tasks/reproduce.ts", ...common, "--only", stageDeps.join(",")]);
    }
  }
  const local = await run(join(tmp, "local"), ["tasks/stage.ts", stage, ...common, ...own]);
  const slurm = await run(join(tmp, "slurm"), [
    "tasks/reproduce.ts",
    ...common,
    ...own,
    "--executor",
    "slurm",
    "--only",
    stage,
    "--max-parallel",
    String(m),
    "--wait",
  ]);
  console.log(JSON.stringify({
    stage,
    profile,
    model: values.model ?? null,
    units,
    maxParallel: m,
    localSeconds: +local.seconds.toFixed(1),
    slurmSeconds: +slurm.seconds.toFixed(1),
    overheadPerUnitSeconds: +((slurm.seconds * m - local.seconds) / units).toFixed(1),
    date: new Date().toISOString(),
    load: Deno.loadavg().map((x) => +x.toFixed(2)),
  }));
} finally {
  await Deno.remove(tmp, { recursive: true });
}
