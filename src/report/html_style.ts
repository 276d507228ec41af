/**
 * The report's stylesheet: laid out for a 1400 px screen (content up to
 * 1320 px, tables up to 1250 px, figures at their natural size) and for print
 * (A4 landscape, smaller type so the widest table fits, every collapsed
 * section open, no page break inside a figure or table row).
 *
 * @module
 */

/** Rules for the screen (and the base for print). */
export const SCREEN_CSS = `
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1360px; padding: 0 20px; box-sizing: border-box; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2rem; }
nav a { margin-right: 1rem; }
div.table { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
caption .part { font-weight: 400; color: #555; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.5rem; white-space: nowrap; }
thead th { border-bottom: 2px solid #555; background: #f6f6f6; white-space: normal; vertical-align: bottom; }
tbody + tbody { border-top: 2px solid #999; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
td.l, th.l { text-align: left; }
table.stack td.pm { line-height: 1.15; padding-top: 0.15rem; padding-bottom: 0.15rem; }
table.stack td.pm .u { display: block; font-size: 0.85em; color: #555; }
tr.fail td { background: #fde2e2; }
td.wrap { white-space: normal; min-width: 22rem; max-width: 40rem; }
.badge { display: inline-block; padding: 0.1rem 0.5rem; border-radius: 0.3rem; font-weight: 600; }
.ok { background: #d8f3dc; } .bad { background: #fde2e2; } .skip { background: #eee; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; display: block; }
figcaption { margin-top: 0.3rem; }
.files { font-size: 0.8rem; color: #555; }
ul.notes { font-size: 0.8rem; color: #444; margin-top: 0.2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; font-size: 0.8rem; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
details { margin: 0.5rem 0; }
`;

/** Rules for print: A4 landscape (about 1047 CSS px between the margins). */
export const PRINT_CSS = `
@page { size: A4 landscape; margin: 10mm; }
body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
nav, .files { display: none; }
a { color: inherit; text-decoration: none; }
table { font-size: 7.8pt; }
div.table { overflow: visible; }
thead { display: table-header-group; }
tr, figure, dl.facts { break-inside: avoid; }
h2, h3, caption { break-after: avoid; }
details > summary { list-style: none; font-weight: 600; }
details::details-content { content-visibility: visible; display: block; }
.badge, tr.fail td, thead th { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
`;

/** Opens every `<details>` before printing (and keeps them open: a printout has no toggles). */
export const PRINT_SCRIPT =
  `addEventListener("beforeprint", () => document.querySelectorAll("details").forEach((d) => { d.open = true; }));`;

/** The full `<style>` contents. */
export function reportCss(): string {
  return `${SCREEN_CSS}\n@media print {\n${PRINT_CSS}}\n`;
}
