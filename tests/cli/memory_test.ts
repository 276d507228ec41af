import assert from "node:assert/strict";
import { largestFitting, memoryBudget, requireFits } from "../../src/cli/memory.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import { applyApproxFlags, approxFits, approxStage } from "../../src/stages/approx.ts";
import { trainRunBytes, trainStage } from "../../src/stages/train.ts";
import { PROFILES } from "../../src/pipeline/stage.ts";

Deno.test("largestFitting() finds the boundary of a monotone fit; requireFits() names it", () => {
  assert.equal(largestFitting((v) => v * v <= 1000, 10 ** 9), 31);
  assert.equal(largestFitting((v) => v <= 5, 3), 3);
  assert.equal(largestFitting(() => false, 100), 0);
  requireFits("k", 31, (v) => v * v <= 1000, "the test budget");
  assert.throws(
    () => requireFits("k", 32, (v) => v * v <= 1000, "the test budget"),
    (e: unknown) =>
      e instanceof UsageError &&
      /^--k 32 does not fit in the test budget; the largest value that fits is 31$/
        .test(e.message),
  );
});

Deno.test("approx: --k, --n and --num-samples too large for memory are rejected at the largest value that fits", () => {
  const base = approxStage.params("smoke");
  for (
    const [flag, big] of [["k", "1000000000"], ["num-samples", "1000000000"], ["n", "1000000000"]]
  ) {
    let largest = 0;
    assert.throws(() => applyApproxFlags({ [flag]: big }, base), (e: unknown) => {
      const m = /^--\S+ \d+ does not fit in .*; the largest value that fits is (\d+)$/.exec(
        (e as Error).message,
      );
      largest = Number(m?.[1]);
      return e instanceof UsageError && (e as Error).message.startsWith(`--${flag} `) &&
        largest > 0;
    });
    // the boundary is exact: the largest value passes, one more fails
    applyApproxFlags({ [flag]: String(largest) }, base);
    assert.throws(() => applyApproxFlags({ [flag]: String(largest + 1) }, base), UsageError);
  }
});

Deno.test("every profile's default parameters fit this machine's memory (approx and train)", () => {
  const budget = memoryBudget();
  for (const profile of PROFILES) {
    assert.ok(approxFits(approxStage.params(profile), budget), `approx ${profile}`);
    const t = trainStage.params(profile);
    assert.ok(t.widths.every((w) => trainRunBytes(w, t) <= budget), `train ${profile}`);
  }
});

Deno.test("train: --width too large for memory is rejected naming the largest width that fits", () => {
  const base = trainStage.params("smoke");
  assert.throws(
    () => trainStage.flags.apply({ width: "1000000", lr: "0.1" }, base),
    (e: unknown) =>
      e instanceof UsageError &&
      /^--width 1000000 does not fit .*largest value that fits is \d+$/.test(
        (e as Error).message,
      ),
  );
  // weight perturbation keeps k tangents of every parameter: a smaller width fits
  const node = trainRunBytes(4096, base);
  const weight = trainRunBytes(4096, { ...base, perturbation: "weight" });
  assert.ok(weight > node);
});
