import { assertEquals } from "./_assert.ts";
import { atLeast, checksTable, closeTo, decideChecks } from "../../src/report/checks.ts";
import { familyZ } from "../../src/report/stats.ts";
import { formatSig } from "../../src/report/format.ts";

Deno.test("decideChecks() uses one family-wise z over the statistical checks only", () => {
  const checks = [
    closeTo("approx", "a", 0.5, 0.5 + 3 * 0.01, 0.01, 0), // 3 SE off (z for two checks ≈ 3.48)
    closeTo("approx", "b", 0.5, 0.5 + 5 * 0.01, 0.01, 0), // 5 SE off
    atLeast("approx", "c", 1, 0.99995, 0, 1e-4),
    atLeast("approx", "d", 1, 0.9998, 0, 1e-4),
  ];
  const { results, z } = decideChecks(checks);
  assertEquals(z, familyZ(2));
  assertEquals(results.map((r) => r.pass), [true, false, true, false]);
  assertEquals(results[0].tolerance, z * 0.01);
  assertEquals(results[2].expected, "≥ 1");
});

Deno.test("decideChecks() fails a NaN measurement whatever the tolerance", () => {
  const { results } = decideChecks([closeTo("approx", "nan", 1, NaN, 0, Infinity)]);
  assertEquals(results[0].pass, false);
});

Deno.test("decideChecks() says how informative each check is: tolerance / spread and the smallest error it catches", () => {
  const { results, z } = decideChecks([
    closeTo("approx", "stat", 0.5, 0.5, 0.01, 0.02), // tol = z·0.01 + 0.02
    closeTo("approx", "exact zero", 0, 0, 0, 1e-4),
    atLeast("approx", "bound", 2, 3, 0, 0.1),
    { ...closeTo("functions", "seeds", 10, 10, 0, 1), spread: 0.25, catches: () => "×2" },
  ]);
  const tol = z * 0.01 + 0.02;
  assertEquals(results[0].tolOverSpread, tol / 0.01);
  assertEquals(results[0].catches, `${formatSig(100 * tol / 0.5, 2)}%`);
  assertEquals(results[1].tolOverSpread, "—");
  assertEquals(results[1].catches, "|Δ| > 1e-4");
  assertEquals(results[2].catches, "5% below");
  assertEquals(results[3].tolOverSpread, 4);
  assertEquals(results[3].catches, "×2");
  const table = checksTable(results, z);
  assertEquals(table.columns.map((c) => c.header).slice(5), ["pass", "tol / spread", "catches"]);
  assertEquals(table.rows[0][5], "yes"); // the report reads the pass column at index 5
});
