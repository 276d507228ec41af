import { assertClose, assertEquals } from "./_assert.ts";
import {
  frogCosine,
  meanCosineApprox,
  singleCosine,
  singleCosineApprox,
} from "../../src/report/theory.ts";

Deno.test("frogCosine() matches the spec §1.7 chi ratios and is 1 for k ≥ n", () => {
  // E[χk]/E[χn] column of the spec's sanity table.
  assertClose(frogCosine(16, 4), 0.477, 5e-4);
  assertClose(frogCosine(256, 16), 0.246, 5e-4);
  assertClose(frogCosine(1024, 16), 0.123, 5e-4);
  assertClose(frogCosine(4096, 64), 0.125, 5e-4);
  assertEquals(frogCosine(16, 16), 1);
  assertEquals(frogCosine(4, 64), 1);
  // lnΓ keeps large n finite (the reference's Γ overflows for 343 ≤ m ≤ 500).
  assertClose(frogCosine(65536, 400), Math.sqrt(400 / 65536), 1e-3);
});

Deno.test("singleCosine() is E[χ1]/E[χn] ≈ √(2/(πn)) and meanCosineApprox() is √(k/(n+k+1))", () => {
  assertClose(singleCosine(16), 0.203, 5e-4);
  assertClose(singleCosine(16384), singleCosineApprox(16384), 1e-6);
  assertEquals(singleCosine(1), 1);
  assertClose(meanCosineApprox(256, 64), Math.sqrt(64 / 321), 1e-15);
});
