/**
 * The pipeline's stages, in graph order (upstream first). To add a stage:
 * one import line and one entry line below, each in graph order.
 *
 * @module
 */
import { findStage } from "../pipeline/graph.ts";
import type { Stage } from "../pipeline/stage.ts";
import { approxStage } from "./approx.ts";
import { dataStage } from "./data.ts";
import { lrSearchStage } from "./lr_search.ts";
import { functionsStage } from "./functions.ts";
import { trainStage } from "./train.ts";
import { tablesStage } from "./tables.ts";
import { verifyStage } from "./verify.ts";
import { reportStage } from "./report.ts";

/** Every stage of the pipeline, upstream first. */
export const STAGES: Stage[] = [
  // one entry per stage, upstream first, e.g. `dataStage,`
  dataStage,
  approxStage,
  lrSearchStage,
  functionsStage,
  trainStage,
  tablesStage,
  verifyStage,
  reportStage,
];

/**
 * The registered stage called `name`.
 *
 * @throws UsageError naming the registered stages when there is none.
 */
export function getStage(name: string): Stage {
  return findStage(name, STAGES);
}
