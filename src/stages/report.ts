/**
 * Stage `report`: a static `index.html` that shows every table and figure of
 * the tables stage, the verification table, and the provenance (manifest
 * facts) of every stage result. The files it shows are copied beside it
 * (`tables/…`, `verify/…`), so the folder is self-contained; the pipeline's
 * latest view exposes it as `results/latest/report/index.html`.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { Profile, Stage } from "../pipeline/stage.ts";
import { writeFileAtomic } from "../io/files.ts";
import { type Provenance, renderReportHtml, type ReportSection } from "../report/html.ts";
import { TABLES_INDEX, type TablesIndex } from "../report/outputs.ts";
import type { Table } from "../report/table.ts";
import { manifestFacts, readManifest } from "../report/upstream.ts";
import { RESULT_STAGES } from "./tables.ts";

/** Parameters of the `report` stage. */
export interface ReportParams {
  profile: Profile;
  /** Page title. */
  title: string;
}

async function copyInto(fromDir: string, rel: string, toDir: string): Promise<void> {
  await Deno.mkdir(dirname(join(toDir, rel)), { recursive: true });
  await writeFileAtomic(join(toDir, rel), await Deno.readFile(join(fromDir, rel)));
}

/**
 * Builds the report folder from the tables and verify folders.
 *
 * @param tablesDir Folder of the tables stage.
 * @param verifyDir Folder of the verify stage (or undefined).
 * @param outDir Where to write `index.html` and the copied files.
 * @param params Title and profile.
 * @param more The data stage's folder (its manifest joins the provenance) and
 *   this report's own facts (its inputs and parameters; its manifest is written
 *   beside the page after the page).
 * @returns The number of files linked.
 */
export async function buildReport(
  tablesDir: string,
  verifyDir: string | undefined,
  outDir: string,
  params: ReportParams,
  more: { dataDir?: string; self?: [string, string][] } = {},
): Promise<{ files: number; html: string }> {
  const index = JSON.parse(await Deno.readTextFile(join(tablesDir, TABLES_INDEX))) as TablesIndex;
  const prefix = "tables/";
  const tablesOut = join(outDir, "tables");
  let files = 0;
  const sections: ReportSection[] = [];
  for (const entry of index.sections) {
    const tables: Record<string, Table> = {};
    for (const t of entry.tables) {
      for (const rel of [t.csv, t.md, t.tex, t.json]) {
        await copyInto(tablesDir, rel, tablesOut);
        files++;
      }
      tables[t.name] = JSON.parse(await Deno.readTextFile(join(tablesDir, t.json)));
    }
    for (const f of entry.figures) {
      for (const rel of [f.svg, f.spec]) {
        await copyInto(tablesDir, rel, tablesOut);
        files++;
      }
    }
    sections.push({ entry, tables });
  }
  let verification = null;
  const provenance: Provenance[] = [];
  const dm = more.dataDir ? await readManifest(more.dataDir) : null;
  if (dm) provenance.push({ stage: "data", facts: manifestFacts(dm) });
  for (const s of RESULT_STAGES) {
    try {
      const m = JSON.parse(await Deno.readTextFile(join(tablesDir, "upstream", `${s}.json`)));
      provenance.push({ stage: s, facts: manifestFacts(m) });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const tm = await readManifest(tablesDir);
  if (tm) provenance.push({ stage: "tables", facts: manifestFacts(tm) });
  if (verifyDir) {
    const names = { csv: "verification.csv", md: "verification.md", tex: "verification.tex" };
    for (const rel of [...Object.values(names), "verification.json", "verify.json"]) {
      await copyInto(verifyDir, rel, join(outDir, "verify"));
      files++;
    }
    const table = JSON.parse(
      await Deno.readTextFile(join(verifyDir, "verification.json")),
    ) as Table;
    const summary = JSON.parse(await Deno.readTextFile(join(verifyDir, "verify.json")));
    verification = {
      table,
      files: { csv: `verify/${names.csv}`, md: `verify/${names.md}`, tex: `verify/${names.tex}` },
      passed: summary.passed as number,
      checks: summary.checks as number,
    };
    const vm = await readManifest(verifyDir);
    if (vm) provenance.push({ stage: "verify", facts: manifestFacts(vm) });
  }
  if (more.self) provenance.push({ stage: "report", facts: more.self });
  const html = renderReportHtml({
    title: params.title,
    profile: index.profile ?? params.profile,
    sections,
    verification,
    provenance,
    filesPrefix: prefix,
  });
  await writeFileAtomic(join(outDir, "index.html"), html);
  return { files, html };
}

/** The report's own provenance: what it was built from, when, and where its manifest is. */
export function reportFacts(
  params: ReportParams,
  inputs: Record<string, { key: string }>,
): [string, string][] {
  return [
    ["stage", "report"],
    ["profile", params.profile],
    [
      "inputs",
      Object.entries(inputs).map(([s, u]) => `${s} ${u.key.slice(0, 12)}`).join(", ") || "none",
    ],
    ["built", new Date().toISOString()],
    ["versions", `deno ${Deno.version.deno}`],
    ["manifest", "manifest.json beside this page (cache key, file hashes, timings)"],
    ["parameters", JSON.stringify(params)],
  ];
}

/**
 * The `report` stage.
 *
 * @example Build the smoke report and open it
 * ```sh
 * deno task report --profile smoke
 * chromium results/latest/report/index.html
 * ```
 */
export const reportStage: Stage<ReportParams> = {
  name: "report",
  description:
    "Static HTML report with every table, figure, check and the provenance of each result",
  // data: only for its manifest in the provenance (train's input; cheap, always cached by then).
  deps: ["data", "tables", "verify"],
  sources: ["src/stages/report.ts", "src/stages/tables.ts", "src/report"],
  backendIndependent: true,
  params: (profile) => ({
    profile,
    title: "Beyond Backpropagation: multi-tangent forward gradients — reproduction report",
  }),
  flags: { options: {}, help: {}, apply: (_values, base) => base },
  async run(ctx) {
    const tablesDir = ctx.inputs.tables?.dir;
    if (!tablesDir) throw new Error("Cannot build the report: the tables stage has no result");
    const { files } = await buildReport(tablesDir, ctx.inputs.verify?.dir, ctx.outDir, ctx.params, {
      dataDir: ctx.inputs.data?.dir,
      self: reportFacts(ctx.params, ctx.inputs),
    });
    ctx.log(`index.html links ${files} files`);
    return { files, page: "index.html" };
  },
};
