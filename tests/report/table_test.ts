import { assertEquals, assertThrows } from "./_assert.ts";
import { type Table, tableToCsv, validateTable } from "../../src/report/table.ts";
import { tableToMarkdown } from "../../src/report/markdown.ts";
import { tableToLatex } from "../../src/report/latex.ts";

const tiny: Table = {
  name: "tiny",
  title: "Cosine of fg_mean | frog",
  columns: [{ header: "approach", align: "l" }, { header: "k", align: "r" }, {
    header: "n=16",
    align: "r",
  }],
  rows: [
    ["frog", 4, { mean: 0.47912, pm: 0.00312 }],
    ["fg-mean", 16, null],
  ],
  notes: ["Cells: mean ± 95% CI."],
};

Deno.test("tableToMarkdown() writes the exact pipe table with title, alignment and notes", () => {
  assertEquals(
    tableToMarkdown(tiny),
    [
      "**Cosine of fg_mean \\| frog**",
      "",
      "| approach | k | n=16 |",
      "|:--|--:|--:|",
      "| frog | 4 | 0.4791 ± 0.0031 |",
      "| fg-mean | 16 | — |",
      "",
      "- Cells: mean ± 95% CI.",
      "",
    ].join("\n"),
  );
});

Deno.test("tableToLatex() writes the exact booktabs table with escaped text and $\\pm$", () => {
  assertEquals(
    tableToLatex(tiny),
    [
      "\\begin{table}[ht]",
      "\\centering",
      "\\caption{Cosine of fg\\_mean | frog}",
      "\\label{tab:tiny}",
      "\\begin{tabular}{lrr}",
      "\\toprule",
      "approach & k & n=16 \\\\",
      "\\midrule",
      "frog & 4 & 0.4791 $\\pm$ 0.0031 \\\\",
      "fg-mean & 16 & --- \\\\",
      "\\bottomrule",
      "\\end{tabular}",
      "\\par\\smallskip{\\footnotesize Cells: mean $\\pm$ 95\\% CI.}",
      "\\end{table}",
      "",
    ].join("\n"),
  );
});

Deno.test("tableToCsv() keeps full-precision numbers and writes ± cells as text", () => {
  assertEquals(
    tableToCsv({
      ...tiny,
      rows: [["frog", 0.123456789, { mean: 0.47912, pm: 0.00312 }], ["a,b", 1, null]],
    }),
    'approach,k,n=16\nfrog,0.123456789,0.4791 ± 0.0031\n"a,b",1,\n',
  );
});

Deno.test("validateTable() rejects a ragged row and a bad name, naming the table", () => {
  assertThrows(
    () => validateTable({ ...tiny, rows: [["frog", 1]] }),
    TypeError,
    "row 0 has 2 cells",
  );
  assertThrows(() => validateTable({ ...tiny, name: "a b" }), TypeError, '"a b"');
});
