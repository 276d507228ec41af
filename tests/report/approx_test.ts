import { assertClose, assertEquals, assertThrows } from "./_assert.ts";
import {
  approxApproach,
  approxRows,
  theoreticalCosine,
  theoreticalNormRatio,
} from "../../src/report/approx.ts";
import { parseCsv } from "../../src/report/csv.ts";
import { simulateApproxSummary } from "./_fixtures.ts";

Deno.test("approxApproach() classifies the six configurations of spec §2.4", () => {
  const c = (agg: string, normalize_tangents: string, label = "") =>
    approxApproach({ agg, normalize_tangents, label });
  assertEquals(
    [
      c("none", "False", "fg_baseline"),
      c("orthogonal_projection", "False"),
      c("mean", "False"),
      c("mean", "True"),
      c("sum", "false"),
      c("sum", "true"),
    ],
    ["single", "frog", "fg-mean", "fg-mean-normalised", "fg-sum", "fg-sum-normalised"],
  );
  assertThrows(() => c("max", "False"), TypeError, '"max"');
});

Deno.test("approxRows() reads §2.7 summary columns: mean, std and CI of cosine and norm ratio", () => {
  const rows = approxRows(parseCsv(simulateApproxSummary([4], [2], 30)));
  assertEquals(rows.length, 1 + 5);
  const frog = rows.find((r) => r.approach === "frog")!;
  assertEquals([frog.n, frog.k], [4, 2]);
  assertClose(frog.cosine.ci, 1.96 * frog.cosine.std / Math.sqrt(30), 1e-12);
  assertClose(frog.normRatio.mean, frog.cosine.mean, 1e-12); // norm ratio = cosine for frog
});

Deno.test("theoretical curves: frog norm ratio = cosine; sum = k × mean; none for normalised tangents", () => {
  assertEquals(theoreticalNormRatio("frog", 64, 4), theoreticalCosine("frog", 64, 4));
  assertClose(
    theoreticalNormRatio("fg-sum", 64, 4)!,
    4 * theoreticalNormRatio("fg-mean", 64, 4)!,
    1e-12,
  );
  assertEquals(theoreticalNormRatio("fg-mean-normalised", 64, 4), undefined);
  assertClose(theoreticalCosine("single", 100, 1)!, Math.sqrt(2 / (Math.PI * 100)), 1e-15);
});
