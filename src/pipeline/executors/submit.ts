/**
 * Submits a pipeline to a batch system through an {@link Executor}: plans
 * every stage's key from its parameters and its upstream keys, submits
 * nothing for a stage whose verified result is cached, one array per wave of
 * missing units (units already complete in `<key>.units/` are not
 * resubmitted) and a finalize job after them; each stage's first job starts
 * after its upstream stages' finalize jobs. With `wait`, follows the jobs to
 * the end and judges by the results on disk.
 *
 * @module
 */
import { join } from "node:path";
import { exists } from "../../io/files.ts";
import { stageDeps } from "../graph.ts";
import { checkResult } from "../manifest.ts";
import { resultDir } from "../paths.ts";
import { keyFor, type RunPlan } from "../run.ts";
import type { Stage } from "../stage.ts";
import { checkUnit, listUnits, unitFingerprint, unitFolder, waveOf } from "../units.ts";
import type { Executor, Resources, TaskState } from "./executor.ts";
import { resourcesFor } from "./resources.ts";
import { type JobSpec, SPEC_FORMAT, writeSpec } from "./spec.ts";

/** Options of {@link submitPipeline}. */
export interface SubmitOptions {
  /** The validated plan (stages upstream first, their parameters). */
  plan: RunPlan;
  /** Backend name the tasks start (resolved, e.g. "wasm"). */
  backend: string;
  /** Results root (absolute, shared by every node). */
  resultsDir: string;
  /** Repository root (absolute, shared by every node). */
  rootDir: string;
  /** Array throttle (`%M`). */
  maxParallel: number;
  /** Resource overrides for every stage. */
  resources: Resources;
  /** Verbatim engine arguments. */
  extraArgs: string[];
  /** Output lines (job ids, status). */
  out: (line: string) => void;
}

/** One submitted stage. */
export interface SubmittedStage {
  /** Stage name. */
  stage: string;
  /** Key. */
  key: string;
  /** "cached" (nothing submitted) or "submitted". */
  status: "cached" | "submitted";
  /** Array job ids, one per wave with missing units. */
  arrays: { id: string; units: string[] }[];
  /** The finalize job id. */
  finalize?: string;
}

/** Unit ids of a stage whose units are already complete and verify in its store. */
async function completeUnits(stage: Stage, params: unknown, key: string, store: string) {
  const done = new Set<string>();
  if (!stage.units || !(await exists(store))) return done;
  const seals = new Map<string, string>();
  const list = listUnits(stage.name, stage.units, params);
  const order = [...list].sort((a, b) => waveOf(a) - waveOf(b));
  for (const u of order) {
    const dir = join(store, unitFolder(u.id));
    if (!(await exists(dir))) continue;
    const c = await checkUnit(dir, u.id, unitFingerprint(key, u), (id) => seals.get(id));
    if (c.ok) {
      done.add(u.id);
      seals.set(u.id, c.record.seal);
    }
  }
  return done;
}

/** Submits every stage of the plan that is not cached; prints job ids. */
export async function submitPipeline(
  ex: Executor,
  o: SubmitOptions,
): Promise<SubmittedStage[]> {
  const keys: Record<string, string> = {};
  const finalizeOf = new Map<string, string>();
  const submitted: SubmittedStage[] = [];
  const runTs = join(o.rootDir, "tasks", "unit.ts");
  for (const stage of o.plan.order) {
    const params = o.plan.params.get(stage.name);
    const deps = stageDeps(stage, params);
    const inputKeys: Record<string, string> = {};
    for (const d of deps) inputKeys[d] = keys[d];
    const { key } = await keyFor(o.rootDir, o.backend, stage, params, inputKeys);
    keys[stage.name] = key;
    const dir = resultDir(o.resultsDir, stage.name, key);
    const upstreamJobs = deps.map((d) => finalizeOf.get(d)).filter((x) => x !== undefined);
    if (upstreamJobs.length === 0 && (await checkResult(dir, stage.name, key)).ok) {
      o.out(`${stage.name}: cached (${key.slice(0, 12)}), nothing submitted`);
      submitted.push({ stage: stage.name, key, status: "cached", arrays: [] });
      continue;
    }
    const store = `${dir}.units`;
    const complete = await completeUnits(stage, params, key, store);
    const jobDir = join(o.resultsDir, "jobs", `${stage.name}-${key.slice(0, 16)}`);
    await Deno.mkdir(jobDir, { recursive: true });
    const base: JobSpec = {
      format: SPEC_FORMAT,
      stage: stage.name,
      key,
      params,
      profile: o.plan.profile,
      backend: o.backend,
      resultsDir: o.resultsDir,
      rootDir: o.rootDir,
      units: [],
      resumed: (await exists(`${dir}.partial`)) || complete.size > 0,
      submittedAt: Date.now(),
    };
    const resources = { ...resourcesFor(stage.name, o.plan.profile, params), ...o.resources };
    const common = {
      cwd: o.rootDir,
      logDir: jobDir,
      resources,
      extraArgs: o.extraArgs,
      maxParallel: o.maxParallel,
    };
    let after = upstreamJobs as string[];
    const arrays: SubmittedStage["arrays"] = [];
    if (stage.units) {
      const list = listUnits(stage.name, stage.units, params);
      const waves = [...new Set(list.map(waveOf))].sort((a, b) => a - b);
      for (const w of waves) {
        const ids = list.filter((u) => waveOf(u) === w && !complete.has(u.id)).map((u) => u.id);
        if (ids.length === 0) continue;
        const spec = join(jobDir, `wave${w}.json`);
        await writeSpec(spec, { ...base, units: ids });
        const id = await ex.submit({
          ...common,
          name: `fg-${stage.name}-w${w}`,
          kind: "array",
          count: ids.length,
          argv: [Deno.execPath(), "run", "-A", runTs, spec],
          after,
        });
        arrays.push({ id, units: ids });
        after = [id];
        o.out(
          `${stage.name}: wave ${w}: array job ${id}, ${ids.length} unit(s)` +
            (complete.size > 0 ? ` (${complete.size} already complete)` : ""),
        );
      }
    }
    const spec = join(jobDir, "finalize.json");
    await writeSpec(spec, base);
    const fin = await ex.submit({
      ...common,
      name: `fg-${stage.name}`,
      kind: "finalize",
      count: 1,
      argv: [Deno.execPath(), "run", "-A", runTs, spec],
      after,
      resources: { ...resources, gres: undefined },
    });
    finalizeOf.set(stage.name, fin);
    o.out(`${stage.name}: finalize job ${fin} (after ${after.join(", ") || "nothing"})`);
    submitted.push({ stage: stage.name, key, status: "submitted", arrays, finalize: fin });
  }
  return submitted;
}

/** A one-line status of the submitted jobs: counts of task states per stage. */
export function statusLine(subs: SubmittedStage[], states: Map<string, TaskState[]>): string {
  const parts: string[] = [];
  for (const s of subs) {
    if (s.status === "cached") continue;
    const all = [...s.arrays.map((a) => a.id), s.finalize!].flatMap((id) => states.get(id) ?? []);
    const count = (t: TaskState) => all.filter((x) => x === t).length;
    const c = [["done", count("done")], ["running", count("running")], [
      "pending",
      count("pending"),
    ], ["failed", count("failed")]].filter(([, n]) => n !== 0).map(([k, n]) => `${n} ${k}`);
    parts.push(`${s.stage} [${c.join(", ") || "gone"}]`);
  }
  return `jobs: ${parts.join("  ") || "none"}`;
}

/** Follows the jobs until none is pending or running, printing the status line on change. */
export async function waitFor(
  ex: Executor,
  subs: SubmittedStage[],
  out: (line: string) => void,
  pollMs = 2000,
): Promise<void> {
  const ids = subs.flatMap((
    s,
  ) => [...s.arrays.map((a) => a.id), ...(s.finalize ? [s.finalize] : [])]);
  let last = "";
  for (;;) {
    const states = await ex.states(ids);
    const line = statusLine(subs, states);
    if (line !== last) out(line);
    last = line;
    const active = [...states.values()].flat().some((t) => t === "pending" || t === "running");
    if (!active) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
