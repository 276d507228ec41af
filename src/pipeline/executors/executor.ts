/**
 * The executor interface: what a batch system must do to run the pipeline's
 * stages as arrays of unit tasks plus a finalize job each. The planning
 * (keys, cached stages, missing units per wave, specs, dependencies) is
 * shared (./submit.ts); an adapter only submits and reports states.
 *
 * An adapter for another engine is one more file: a Kubernetes Indexed Job
 * (`completions: count`, the index in `JOB_COMPLETION_INDEX`, so the task
 * runs `tasks/unit.ts <spec> --index-env JOB_COMPLETION_INDEX`; the finalize
 * Job is created when the array Job reports `Complete`), or HTCondor
 * (`queue count`, `--index $(Process)`, DAGMan edges for `after`).
 *
 * @module
 */

/** Per-stage resource hints (a profile's, overridden by flags). */
export interface Resources {
  /** CPUs per task. */
  cpus?: number;
  /** Memory per task, e.g. "4G". */
  mem?: string;
  /** Generic resources, e.g. "gpu:1". */
  gres?: string;
  /** Time limit, e.g. "01:00:00". */
  time?: string;
}

/** One job to submit: an array of `count` unit tasks, or one finalize task. */
export interface TaskJob {
  /** Job name, e.g. `fg-approx-w0`. */
  name: string;
  /** "array": run `argv` + the index of each task; "finalize": `argv` + `--finalize`. */
  kind: "array" | "finalize";
  /** Tasks in the array (1 for finalize). */
  count: number;
  /** At most this many tasks of the array at once. */
  maxParallel: number;
  /** The task command without its mode: `deno run -A tasks/unit.ts <spec>`. */
  argv: string[];
  /** Working directory of the tasks (the repository root). */
  cwd: string;
  /** Folder for the tasks' logs. */
  logDir: string;
  /** Job ids this one starts after (all must succeed; a failure cancels it). */
  after: string[];
  /** Resource hints. */
  resources: Resources;
  /** Extra arguments for the engine, verbatim (`--sbatch-arg`). */
  extraArgs: string[];
}

/** Coarse state of a job's tasks. */
export type TaskState = "pending" | "running" | "done" | "failed";

/** A batch system. */
export interface Executor {
  /** Name for messages, e.g. "slurm". */
  name: string;
  /** Throws a UsageError naming the missing command when the engine's client is not here. */
  check(): Promise<void>;
  /** Submits one job; returns its id. */
  submit(job: TaskJob): Promise<string>;
  /** States of every task of the given jobs (id → one state per known task). */
  states(ids: string[]): Promise<Map<string, TaskState[]>>;
}
