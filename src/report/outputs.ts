/**
 * Writing tables and figures into a stage folder, and the index
 * (`index.json`) that lists them by section for the verify and report stages.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/files.ts";
import { type Table, tableToCsv, validateTable } from "./table.ts";
import { tableToMarkdown } from "./markdown.ts";
import { tableToLatex } from "./latex.ts";
import { renderSvg, type VegaLiteSpec } from "./figure.ts";

/** Files written for one table, relative to the stage folder. */
export interface TableEntry {
  name: string;
  title: string;
  csv: string;
  md: string;
  tex: string;
  json: string;
}

/** Files written for one figure, relative to the stage folder. */
export interface FigureEntry {
  name: string;
  title: string;
  svg: string;
  /** The Vega-Lite specification (JSON). */
  spec: string;
}

/** One section of the results (approximation quality, function optimisation, networks). */
export interface SectionEntry {
  id: string;
  title: string;
  /** `ok`, or `not run` when the upstream stage produced no rows for it in this profile. */
  status: "ok" | "not run";
  /** Why a section was not run, or facts about the data it used. */
  notes: string[];
  tables: TableEntry[];
  figures: FigureEntry[];
}

/** The `index.json` of the tables stage. */
export interface TablesIndex {
  format: 1;
  profile: string;
  sections: SectionEntry[];
}

/** Name of the index file written by the tables stage. */
export const TABLES_INDEX = "index.json";

/**
 * Writes a table as `<sub>/<name>.{csv,md,tex,json}` inside `dir`, atomically.
 *
 * @returns The relative paths written.
 */
export async function writeTable(dir: string, sub: string, t: Table): Promise<TableEntry> {
  validateTable(t);
  const rel = (ext: string) => (sub === "" ? `${t.name}.${ext}` : `${sub}/${t.name}.${ext}`);
  await writeFileAtomic(join(dir, rel("csv")), tableToCsv(t));
  await writeFileAtomic(join(dir, rel("md")), tableToMarkdown(t));
  await writeFileAtomic(join(dir, rel("tex")), tableToLatex(t));
  await writeJsonAtomic(join(dir, rel("json")), t);
  return {
    name: t.name,
    title: t.title,
    csv: rel("csv"),
    md: rel("md"),
    tex: rel("tex"),
    json: rel("json"),
  };
}

/**
 * Renders a figure to `<sub>/<name>.svg` (and its spec to `<sub>/<name>.vl.json`) inside `dir`.
 *
 * @returns The relative paths written.
 */
export async function writeFigure(
  dir: string,
  sub: string,
  name: string,
  title: string,
  spec: VegaLiteSpec,
): Promise<FigureEntry> {
  const svg = `${sub}/${name}.svg`;
  const specPath = `${sub}/${name}.vl.json`;
  await writeFileAtomic(join(dir, svg), await renderSvg(spec));
  await writeJsonAtomic(join(dir, specPath), spec);
  return { name, title, svg, spec: specPath };
}

/** A built section before writing: its tables and figure specs. */
export interface SectionContent {
  id: string;
  title: string;
  notes: string[];
  tables: Table[];
  figures: { name: string; title: string; spec: VegaLiteSpec }[];
}

/**
 * Writes a section's tables and figures under `dir/<id>/`, or, for `null`
 * content, a `README.md` saying it was not run in this profile.
 */
export async function writeSection(
  dir: string,
  id: string,
  title: string,
  content: SectionContent | null,
  notRunReason: string,
): Promise<SectionEntry> {
  if (content === null) {
    await writeFileAtomic(
      join(dir, id, "README.md"),
      `# ${title}\n\nNot run in this profile: ${notRunReason}\n`,
    );
    return { id, title, status: "not run", notes: [notRunReason], tables: [], figures: [] };
  }
  const tables: TableEntry[] = [];
  for (const t of content.tables) tables.push(await writeTable(dir, id, t));
  const figures: FigureEntry[] = [];
  for (const f of content.figures) {
    figures.push(await writeFigure(dir, id, f.name, f.title, f.spec));
  }
  return { id, title, status: "ok", notes: content.notes, tables, figures };
}
