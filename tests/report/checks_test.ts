import { assertEquals } from "./_assert.ts";
import { atLeast, closeTo, decideChecks, within } from "../../src/report/checks.ts";
import { familyZ } from "../../src/report/stats.ts";

Deno.test("decideChecks() uses one family-wise z over the statistical checks only", () => {
  const checks = [
    closeTo("approx", "a", 0.5, 0.5 + 3 * 0.01, 0.01, 0), // 3 SE off (z for two checks ≈ 3.48)
    closeTo("approx", "b", 0.5, 0.5 + 5 * 0.01, 0.01, 0), // 5 SE off
    atLeast("approx", "c", 1, 0.99995, 0, 1e-4),
    within("functions", "d", 0, 10, 11, 0),
  ];
  const { results, z } = decideChecks(checks);
  assertEquals(z, familyZ(2));
  assertEquals(results.map((r) => r.pass), [true, false, true, false]);
  assertEquals(results[0].tolerance, z * 0.01);
  assertEquals(results[3].expected, "[0, 10]");
});

Deno.test("decideChecks() fails a NaN measurement whatever the tolerance", () => {
  const { results } = decideChecks([closeTo("approx", "nan", 1, NaN, 0, Infinity)]);
  assertEquals(results[0].pass, false);
});
