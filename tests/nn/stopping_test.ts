import { assertEquals } from "./_assert.ts";
import { criterionLoss, StopRule } from "../../src/nn/stopping.ts";

/** The epoch at which a rule stops on a loss sequence (epoch 0 first), and why. */
function stopAt(losses: number[], patience = 10): [number, string | undefined] {
  const rule = new StopRule(patience);
  for (let e = 0; e < losses.length; e++) {
    const r = rule.update(losses[e]);
    if (r) return [e, r];
  }
  return [-1, undefined];
}

Deno.test("StopRule stops after `patience` epochs without improvement, epoch 0 counting", () => {
  // Best at epoch 0, then flat: the counter reaches 10 at epoch 10.
  assertEquals(stopAt(Array(30).fill(1)), [10, "early_stopping"]);
  // Improvement at epoch 5 resets the counter: stop at 15.
  const seq = [2, 2, 2, 2, 2, 1, ...Array(20).fill(1.5)];
  assertEquals(stopAt(seq), [15, "early_stopping"]);
  // Strictly decreasing never stops.
  assertEquals(stopAt(Array.from({ length: 40 }, (_, i) => 5 - i * 0.1)), [-1, undefined]);
});

Deno.test("StopRule with min_delta 0 needs a strict improvement", () => {
  const rule = new StopRule(2);
  assertEquals(rule.update(1), undefined);
  assertEquals(rule.update(1), undefined); // equal is not an improvement
  assertEquals(rule.counter, 1);
  assertEquals(rule.update(0.999), undefined);
  assertEquals(rule.counter, 0);
});

Deno.test("StopRule stops on divergence (loss ≥ 10 or NaN) even with early stopping off", () => {
  assertEquals(stopAt([2.3, 5, 10.0], 0), [2, "diverged"]);
  assertEquals(stopAt([2.3, 9.99, NaN], 0), [2, "diverged"]);
  assertEquals(stopAt([2.3, 9.99, 9.98], 0), [-1, undefined]);
  assertEquals(stopAt(Array(30).fill(1), 0), [-1, undefined]);
});

Deno.test("criterionLoss() takes the first non-NaN of val, test, train", () => {
  assertEquals(criterionLoss(1, 2, 3), 1);
  assertEquals(criterionLoss(NaN, 2, 3), 2);
  assertEquals(criterionLoss(NaN, NaN, 3), 3);
  assertEquals(criterionLoss(NaN, NaN, NaN), NaN);
});
