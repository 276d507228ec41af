/**
 * Stage `tables`: turns the approx, functions and train stages' CSVs into the
 * paper's tables (CSV, Markdown, LaTeX booktabs, JSON) and SVG figures, one
 * folder per section, plus `index.json` listing them and `upstream/<stage>.json`
 * (copies of the upstream manifests for the report). A section whose upstream
 * has no rows in this profile is written as "not run in this profile".
 *
 * @module
 */
import { join } from "node:path";
import type { Profile, Stage } from "../pipeline/stage.ts";
import { writeJsonAtomic } from "../io/files.ts";
import { approxSection, readApprox } from "../report/approx.ts";
import { functionsSection, readFunctions } from "../report/functions.ts";
import { isSotaRun, networksSection, readTraining, sotaSection } from "../report/networks.ts";
import {
  type SectionEntry,
  TABLES_INDEX,
  type TablesIndex,
  writeSection,
} from "../report/outputs.ts";
import { readManifest } from "../report/upstream.ts";
import { writeSearchSection } from "./lr_search/section.ts";
import { LR_SOURCES, LRS_FLAG_HELP, type LrSource, lrsUpstream } from "./_searched_lrs.ts";
import { oneOf } from "../cli/args.ts";

/** Parameters of the `tables` stage: only the profile, which the notes name. */
export interface TablesParams {
  profile: Profile;
  /** `searched`: the lr-search result is an input and gets its section. */
  lrs?: LrSource;
}

/** The upstream stages of `tables`, `verify` and `report`'s data. */
export const RESULT_STAGES = ["approx", "functions", "train"] as const;

/**
 * The `tables` stage.
 *
 * @example Tables and figures of the smoke profile
 * ```sh
 * deno task tables --profile smoke
 * ```
 */
export const tablesStage: Stage<TablesParams> = {
  name: "tables",
  description: "Tables (CSV, Markdown, LaTeX) and SVG figures of every experiment",
  deps: RESULT_STAGES,
  upstream: lrsUpstream,
  sources: [
    "src/stages/tables.ts",
    "src/report",
    "src/core/lgamma.ts",
    "src/stages/lr_search/section.ts",
    "src/stages/_searched_lrs.ts",
    "lrs",
  ],
  backendIndependent: true,
  params: (profile) => ({ profile, lrs: "authors" }),
  flags: {
    options: { lrs: { type: "string" } },
    help: { lrs: `${LRS_FLAG_HELP}; searched adds the search's section` },
    apply: (values, base) =>
      values.lrs === undefined
        ? base
        : { ...base, lrs: oneOf("lrs", values.lrs as string, LR_SOURCES) },
  },
  async run(ctx) {
    const dir = ctx.outDir;
    const sections: SectionEntry[] = [];
    const inDir = (s: string) => ctx.inputs[s]?.dir;
    const approxDir = inDir("approx");
    const approx = approxDir ? await readApprox(approxDir) : null;
    sections.push(
      await writeSection(
        dir,
        "approx",
        "Approximation quality",
        approx ? approxSection(approx) : null,
        "the approx stage produced no summary rows",
      ),
    );
    const fnDir = inDir("functions");
    const fns = fnDir ? await readFunctions(fnDir) : null;
    sections.push(
      await writeSection(
        dir,
        "functions",
        "Function optimisation",
        fns ? functionsSection(fns) : null,
        "the functions stage produced no summary rows",
      ),
    );
    const trainDir = inDir("train");
    const runs = trainDir ? await readTraining(trainDir) : null;
    const fcRuns = runs?.filter((r) => !isSotaRun(r)) ?? [];
    const sotaRuns = runs?.filter(isSotaRun) ?? [];
    sections.push(
      await writeSection(
        dir,
        "networks",
        "Network training",
        fcRuns.length > 0 ? networksSection(fcRuns) : null,
        "the train stage produced no FC runs",
      ),
      await writeSection(
        dir,
        "sota",
        "ResNet18 and ViT (§4.5)",
        sotaRuns.length > 0 ? sotaSection(sotaRuns) : null,
        "the train stage produced no ResNet18 or ViT runs",
      ),
    );
    const searchDir = inDir("lr-search");
    if (searchDir) {
      sections.push(await writeSearchSection(dir, "lr_search", searchDir, ctx.rootDir));
    }
    for (const s of [...RESULT_STAGES, ...(searchDir ? ["lr-search"] : [])]) {
      const d = inDir(s);
      const m = d ? await readManifest(d) : null;
      if (m) await writeJsonAtomic(join(dir, "upstream", `${s}.json`), m);
    }
    const index: TablesIndex = { format: 1, profile: ctx.params.profile, sections };
    await writeJsonAtomic(join(dir, TABLES_INDEX), index);
    for (const s of sections) {
      ctx.log(`${s.title}: ${s.status}, ${s.tables.length} tables, ${s.figures.length} figures`);
    }
    return {
      sections: Object.fromEntries(sections.map((s) => [s.id, s.status])),
      tables: sections.reduce((a, s) => a + s.tables.length, 0),
      figures: sections.reduce((a, s) => a + s.figures.length, 0),
    };
  },
};
