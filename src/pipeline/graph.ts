/**
 * The stage graph: lookup by name, dependency order, cycle and unknown-stage
 * errors.
 *
 * @module
 */
import { UsageError } from "../cli/args.ts";
import type { Stage } from "./stage.ts";

/**
 * Indexes stages by name.
 *
 * @throws Error when two stages share a name or a stage depends on one not in the list.
 */
export function stageIndex(stages: readonly Stage[]): Map<string, Stage> {
  const index = new Map<string, Stage>();
  for (const s of stages) {
    if (index.has(s.name)) {
      throw new Error(`Cannot build the stage graph: two stages are named "${s.name}"`);
    }
    index.set(s.name, s);
  }
  for (const s of stages) {
    for (const d of s.deps) {
      if (!index.has(d)) {
        throw new Error(
          `Cannot build the stage graph: stage "${s.name}" depends on unknown stage "${d}"`,
        );
      }
    }
  }
  return index;
}

/**
 * Finds a stage by name.
 *
 * @throws UsageError naming the known stages when there is none.
 */
export function findStage(name: string, stages: readonly Stage[]): Stage {
  const s = stages.find((x) => x.name === name);
  if (!s) {
    const known = stages.map((x) => x.name);
    throw new UsageError(
      known.length === 0
        ? `unknown stage "${name}": no stages are registered`
        : `unknown stage "${name}"; stages: ${known.join(", ")}`,
    );
  }
  return s;
}

/**
 * A stage's upstream stages for given parameters: {@link Stage.deps} plus
 * what {@link Stage.upstream} adds for them (without repeats).
 */
export function stageDeps<P>(stage: Stage<P>, params: P): readonly string[] {
  const extra = stage.upstream ? stage.upstream(params) : [];
  return [...new Set([...stage.deps, ...extra])];
}

/**
 * The stages needed to run `targets`, upstream first (a topological order,
 * stable: ties keep the order of `stages`). `depsOf` gives a stage's
 * upstream stages (default its static `deps`; the runner passes
 * {@link stageDeps} with each stage's parameters).
 *
 * @throws UsageError for an unknown target; Error naming the cycle for a dependency cycle.
 *
 * @example
 * ```ts
 * import { dependencyOrder } from "./graph.ts";
 * import type { Stage } from "./stage.ts";
 * const s = (name: string, deps: string[]) => ({ name, deps }) as unknown as Stage;
 * dependencyOrder(["c"], [s("a", []), s("b", ["a"]), s("c", ["b"])]).map((x) => x.name); // ["a", "b", "c"]
 * ```
 */
export function dependencyOrder(
  targets: readonly string[],
  stages: readonly Stage[],
  depsOf: (stage: Stage) => readonly string[] = (s) => s.deps,
): Stage[] {
  const index = stageIndex(stages);
  const order: Stage[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]): void => {
    const st = state.get(name);
    if (st === "done") return;
    if (st === "visiting") {
      const cycle = [...path.slice(path.indexOf(name)), name].join(" -> ");
      throw new Error(`Cannot order the stage graph: dependency cycle ${cycle}`);
    }
    state.set(name, "visiting");
    const stage = index.get(name)!;
    for (const d of depsOf(stage)) {
      findStage(d, stages);
      visit(d, [...path, name]);
    }
    state.set(name, "done");
    order.push(stage);
  };
  for (const t of targets) {
    findStage(t, stages);
    visit(t, []);
  }
  return order;
}
