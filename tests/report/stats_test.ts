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
