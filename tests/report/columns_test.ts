import { assertEquals } from "./_assert.ts";
import {
  columnRule,
  formatByRule,
  formatPmByRule,
  tableBlocks,
  tableTexts,
} from "../../src/report/columns.ts";
import type { Table } from "../../src/report/table.ts";

Deno.test("columnRule() gives integers, fixed decimals or exponents from the whole column", () => {
  assertEquals(columnRule([1, 16, 16384]), { kind: "int" });
  assertEquals(columnRule([87.03, 88.9, 97.34]), { kind: "fixed", decimals: 2 });
  assertEquals(columnRule([0.6289, 2.266, 2.262]), { kind: "fixed", decimals: 3 });
  // the smallest value keeps two significant figures
  assertEquals(columnRule([-627, -3.2, -157], 3), { kind: "fixed", decimals: 1 });
  // zeros and NaN do not decide the rule
  assertEquals(columnRule([0, 0.5, NaN, 0.25]), { kind: "fixed", decimals: 4 });
  // too many decades for fixed decimals
  assertEquals(columnRule([0.0322, 1.81e-5, 4.88e-27, 0], 3), { kind: "sci", digits: 3 });
  assertEquals(columnRule([2.5e7 + 0.5, 3.1e7]), { kind: "sci", digits: 4 });
});

Deno.test("formatByRule() writes every number of a column the same way", () => {
  const fixed = { kind: "fixed", decimals: 2 } as const;
  assertEquals([87, 88.9, 97.34].map((x) => formatByRule(x, fixed)), ["87.00", "88.90", "97.34"]);
  assertEquals(formatByRule(0, fixed), "0"); // exact zero stays recognisable
  const sci = { kind: "sci", digits: 3 } as const;
  assertEquals([0.0322, 1.8e-5, -40099.7].map((x) => formatByRule(x, sci)), [
    "3.22e-2",
    "1.80e-5",
    "-4.01e4",
  ]);
  assertEquals(formatByRule(NaN, sci), "NaN");
  assertEquals(formatByRule(-Infinity, fixed), "-inf");
});

Deno.test("formatPmByRule() lets the uncertainty's two significant figures decide the decimals", () => {
  const col = { kind: "fixed", decimals: 1 } as const;
  assertEquals(formatPmByRule(0.20734, 0.00312, col), "0.2073 ± 0.0031");
  assertEquals(formatPmByRule(-2506.634401, 0.000171, col), "-2506.63440 ± 0.00017");
  assertEquals(formatPmByRule(-2305.31, 12.4, col), "-2305 ± 12");
  assertEquals(formatPmByRule(-2305.31, 124, col), "-2310 ± 120");
  // identical seeds: the mean follows the column, not a different digit count
  assertEquals(formatPmByRule(-2506.6344, 0, col), "-2506.6 ± 0");
  // an uncertainty below the column's reach: the mean in the column rule
  assertEquals(
    formatPmByRule(0.99999999999968, 5.9e-14, { kind: "fixed", decimals: 4 }),
    "1.0000 ± 5.9e-14",
  );
  assertEquals(
    formatPmByRule(1.2345e-5, 2.1e-7, { kind: "sci", digits: 4 }),
    "1.234e-5 ± 2.1e-7",
  );
  assertEquals(formatPmByRule(0.5, NaN, col), "0.5");
});

const fnTable: Table = {
  name: "f",
  title: "Final f",
  numberFormat: "column",
  blockColumn: 0,
  digits: 3,
  columns: [
    { header: "function", align: "l" },
    { header: "approach", align: "l" },
    { header: "n=4", align: "r" },
  ],
  rows: [
    ["sphere", "bp", 0],
    ["sphere", "fg k=1", 7e-10],
    ["sphere", "frog k=2", 2.22e-33],
    ["styblinski-tang", "bp", -156.66],
    ["styblinski-tang", "fg k=1", -147.1],
    ["styblinski-tang", "frog k=2", { mean: -150.2, pm: 0 }],
  ],
};

Deno.test("tableTexts() applies one rule per column within each block", () => {
  assertEquals(tableBlocks(fnTable), [[0, 3], [3, 6]]);
  assertEquals(tableTexts(fnTable).map((r) => r[2]), [
    "0",
    "7.00e-10",
    "2.22e-33",
    "-157",
    "-147",
    "-150 ± 0",
  ]);
  // without numberFormat each cell is formatted on its own (the checks table)
  const cells = tableTexts({ ...fnTable, numberFormat: undefined });
  assertEquals(cells[1][2], "7e-10");
  assertEquals(cells[3][2], "-157");
});
