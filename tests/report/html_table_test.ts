import { assert_, assertEquals } from "./_assert.ts";
import {
  estimateWidths,
  splitColumns,
  TABLE_WIDTH_PX,
  tableLayout,
  tableToHtml,
} from "../../src/report/html_table.ts";
import { tableTexts } from "../../src/report/columns.ts";
import type { Cell, Table } from "../../src/report/table.ts";

/** The paper-size approx grid: 17 dimensions n, mean ± CI cells. */
function wideGrid(): Table {
  const ns = Array.from({ length: 17 }, (_, i) => 2 ** i);
  const rows: Cell[][] = [];
  for (const a of ["frog", "fg-mean, normalised tangents"]) {
    for (const k of [1, 16, 1024]) {
      rows.push([a, k, ...ns.map((n) => ({ mean: Math.min(1, Math.sqrt(k / n)), pm: 0.0031 }))]);
    }
  }
  return {
    name: "wide",
    title: "Cosine",
    numberFormat: "column",
    keyColumns: 2,
    columns: [
      { header: "approach", align: "l" },
      { header: "k", align: "r" },
      ...ns.map((n) => ({ header: `n=${n}`, align: "r" as const })),
    ],
    rows,
    notes: ["Cells: mean ± CI."],
  };
}

Deno.test("tableLayout() keeps a narrow table whole and on one line per cell", () => {
  const t: Table = {
    name: "t",
    title: "T",
    columns: [{ header: "k", align: "r" }, { header: "cos", align: "r" }],
    rows: [[4, { mean: 0.5, pm: 0.01 }]],
  };
  const layout = tableLayout(t, tableTexts(t));
  assertEquals(layout, { stacked: false, parts: [[0, 1]] });
  assert_(tableToHtml(t).includes('<td class="r pm">0.500 ± 0.010</td>'));
});

Deno.test("a table too wide for the page stacks its ± cells and splits, repeating the key columns", () => {
  const t = wideGrid();
  const texts = tableTexts(t);
  const layout = tableLayout(t, texts);
  assert_(layout.stacked, "± cells stacked");
  assert_(layout.parts.length >= 2, `split into parts: ${layout.parts.length}`);
  const widths = estimateWidths(t, texts, true);
  const seen: number[] = [];
  for (const part of layout.parts) {
    assertEquals(part.slice(0, 2), [0, 1]); // approach and k in every part
    const px = part.reduce((a, j) => a + widths[j], 0);
    assert_(px <= TABLE_WIDTH_PX, `part ${part.join(",")} is ${px} px`);
    seen.push(...part.slice(2));
  }
  assertEquals(seen, Array.from({ length: 17 }, (_, i) => i + 2)); // every column once, in order
  const sizes = layout.parts.map((p) => p.length - 2);
  assert_(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced parts ${sizes}`);
  const html = tableToHtml(t);
  assertEquals((html.match(/<table /g) ?? []).length, layout.parts.length);
  assert_(html.includes('<table id="table-wide" class="stack">'));
  assert_(html.includes('id="table-wide-part2"'));
  assert_(html.includes('<span class="m">1.0000</span> <span class="u">± 0.0031</span>'), html);
  assert_(html.includes("(part 1 of"));
  assertEquals((html.match(/<li>Cells: mean ± CI.<\/li>/g) ?? []).length, 1); // notes once
});

Deno.test("splitColumns() gives one group when everything fits and single columns at worst", () => {
  assertEquals(splitColumns([100, 50, 200, 200], 2, 1000), [[2, 3]]);
  assertEquals(splitColumns([100, 50, 500, 500, 500], 2, 1000), [[2], [3], [4]]);
  assertEquals(splitColumns([100, 50], 2, 1000), [[]]);
});

Deno.test("tableToHtml() renders each block of a blocked table as its own tbody", () => {
  const html = tableToHtml({
    name: "b",
    title: "B",
    blockColumn: 0,
    numberFormat: "column",
    columns: [{ header: "function", align: "l" }, { header: "n=1", align: "r" }],
    rows: [["sphere", 0.1], ["sphere", 0.2], ["rosenbrock", 3]],
  });
  assertEquals((html.match(/<tbody>/g) ?? []).length, 2);
});
