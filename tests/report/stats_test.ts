import { assertClose, assertEquals } from "./_assert.ts";
import { ci95, familyZ, mean, normalQuantileUpper, sampleStd } from "../../src/report/stats.ts";

Deno.test("mean(), sampleStd() (ddof 1) and ci95() = 1.96·std/√count", () => {
  assertEquals(mean([1, 2, 3, 4]), 2.5);
  assertClose(sampleStd([1, 2, 3, 4]), Math.sqrt(5 / 3), 1e-15);
  assertClose(ci95([1, 2, 3, 4]), 1.96 * Math.sqrt(5 / 3) / 2, 1e-15);
  assertEquals(Number.isNaN(sampleStd([1])), true);
});

Deno.test("familyZ() is 1.96 for one check at 5% and grows with the number of checks", () => {
  assertClose(familyZ(1, 0.05), 1.959964, 1e-5);
  assertClose(normalQuantileUpper(0.001), 3.090232, 1e-5);
  assertClose(familyZ(500, 0.001), normalQuantileUpper(1e-6), 1e-12);
  assertEquals(familyZ(500) > familyZ(10), true);
});

Deno.test("studentTQuantileUpper() matches t tables and tends to the normal quantile", async () => {
  const { studentTQuantileUpper } = await import("../../src/report/stats.ts");
  assertClose(studentTQuantileUpper(0.025, 1), 12.706, 1e-3); // tan(π/2 − π·0.025)
  assertClose(studentTQuantileUpper(0.025, 7), 2.365, 1e-3);
  assertClose(studentTQuantileUpper(0.0005, 10), 4.587, 1e-3);
  assertClose(studentTQuantileUpper(1e-6, 1e7), normalQuantileUpper(1e-6), 1e-4);
  assertEquals(studentTQuantileUpper(1e-3, Infinity), normalQuantileUpper(1e-3));
});
