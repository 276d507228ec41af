/**
 * The search labels of the `lr-search` stage (spec §5.1, §5.2): which
 * (function, n, approach) and (FC width, approach) get an LR, how each is
 * named (the original's checkpoint labels) and which table row it becomes.
 *
 * @module
 */
import { type ApproachSpec, fg, gradientLabel } from "../../functions/approaches.ts";
import { getFunction } from "../../functions/registry.ts";
import type { GradientSpec } from "../../nn/gradients/mode.ts";
import { tableApproach } from "../../nn/gradients/mode.ts";
import { paperApproaches } from "../functions/grid.ts";
import { fcModelKey } from "../train/runs.ts";

/** The original's `extract_best --task` values this stage searches (`sota-nn` is not here yet). */
export const SEARCH_TASKS = ["math", "math_custom_tangents", "fc-nn"] as const;
/** One search task. */
export type SearchTask = typeof SEARCH_TASKS[number];

/** One approach of the FC grid: bp, or fg/frog with k tangents. */
export interface FcApproach {
  /** bp, fg or frog. */
  approach: "bp" | "fg" | "frog";
  /** Tangents; null for bp. */
  k: number | null;
}

/** A function label: descent of one function at one n with one approach. */
export interface FunctionLabel {
  task: "math" | "math_custom_tangents";
  /** `math/<function>_n=<n, 4 digits>/<approach>[__<sampler>]`. */
  label: string;
  functionName: string;
  n: number;
  approach: ApproachSpec;
  /** Steps of each descent (the function's max steps unless capped by the profile). */
  maxSteps: number;
  /**
   * Other tasks whose table gets this label's row: frog with the normal
   * sampler at n = 64 is one search for both `math` and `math_custom_tangents`
   * (the same label), as in the original.
   */
  alsoIn?: SearchTask[];
}

/** An FC label: training one FC network with one approach. */
export interface FcLabel {
  task: "fc-nn";
  /** `nns/fc_w=<W>__<dataset>/<approach>`. */
  label: string;
  width: number;
  dataset: string;
  gradient: GradientSpec;
}

/** Any search label. */
export type SearchLabel = FunctionLabel | FcLabel;

/** The approach part of a label: `bp`, `fg-mean_k=4`, `frog_k=16`, `fg-mean_k=16__specific_angle_45`. */
export function approachLabel(a: ApproachSpec): string {
  if (a.type !== "fg") return a.type;
  const name = a.aggregation === "mean" ? "fg-mean" : "frog";
  return `${name}_k=${a.k}${a.sampler === "normal" ? "" : `__${a.sampler}`}`;
}

/** `math/<function>_n=<n>/<approach>`. */
export function functionLabelName(functionName: string, n: number, a: ApproachSpec): string {
  return `math/${functionName}_n=${String(n).padStart(4, "0")}/${approachLabel(a)}`;
}

/** The math grid of the search: functions × ns × the 8 paper approaches for `ks`. */
export interface MathGrid {
  functions: string[];
  ns: number[];
  ks: number[];
  /** Caps every function's max steps when set. */
  maxSteps: number | null;
}

/** The custom-tangents grid: styblinski-tang, fg-mean k × angle samplers and frog k (normal). */
export interface CustomGrid {
  ns: number[];
  ks: number[];
  angles: number[];
  maxSteps: number | null;
}

/** The FC grid. */
export interface FcGrid {
  widths: number[];
  dataset: "mnist";
  approaches: FcApproach[];
}

/** Labels of the math task, in table order (function → n → approach). */
export function mathLabels(g: MathGrid): FunctionLabel[] {
  const out: FunctionLabel[] = [];
  for (const name of g.functions) {
    const fn = getFunction(name);
    for (const n of g.ns) {
      for (const approach of paperApproaches(g.ks)) {
        out.push({
          task: "math",
          label: functionLabelName(fn.name, n, approach),
          functionName: fn.name,
          n,
          approach,
          maxSteps: Math.min(fn.maxSteps, g.maxSteps ?? Infinity),
        });
      }
    }
  }
  return out;
}

/** Labels of the custom-tangents task (spec §5.2: angle samplers for fg-mean, normal for frog). */
export function customLabels(g: CustomGrid): FunctionLabel[] {
  const fn = getFunction("styblinski-tang");
  const out: FunctionLabel[] = [];
  for (const n of g.ns) {
    for (const k of g.ks) {
      const approaches = [
        ...g.angles.map((a) => fg(k, "mean", { sampler: `specific_angle_${a}` })),
        fg(k, "orthogonal_projection"),
      ];
      for (const approach of approaches) {
        out.push({
          task: "math_custom_tangents",
          label: functionLabelName(fn.name, n, approach),
          functionName: fn.name,
          n,
          approach,
          maxSteps: Math.min(fn.maxSteps, g.maxSteps ?? Infinity),
        });
      }
    }
  }
  return out;
}

/** Labels of the FC task (node perturbation, simulated FG, as the original's search). */
export function fcLabels(g: FcGrid): FcLabel[] {
  const out: FcLabel[] = [];
  for (const width of g.widths) {
    for (const a of g.approaches) {
      const gradient: GradientSpec = {
        approach: a.approach,
        k: a.k ?? 1,
        mode: "sim",
        perturbation: "node",
      };
      const approach = a.approach === "bp" ? "bp" : `${tableApproach(a.approach)}_k=${a.k}`;
      out.push({
        task: "fc-nn",
        label: `nns/${fcModelKey(width)}__${g.dataset}/${approach}`,
        width,
        dataset: g.dataset,
        gradient,
      });
    }
  }
  return out;
}

/** The k cell of a math table row: `1.0` in math.csv, `16` in the custom table, empty for bp. */
export function mathK(l: FunctionLabel, table: SearchTask = l.task): string {
  if (l.approach.type !== "fg") return "";
  return table === "math" ? `${l.approach.k}.0` : String(l.approach.k);
}

/** Whether a label's row belongs in `task`'s table. */
export function inTable(l: SearchLabel, task: SearchTask): boolean {
  return l.task === task || (l.task !== "fc-nn" && (l.alsoIn ?? []).includes(task));
}

/**
 * Merges label lists, keeping the first of equal labels and noting the
 * later one's task in its `alsoIn`.
 */
export function mergeLabels(lists: readonly SearchLabel[][]): SearchLabel[] {
  const out: SearchLabel[] = [];
  const seen = new Map<string, SearchLabel>();
  for (const l of lists.flat()) {
    const first = seen.get(l.label);
    if (!first) {
      const copy = { ...l };
      seen.set(l.label, copy);
      out.push(copy);
    } else if (first.task !== "fc-nn") {
      first.alsoIn = [...(first.alsoIn ?? []), l.task];
    }
  }
  return out;
}

/** The `gradient_approach` cell: bp, fg-mean or frog. */
export function gradientApproachCell(a: ApproachSpec): string {
  if (a.type !== "fg") return "bp";
  return a.aggregation === "mean" ? "fg-mean" : "frog";
}

/** The `optimizer` cell (the lookup label). */
export function optimizerCell(a: ApproachSpec): string {
  return gradientLabel(a, ["scaling_correction"]);
}
