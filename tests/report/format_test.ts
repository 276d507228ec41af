import { assertEquals } from "./_assert.ts";
import { formatPm, formatSig } from "../../src/report/format.ts";

Deno.test("formatSig() gives 3 significant figures like the spec's §7.3 table", () => {
  assertEquals(formatSig(-40099.7, 3), "-40100");
  assertEquals(formatSig(1.2134e-25, 3), "1.21e-25");
  assertEquals(formatSig(0.0031421, 3), "0.00314");
  assertEquals(formatSig(433.2, 3), "433");
  assertEquals(formatSig(0, 3), "0");
  assertEquals(formatSig(NaN), "NaN");
  assertEquals(formatSig(null), "—");
  assertEquals(formatSig(2e-4, 2), "2e-4");
});

Deno.test("formatPm() rounds the mean to the half-width's second significant digit", () => {
  assertEquals(formatPm(0.20734, 0.00312), "0.2073 ± 0.0031");
  assertEquals(formatPm(1, 0), "1 ± 0");
  assertEquals(formatPm(-2305.31, 12.4), "-2305 ± 12");
  assertEquals(formatPm(0.99999999999968, 5.9e-14), "1 ± 5.9e-14");
});
