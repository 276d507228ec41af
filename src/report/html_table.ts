/**
 * A {@link Table} as HTML that fits the page: no table is wider than
 * {@link TABLE_WIDTH_PX} (a 1400 px screen, and A4 landscape in print at the
 * print stylesheet's smaller type). A table too wide for one line per cell
 * first stacks its mean ± uncertainty cells (the uncertainty on a second,
 * smaller line); if it is still too wide, its value columns are split over
 * several tables that repeat the key columns (approach, k, …). Nothing hides
 * behind a scroll bar.
 *
 * @module
 */
import { isPm, type Table } from "./table.ts";
import { tableBlocks, tableTexts } from "./columns.ts";

/** The widest a table may be, in CSS pixels at the screen font (estimated, see {@link estimateWidths}). */
export const TABLE_WIDTH_PX = 1250;

/** Estimated width of one character of table text (0.85rem system-ui, tabular digits) in px. */
const CHAR_PX = 7.9;
/** Cell padding and border in px. */
const PAD_PX = 17;
/** Texts longer than this wrap (long check descriptions); their cell is this wide at least. */
export const WRAP_CHARS = 60;
const WRAP_PX = 352;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

function textPx(s: string): number {
  return s.length > WRAP_CHARS ? WRAP_PX : Math.ceil(s.length * CHAR_PX) + PAD_PX;
}

/** A ± text split into the mean and the `± uncertainty` part. */
function splitPm(text: string): [string, string] {
  const i = text.indexOf(" ± ");
  return i < 0 ? [text, ""] : [text.slice(0, i), text.slice(i + 1)];
}

/**
 * Estimated width in px of every column: the longest word of the header
 * (headers wrap) or the longest cell, with ± cells on one line or stacked.
 */
export function estimateWidths(t: Table, texts: string[][], stacked: boolean): number[] {
  return t.columns.map((c, j) => {
    const header = Math.max(...c.header.split(/\s+/).map((w) => textPx(w)));
    let w = header;
    t.rows.forEach((r, i) => {
      const text = texts[i][j];
      const px = stacked && isPm(r[j])
        ? Math.max(...splitPm(text).map((p) => textPx(p)))
        : textPx(text);
      w = Math.max(w, px);
    });
    return w;
  });
}

/** Leading key columns of a table: `keyColumns`, or the leading text columns. */
export function keyColumnCount(t: Table): number {
  if (t.keyColumns !== undefined) return Math.min(t.keyColumns, t.columns.length);
  let n = 0;
  while (n < t.columns.length && t.columns[n].align === "l") n++;
  return n;
}

/**
 * Splits the value columns into as few groups as fit beside the key columns,
 * of nearly equal size.
 *
 * @returns Column index groups (key columns not included); one group when it fits.
 */
export function splitColumns(widths: number[], keys: number, budget = TABLE_WIDTH_PX): number[][] {
  const keyPx = widths.slice(0, keys).reduce((a, b) => a + b, 0);
  const values = widths.map((_, j) => j).slice(keys);
  if (values.length === 0) return [[]];
  for (let parts = 1; parts <= values.length; parts++) {
    const at = (g: number) => Math.round((g * values.length) / parts);
    const groups = Array.from({ length: parts }, (_, g) => values.slice(at(g), at(g + 1)));
    const fits = groups.every((g) => keyPx + g.reduce((a, j) => a + widths[j], 0) <= budget);
    if (fits) return groups;
  }
  return values.map((j) => [j]);
}

/** How a table is laid out: stacked ± cells or not, and the column groups of its parts. */
export interface TableLayout {
  stacked: boolean;
  /** Column indices of each part (key columns first). */
  parts: number[][];
}

/** Chooses the layout of a table from its estimated width (see the module doc). */
export function tableLayout(t: Table, texts: string[][], budget = TABLE_WIDTH_PX): TableLayout {
  const all = t.columns.map((_, j) => j);
  const sum = (ws: number[]) => ws.reduce((a, b) => a + b, 0);
  if (sum(estimateWidths(t, texts, false)) <= budget) return { stacked: false, parts: [all] };
  const stackedWidths = estimateWidths(t, texts, true);
  const hasPm = t.rows.some((r) => r.some(isPm));
  if (hasPm && sum(stackedWidths) <= budget) return { stacked: true, parts: [all] };
  const keys = all.slice(0, keyColumnCount(t));
  const groups = splitColumns(stackedWidths, keys.length, budget);
  return { stacked: hasPm, parts: groups.map((g) => [...keys, ...g]) };
}

/**
 * Renders a table as HTML `<table>`s (numbers right-aligned, notes below),
 * laid out to fit the page (see the module doc).
 *
 * @param rowClass Optional class of each row (e.g. `fail`).
 */
export function tableToHtml(t: Table, rowClass?: (row: Table["rows"][number]) => string): string {
  const texts = tableTexts(t);
  const layout = tableLayout(t, texts);
  const blocks = tableBlocks(t);
  const keys = keyColumnCount(t);
  const html = layout.parts.map((cols, p) => {
    const head = cols.map((j) => {
      const c = t.columns[j];
      return `<th class="${c.align}">${escapeHtml(c.header)}</th>`;
    }).join("");
    const bodies = blocks.map(([start, end]) => {
      const rows = t.rows.slice(start, end).map((r, o) => {
        const i = start + o;
        const cls = rowClass ? rowClass(r) : "";
        const tds = cols.map((j) => {
          const text = texts[i][j];
          const classes: string[] = [t.columns[j].align];
          if (isPm(r[j])) classes.push("pm");
          if (text.length > WRAP_CHARS) classes.push("wrap");
          let inner = escapeHtml(text);
          if (layout.stacked && isPm(r[j])) {
            const [m, u] = splitPm(text);
            inner = `<span class="m">${escapeHtml(m)}</span>${
              u ? ` <span class="u">${escapeHtml(u)}</span>` : ""
            }`;
          }
          return `<td class="${classes.join(" ")}">${inner}</td>`;
        }).join("");
        return `<tr${cls ? ` class="${cls}"` : ""}>${tds}</tr>`;
      });
      return `<tbody>\n${rows.join("\n")}\n</tbody>`;
    }).join("\n");
    const n = layout.parts.length;
    const span = n > 1
      ? ` <span class="part">(part ${p + 1} of ${n}: ${
        escapeHtml(t.columns[cols[keys]].header)
      } … ${escapeHtml(t.columns[cols[cols.length - 1]].header)})</span>`
      : "";
    const id = p === 0 ? `table-${t.name}` : `table-${t.name}-part${p + 1}`;
    const cls = layout.stacked ? ` class="stack"` : "";
    return `<div class="table"><table id="${escapeHtml(id)}"${cls}>
<caption>${escapeHtml(t.title)}${span}</caption>
<thead><tr>${head}</tr></thead>
${bodies}
</table></div>`;
  }).join("\n");
  const notes = (t.notes ?? []).map((n) => `<li>${escapeHtml(n)}</li>`).join("");
  return `${html}${notes ? `<ul class="notes">${notes}</ul>` : ""}`;
}
