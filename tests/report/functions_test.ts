import { assertEquals } from "./_assert.ts";
import { curveNs, meanCurve } from "../../src/report/functions.ts";
import { parseOptimizerLabel } from "../../src/report/approaches.ts";

Deno.test("curveNs() draws the largest n and the one nearest its square root", () => {
  assertEquals(curveNs([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]), [32, 1024]);
  assertEquals(curveNs([1, 2, 4, 8, 16]), [4, 16]);
  assertEquals(curveNs([64]), [64]);
});

Deno.test("meanCurve() averages seeds, holding the final value of a run that stopped early", () => {
  const a = parseOptimizerLabel("Backpropagation");
  const c = (seed: number, y: number[]) => ({ function: "sphere", n: 2, approach: a, seed, y });
  assertEquals(meanCurve([c(0, [4, 2, 1, 0]), c(1, [4, 2])]), [4, 2, 1.5, 1]);
});
