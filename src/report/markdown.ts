/**
 * Markdown (GitHub pipe table) form of a {@link Table}.
 *
 * @module
 */
import type { Table } from "./table.ts";
import { tableTexts } from "./columns.ts";

function esc(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * Writes a table as Markdown: a bold title line, a pipe table (right-aligned
 * numeric columns) and the notes as a list.
 *
 * @example A two-column table
 * ```ts
 * import { tableToMarkdown } from "./markdown.ts";
 * const md = tableToMarkdown({
 *   name: "t", title: "Cosine", columns: [{ header: "k", align: "r" }, { header: "cos", align: "r" }],
 *   rows: [[1, 0.5]],
 * });
 * console.log(md); // "**Cosine**\n\n| k | cos |\n|--:|--:|\n| 1 | 0.5 |\n"
 * ```
 */
export function tableToMarkdown(t: Table): string {
  const lines = [`**${esc(t.title)}**`, ""];
  lines.push(`| ${t.columns.map((c) => esc(c.header)).join(" | ")} |`);
  lines.push(`|${t.columns.map((c) => (c.align === "r" ? "--:" : ":--")).join("|")}|`);
  for (const r of tableTexts(t)) lines.push(`| ${r.map(esc).join(" | ")} |`);
  if (t.notes && t.notes.length > 0) {
    lines.push("");
    for (const n of t.notes) lines.push(`- ${n.replace(/\n/g, " ")}`);
  }
  return lines.join("\n") + "\n";
}
