/**
 * The SLURM adapter of ./executor.ts: `sbatch --array=0-(U-1)%M` per wave
 * of missing units (each task runs `tasks/unit.ts <spec> --index-env
 * SLURM_ARRAY_TASK_ID`), a finalize job `--dependency=afterok:…`
 * `--kill-on-invalid-dep=yes`, and states from `squeue -t all -r`.
 *
 * @module
 */
import { join } from "node:path";
import { UsageError } from "../../cli/args.ts";
import type { Executor, TaskJob, TaskState } from "./executor.ts";

async function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  try {
    const o = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UsageError(`--executor slurm: the command ${cmd} is not installed (not on PATH)`);
    }
    throw e;
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:,+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The sbatch arguments of a job (exported for the tests of the flag mapping). */
export function sbatchArgs(job: TaskJob): string[] {
  const a = ["--parsable", `--job-name=${job.name}`, `--chdir=${job.cwd}`];
  const log = job.kind === "array" ? "%x-%A_%a.out" : "%x-%j.out";
  a.push(`--output=${join(job.logDir, log)}`);
  if (job.kind === "array") a.push(`--array=0-${job.count - 1}%${job.maxParallel}`);
  if (job.after.length > 0) {
    a.push(`--dependency=afterok:${job.after.join(":")}`, "--kill-on-invalid-dep=yes");
  }
  const r = job.resources;
  if (r.cpus !== undefined) a.push(`--cpus-per-task=${r.cpus}`);
  if (r.mem !== undefined) a.push(`--mem=${r.mem}`);
  if (r.gres !== undefined) a.push(`--gres=${r.gres}`);
  if (r.time !== undefined) a.push(`--time=${r.time}`);
  a.push(...job.extraArgs);
  const mode = job.kind === "array" ? ["--index-env", "SLURM_ARRAY_TASK_ID"] : ["--finalize"];
  a.push(`--wrap=${[...job.argv, ...mode].map(shellQuote).join(" ")}`);
  return a;
}

function stateOf(s: string): TaskState {
  if (/^(PENDING|CONFIGURING|REQUEUED|RESV_DEL_HOLD|REQUEUE_HOLD|SUSPENDED)/.test(s)) {
    return "pending";
  }
  if (/^(RUNNING|COMPLETING|STAGE_OUT|SIGNALING)/.test(s)) return "running";
  if (s === "COMPLETED") return "done";
  return "failed";
}

/** A SLURM executor (sbatch, squeue on PATH; `SLURM_CONF` as the site sets it). */
export function slurmExecutor(): Executor {
  return {
    name: "slurm",
    async check() {
      for (const c of ["sbatch", "squeue"]) await run(c, ["--version"]);
    },
    async submit(job) {
      const r = await run("sbatch", sbatchArgs(job));
      if (r.code !== 0) {
        throw new Error(`sbatch failed for ${job.name}: ${r.err.trim() || r.out.trim()}`);
      }
      return r.out.trim().split(";")[0];
    },
    async states(ids) {
      const res = new Map<string, TaskState[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return res;
      const r = await run("squeue", ["-h", "-t", "all", "-r", "-j", ids.join(","), "-o", "%i|%T"]);
      for (const line of r.out.split("\n")) {
        const [jid, st] = line.trim().split("|");
        if (!jid || !st) continue;
        const base = jid.split("_")[0];
        res.get(base)?.push(stateOf(st));
      }
      return res;
    },
  };
}
