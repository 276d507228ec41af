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

Deno.test("meanNormRatioMoments(): closed forms, the exact second moment and an independent Monte-Carlo run", async () => {
  const { meanNormRatioMoments, meanNormRatioSquaredMoments } = await import(
    "../../src/report/theory.ts"
  );
  const { Rng } = await import("../../src/core/rng.ts");
  // n = 2, k = 1: ‖v‖·|v·u| for v ~ N(0, I₂) has mean E[ρ²]·E|cos θ| = 2·2/π.
  assertClose(meanNormRatioMoments(2, 1).mean, 4 / Math.PI, 1e-8);
  // n = 1: χ²_k/k, mean 1, variance 2/k.
  assertEquals(meanNormRatioMoments(1, 4).mean, 1);
  assertClose(meanNormRatioMoments(1, 4).std, Math.sqrt(0.5), 1e-12);
  // E[r²] = (n+k+1)/k exactly (verification-notes); variance from the χ² moments.
  assertClose(meanNormRatioSquaredMoments(16, 4).mean, 21 / 4, 1e-12);
  // Monte Carlo with explicit tangents: fg = (1/k) Σ (v_j·g) v_j, g = e₁ … n = 16, k = 4.
  const rng = new Rng(7, "theory-test");
  const n = 16, k = 4, S = 20000;
  const v = new Float64Array(k * n);
  let s1 = 0, s2 = 0;
  for (let s = 0; s < S; s++) {
    rng.normal(v);
    const fg = new Float64Array(n);
    for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) fg[i] += v[j * n] * v[j * n + i] / k;
    const r = Math.hypot(...fg);
    s1 += r;
    s2 += r * r;
  }
  const m = meanNormRatioMoments(n, k);
  const sq = meanNormRatioSquaredMoments(n, k);
  // 5 standard errors of the Monte-Carlo means (exact standard deviations).
  assertClose(s1 / S, m.mean, 5 * m.std / Math.sqrt(S));
  assertClose(s2 / S, sq.mean, 5 * Math.sqrt(sq.variance / S));
});
