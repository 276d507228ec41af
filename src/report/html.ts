/**
 * The static HTML report: one self-contained `index.html` that embeds every
 * figure (inline SVG) and table (HTML), links every file (CSV, Markdown,
 * LaTeX, SVG, Vega-Lite spec), shows the verification table and the
 * provenance of each stage result (manifest facts).
 *
 * @module
 */
import type { Table } from "./table.ts";
import type { SectionEntry } from "./outputs.ts";
import { escapeHtml, tableToHtml } from "./html_table.ts";
import { PRINT_SCRIPT, reportCss } from "./html_style.ts";

export { escapeHtml, tableToHtml };

/** A section with its loaded tables (figures are linked as `<img>`: SVG ids stay unique per file). */
export interface ReportSection {
  entry: SectionEntry;
  /** Tables by name (from the `.json` files). */
  tables: Record<string, Table>;
}

/** Provenance of one stage result. */
export interface Provenance {
  stage: string;
  facts: [string, string][];
}

/** Everything the report page shows. */
export interface ReportModel {
  title: string;
  profile: string;
  sections: ReportSection[];
  verification: {
    table: Table;
    /** Links to the verification files (relative to the page). */
    files: { csv: string; md: string; tex: string };
    passed: number;
    checks: number;
  } | null;
  provenance: Provenance[];
  /** Prefix of the links to section files (e.g. `tables/`). */
  filesPrefix: string;
}

/**
 * The pointer to the interactive page (site/, README "Interactive page"):
 * `deno task site --serve` serves it at this address.
 */
export const SITE_URL = "http://127.0.0.1:8000/";
const SITE_NOTE = `Interactive page (the library in the browser on the 2-D test functions): run ` +
  `<code>deno task site --serve</code> and open <a href="${SITE_URL}">${SITE_URL}</a>.`;

function link(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

/**
 * Renders the report page.
 *
 * @example A page with one not-run section
 * ```ts
 * import { renderReportHtml } from "./html.ts";
 * const html = renderReportHtml({
 *   title: "Report", profile: "smoke", filesPrefix: "tables/", verification: null, provenance: [],
 *   sections: [{ entry: { id: "approx", title: "Approximation quality", status: "not run",
 *     notes: ["no rows"], tables: [], figures: [] }, tables: {} }],
 * });
 * console.log(html.includes("not run in this profile")); // true
 * ```
 */
export function renderReportHtml(m: ReportModel): string {
  const parts: string[] = [];
  const p = m.filesPrefix;
  parts.push(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(m.title)}</title>
<style>${reportCss()}</style>
<script>${PRINT_SCRIPT}</script>
</head>
<body>
<h1>${escapeHtml(m.title)}</h1>
<p>Profile <strong>${
    escapeHtml(m.profile)
  }</strong>. Multi-tangent forward gradients (Flügel et al., arXiv 2410.17764), reproduced on TensorFlow.js.</p>
<p class="files">${SITE_NOTE}</p>
<nav>${
    [
      ...(m.verification ? [`<a href="#verification">Verification</a>`] : []),
      ...m.sections.map((s) =>
        `<a href="#${escapeHtml(s.entry.id)}">${escapeHtml(s.entry.title)}</a>`
      ),
      `<a href="#provenance">Provenance</a>`,
    ].join("")
  }</nav>`);
  if (m.verification) {
    const v = m.verification;
    const ok = v.passed === v.checks;
    const failing: Table = {
      ...v.table,
      name: "verification-failing",
      rows: v.table.rows.filter((r) => r[5] !== "yes"),
    };
    parts.push(`<section id="verification">
<h2>Verification <span class="badge ${
      ok ? "ok" : "bad"
    }">${v.passed} of ${v.checks} checks pass</span></h2>
<p class="files">Files: ${link(v.files.csv, "CSV")} · ${link(v.files.md, "Markdown")} · ${
      link(v.files.tex, "LaTeX")
    }</p>
${
      failing.rows.length > 0
        ? `<h3>Failing checks</h3>\n${
          tableToHtml({ ...failing, title: "Failing checks" }, () => "fail")
        }`
        : ""
    }
<details${v.checks <= 40 ? " open" : ""}><summary>All ${v.checks} checks</summary>
${tableToHtml(v.table, (r) => (r[5] === "yes" ? "" : "fail"))}
</details>
</section>`);
  }
  for (const s of m.sections) {
    const e = s.entry;
    parts.push(`<section id="${escapeHtml(e.id)}">
<h2>${escapeHtml(e.title)} ${
      e.status === "ok" ? "" : `<span class="badge skip">not run in this profile</span>`
    }</h2>`);
    if (e.notes.length > 0) {
      parts.push(
        `<ul class="notes">${e.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`,
      );
    }
    for (const f of e.figures) {
      parts.push(`<figure id="figure-${escapeHtml(f.name)}">
<img src="${escapeHtml(p + f.svg)}" alt="${escapeHtml(f.title)}">
<figcaption>${escapeHtml(f.title)} <span class="files">(${link(p + f.svg, "SVG")} · ${
        link(p + f.spec, "Vega-Lite spec")
      })</span></figcaption>
</figure>`);
    }
    for (const t of e.tables) {
      const table = s.tables[t.name];
      parts.push(
        `${table ? tableToHtml(table) : `<p>${escapeHtml(t.title)}</p>`}
<p class="files">Files: ${link(p + t.csv, "CSV")} · ${link(p + t.md, "Markdown")} · ${
          link(p + t.tex, "LaTeX")
        }</p>`,
      );
    }
    parts.push(`</section>`);
  }
  parts.push(`<section id="provenance"><h2>Provenance</h2>
<p>What produced each result: the pipeline's manifest of each stage (cache key, parameters, backend, versions, timings).</p>`);
  for (const pv of m.provenance) {
    parts.push(
      `<details><summary>${escapeHtml(pv.stage)}</summary><dl class="facts">${
        pv.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("")
      }</dl></details>`,
    );
  }
  parts.push(`</section>
</body>
</html>
`);
  return parts.join("\n");
}
