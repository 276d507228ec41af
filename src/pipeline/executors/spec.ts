/**
 * Job specs: what one task of a cluster job (or one local worker) computes,
 * written as JSON next to the job's logs so that every task recomputes
 * exactly the submitting process's parameters, under exactly its key.
 *
 * A spec names a stage, its resolved parameters, key, profile and backend,
 * the folders, and the unit ids of one array (one wave of missing units, in
 * index order). `tasks/unit.ts <spec> --index I` computes unit I of it,
 * `--index-env VAR` takes I from an environment variable
 * (`SLURM_ARRAY_TASK_ID`, Kubernetes' `JOB_COMPLETION_INDEX`), `--all`
 * computes every missing unit under the unit locks (a local worker), and
 * `--finalize` runs the stage normally: it adopts the units and finalizes
 * (for a stage without units, it is the whole run).
 *
 * @module
 */
import { UsageError } from "../../cli/args.ts";
import { writeJsonAtomic } from "../../io/files.ts";
import type { Profile, Stage } from "../stage.ts";
import { runStage, runUnitsOnly } from "../run.ts";

/** Format of {@link JobSpec}. */
export const SPEC_FORMAT = 1;

/** One job's spec. */
export interface JobSpec {
  /** {@link SPEC_FORMAT}. */
  format: number;
  /** Stage name. */
  stage: string;
  /** Its cache key: a task whose checkout computes another key refuses to run. */
  key: string;
  /** Resolved parameters. */
  params: unknown;
  /** Profile of the other stages' parameters. */
  profile: Profile;
  /** Backend name (resolved, e.g. "wasm", not "auto"). */
  backend: string;
  /** Results root (absolute, on the shared filesystem). */
  resultsDir: string;
  /** Repository root (absolute). */
  rootDir: string;
  /** Unit ids of the array, in index order (empty for a finalize-only spec). */
  units: string[];
  /** Manifest `resumed` of the result (whether units existed before the submission). */
  resumed: boolean;
  /** Submission time (ms): units committed since count as computed by this run. */
  submittedAt: number;
}

/** Writes a spec. */
export async function writeSpec(path: string, spec: JobSpec): Promise<void> {
  await writeJsonAtomic(path, spec);
}

/** Reads and checks a spec. */
export async function readSpec(path: string): Promise<JobSpec> {
  let s: JobSpec;
  try {
    s = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new UsageError(`spec ${path} cannot be read: ${(e as Error).message}`);
  }
  if (s?.format !== SPEC_FORMAT || typeof s.stage !== "string" || typeof s.key !== "string") {
    throw new UsageError(`spec ${path} is not a job spec of format ${SPEC_FORMAT}`);
  }
  return s;
}

/** What one task does. */
export type TaskMode = { index: number } | { all: true } | { finalize: true };

/**
 * Runs one task of a spec.
 *
 * @returns The exit code: 0, or 1 when the finalized stage's verdict is `ok: false`.
 */
export async function runTask(
  spec: JobSpec,
  mode: TaskMode,
  stages: readonly Stage[],
  log: (line: string) => void = (l) => console.error(l),
): Promise<number> {
  const { initBackend } = await import("../../backend.ts");
  const backend = await initBackend(spec.backend as Parameters<typeof initBackend>[0]);
  const opts = {
    profile: spec.profile,
    backend,
    params: spec.params,
    expectKey: spec.key,
    resultsDir: spec.resultsDir,
    rootDir: spec.rootDir,
    log,
    progress: { mode: "off" as const },
  };
  if ("finalize" in mode) {
    const { target } = await runStage(spec.stage, {
      ...opts,
      resumed: spec.resumed,
      freshSince: spec.submittedAt,
    }, stages);
    log(`${spec.stage}: ${target.status}, key ${target.key}`);
    return target.passed ? 0 : 1;
  }
  let ids: string[] | undefined;
  if ("index" in mode) {
    const id = spec.units[mode.index];
    if (id === undefined) {
      throw new UsageError(
        `--index must be 0..${spec.units.length - 1} for this spec, got ${mode.index}`,
      );
    }
    ids = [id];
  }
  const r = await runUnitsOnly(
    spec.stage,
    ids ? { ids } : { shard: { index: 0, count: 1 } },
    opts,
    stages,
  );
  log(
    `${spec.stage}: ${
      r.status === "cached" ? "already complete" : `computed ${r.computed.join(", ") || "nothing"}`
    }`,
  );
  return 0;
}
