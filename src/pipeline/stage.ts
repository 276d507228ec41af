/**
 * The contract every pipeline stage implements. A stage is a pure function
 * from (parameters, upstream outputs) to files in one output folder; the
 * runner (src/pipeline/run.ts) hashes its inputs, reuses a cached result with
 * the same hash, and otherwise calls `run()` on a scratch folder that it
 * renames into place only when `run()` resolves.
 *
 * @module
 */
import type { ParseArgsConfig } from "node:util";
import type { BackendInfo } from "../backend.ts";
import type { StageUnits } from "./units.ts";

/** Grid sizes: `smoke` for CI (minutes), `quick` for a laptop, `paper` for the real thing. */
export type Profile = "smoke" | "quick" | "paper";
/** All profiles, smallest first. */
export const PROFILES: readonly Profile[] = ["smoke", "quick", "paper"];

/** A completed upstream stage result that a stage may read. */
export interface UpstreamOutput {
  /** Stage name. */
  stage: string;
  /** Absolute folder holding the upstream stage's files. */
  dir: string;
  /** The upstream cache key (hash). */
  key: string;
  /** The upstream parameters. */
  params: unknown;
}

/** Progress reporting handed to a stage; a bar with ETA on long runs. */
export interface Progress {
  /** Marks `n` (default 1) more units done. */
  tick(n?: number): void;
  /** Ends the display (idempotent; the runner also stops every bar when run() ends). */
  stop(): void;
}

/** What `run()` receives. */
export interface StageContext<P> {
  /** The resolved parameters (profile defaults overridden by flags). */
  params: P;
  /**
   * Folder to write every output into. It may already hold files from a
   * killed earlier run with the same cache key: a stage that works in units
   * (one n, one run) may skip units whose files are complete. Write each file
   * atomically (see `writeFileAtomic` in src/io/files.ts).
   */
  outDir: string;
  /** Completed upstream outputs, by stage name. */
  inputs: Record<string, UpstreamOutput>;
  /** The running tfjs backend. */
  backend: BackendInfo;
  /** Absolute path of the repository root. */
  rootDir: string;
  /** Log one line to stderr (prefixed with the stage name). */
  log(message: string): void;
  /** Start a progress bar for `total` units of work. */
  progress(label: string, total: number): Progress;
}

/** What {@link Stage.preflight} receives: the parameters and inputs, but no output folder. */
export type PreflightContext<P> = Pick<
  StageContext<P>,
  "params" | "inputs" | "backend" | "rootDir" | "log"
>;

/** Command-line flags of a stage: parseArgs options plus how they map onto params. */
export interface StageFlags<P> {
  /**
   * node:util parseArgs options (strict). `--profile`, `--backend`, `--force`,
   * `--help` are added by the runner. Give no `default` here: defaults come
   * from `params(profile)`, and a flag left out must arrive as `undefined`.
   */
  options: NonNullable<ParseArgsConfig["options"]>;
  /** One help line per flag, keyed by flag name. */
  help: Record<string, string>;
  /**
   * Applies parsed flag values to the profile's parameters. Throws a
   * UsageError (src/cli/args.ts) naming the flag and the allowed values on
   * bad input, before anything is written.
   */
  apply(values: Record<string, string | boolean | string[] | boolean[] | undefined>, base: P): P;
}

/** One stage of the pipeline. */
export interface Stage<P = unknown> {
  /** Unique name, also the cache folder name (`results/cache/<name>/`). */
  name: string;
  /** One line for `--help` and the README. */
  description: string;
  /** Upstream stage names; their outputs' keys enter this stage's key. */
  deps: readonly string[];
  /**
   * Further upstream stages that some parameters need (e.g. `functions
   * --lrs searched` needs `lr-search`): called with the resolved parameters;
   * they are added to `deps` for ordering, keys and inputs alike.
   */
  upstream?(params: P): readonly string[];
  /**
   * True for a stage that `reproduce` runs only when another stage needs it
   * (through {@link Stage.upstream}) or `--only` names it, e.g. the LR search.
   */
  onDemand?: boolean;
  /**
   * Source files or folders (relative to the repository root) whose contents
   * enter the cache key: the stage module and everything it relies on.
   */
  sources: readonly string[];
  /**
   * True when the results do not depend on the tfjs backend (e.g. data
   * preparation): the backend name then stays out of the cache key.
   * Default false: the backend name enters the key.
   */
  backendIndependent?: boolean;
  /**
   * Files or folders outside `sources` that the stage reads for these
   * parameters (a dataset folder given by a flag, the local copy it would
   * fall back to): absolute paths, or paths relative to `rootDir`. Their
   * contents (every byte, hashed on each resolution) enter the cache key, so
   * a truncated or edited input file invalidates the result. Paths that do
   * not exist must be left out (the stage's own checks report them).
   */
  inputFiles?(params: P, rootDir: string): readonly string[] | Promise<readonly string[]>;
  /** Default parameters for a profile. Must be JSON-serialisable. */
  params(profile: Profile): P;
  /** The stage's own flags. */
  flags: StageFlags<P>;
  /**
   * Optional check of everything the stage will read before anything is
   * written: input folders and files named by parameters or the environment,
   * tables, sizes that must fit in memory. The runner calls it after the
   * upstream results are resolved and before it creates `<key>.partial/` or
   * takes a lock, so a UsageError thrown here (one line naming the flag or
   * variable and the allowed values) means exit code 2 and nothing written.
   */
  preflight?(ctx: PreflightContext<P>): Promise<void> | void;
  /**
   * Optional check of the parameters alone (paths named by the environment,
   * combinations of flags), run when the run is planned: before the backend
   * is started or anything is logged or written, for every stage of the plan
   * (cached ones too). A UsageError thrown here is the run's only output line.
   *
   * @example
   * ```ts
   * // checkParams(p) { if (p.n < 1) throw new UsageError("--n must be ≥ 1"); }
   * ```
   */
  checkParams?(params: P): void;
  /**
   * The stage's units, when it works in units (src/pipeline/units.ts): the
   * runner then lists them, adopts the verified ones of an interrupted run,
   * computes the missing ones and calls their finalize instead of `run()`
   * (set `run` to `unitRun(units)` for callers that call it directly).
   */
  // deno-lint-ignore no-explicit-any
  units?: StageUnits<P, any, any>;
  /**
   * Does the work; may return summary facts recorded in the manifest. Throw
   * to fail (the `.partial` folder is kept for a resumed rerun). A summary
   * with `ok: false` keeps the result but marks the stage as failed (a
   * verdict, e.g. verification found a mismatch): `tasks/stage.ts` and
   * `tasks/reproduce.ts` then exit with code 1.
   */
  run(ctx: StageContext<P>): Promise<Record<string, unknown> | void>;
}
