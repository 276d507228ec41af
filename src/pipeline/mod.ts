/**
 * The pipeline: the Stage contract, the runner with its content-hash cache,
 * atomic file helpers for stages, and the command-line front ends.
 *
 * @example Run a stage and its missing upstream stages
 * ```ts ignore
 * import { runStage } from "./mod.ts";
 * import { STAGES } from "../stages/registry.ts";
 * const { target } = await runStage("approx", { profile: "smoke", backend: "cpu" }, STAGES);
 * console.log(target.status, target.key, target.dir);
 * ```
 *
 * @module
 */
export * from "./stage.ts";
export * from "../io/files.ts";
export * from "./csv.ts";
export * from "./hash.ts";
export * from "./graph.ts";
export * from "./manifest.ts";
export * from "./lock.ts";
export * from "./latest.ts";
export * from "./paths.ts";
export * from "./progress.ts";
export * from "./run.ts";
export * from "./units.ts";
export * from "./gc.ts";
export * from "./cli.ts";
