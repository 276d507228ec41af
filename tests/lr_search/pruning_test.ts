import assert from "node:assert/strict";
import {
  PruneMonitor,
  pruningConfig,
  selectBaseline,
  trimCurve,
} from "../../src/lr_search/pruning.ts";

Deno.test("pruningConfig() uses margin 0.5 and patience int(0.05·max steps)", () => {
  assert.deepEqual(pruningConfig(1000), { margin: 0.5, offset: 0, patience: 50 });
  assert.equal(pruningConfig(25000, -78.33198).patience, 1250);
  assert.equal(pruningConfig(10).patience, 0);
});

Deno.test("selectBaseline() keeps the first of equal finals and skips all-NaN runs", () => {
  assert.equal(trimCurve([NaN, NaN]), undefined);
  assert.deepEqual(trimCurve([3, 2, NaN]), [3, 2]);
  assert.deepEqual(selectBaseline([[NaN], [5, 4], [9, 4], [7, 3, NaN], [1, 3]]), [7, 3]);
  assert.equal(selectBaseline([]), undefined);
});

Deno.test("PruneMonitor cancels after more than `patience` consecutive bad steps", () => {
  const cfg = { margin: 0.5, offset: 0, patience: 2 };
  const m = new PruneMonitor([4, 2, 1], cfg);
  // thresholds 8, 4, 2, 2, …; the baseline's final 1 must also be below the loss
  assert.deepEqual([9, 5, 3, 3].map((l) => m.observe(l)), [false, false, true, true]);
  const reset = new PruneMonitor([4, 2, 1], cfg);
  assert.deepEqual([9, 5, 1.5, 3, 3, 3].map((l) => reset.observe(l)), [
    false,
    false,
    false,
    false,
    false,
    true,
  ]);
  assert.equal(new PruneMonitor(undefined, cfg).observe(Infinity), false);
});

Deno.test("PruneMonitor shifts the threshold by the offset (styblinski-tang)", () => {
  const offset = -78.33198;
  const m = new PruneMonitor([-70], { margin: 0.5, offset, patience: 0 });
  // threshold (−70 − offset)/0.5 + offset = −61.668…
  assert.equal(m.observe(-62), false);
  assert.equal(new PruneMonitor([-70], { margin: 0.5, offset, patience: 0 }).observe(-61), true);
});
