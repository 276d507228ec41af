/**
 * LaTeX (booktabs) form of a {@link Table}.
 *
 * @module
 */
import type { Table } from "./table.ts";
import { tableTexts } from "./columns.ts";

/** Escapes LaTeX special characters in running text. */
export function latexEscape(s: string): string {
  return s.replace(/[\\{}&%$#_^~]/g, (ch) => {
    switch (ch) {
      case "\\":
        return "\\textbackslash{}";
      case "^":
        return "\\textasciicircum{}";
      case "~":
        return "\\textasciitilde{}";
      default:
        return `\\${ch}`;
    }
  }).replace(/±/g, "$\\pm$").replace(/‖/g, "$\\|$").replace(/≥/g, "$\\geq$")
    .replace(/≤/g, "$\\leq$").replace(/—/g, "---").replace(/–/g, "--").replace(/√/g, "$\\surd$")
    .replace(/χ/g, "$\\chi$").replace(/°/g, "$^\\circ$").replace(/∇/g, "$\\nabla$");
}

/**
 * Writes a table as a LaTeX `table` float with a booktabs `tabular`
 * (`\toprule`, `\midrule`, `\bottomrule`), the title as caption, the name as
 * label (`tab:<name>`) and the notes as a footnote-size paragraph.
 *
 * @example A one-row table
 * ```ts
 * import { tableToLatex } from "./latex.ts";
 * const tex = tableToLatex({ name: "t", title: "T", columns: [{ header: "k", align: "r" }], rows: [[2]] });
 * console.log(tex.includes("\\toprule")); // true
 * ```
 */
export function tableToLatex(t: Table): string {
  const lines = [
    "\\begin{table}[ht]",
    "\\centering",
    `\\caption{${latexEscape(t.title)}}`,
    `\\label{tab:${t.name}}`,
    `\\begin{tabular}{${t.columns.map((c) => c.align).join("")}}`,
    "\\toprule",
    `${t.columns.map((c) => latexEscape(c.header)).join(" & ")} \\\\`,
    "\\midrule",
    ...tableTexts(t).map((r) => `${r.map(latexEscape).join(" & ")} \\\\`),
    "\\bottomrule",
    "\\end{tabular}",
  ];
  if (t.notes && t.notes.length > 0) {
    lines.push(`\\par\\smallskip{\\footnotesize ${t.notes.map(latexEscape).join(" ")}}`);
  }
  lines.push("\\end{table}");
  return lines.join("\n") + "\n";
}
