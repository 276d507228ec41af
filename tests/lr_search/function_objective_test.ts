import assert from "node:assert/strict";
import { BP } from "../../src/functions/approaches.ts";
import { functionObjective } from "../../src/lr_search/function_objective.ts";
import { evaluateUnit, searchLabel } from "../../src/lr_search/search.ts";
import { initBackend } from "../../src/backend.ts";

await initBackend("cpu"); // the descent runs on tfjs: choose its backend, as the stages do

Deno.test("functionObjective(sphere, 2, bp) yields f after every step, stopping on patience 100", async () => {
  const { objective, maxSteps, pruning } = functionObjective("sphere", 2, BP);
  assert.equal(maxSteps, 1000);
  assert.deepEqual(pruning, { margin: 0.5, offset: 0, patience: 50 });
  const curve = [...(await objective(0.25, { label: "s", rank: 0, index: 0 }) as number[])];
  assert.equal(curve[0], 0.5); // x₁ = −1 + 0.25·2 = −0.5 per coordinate
  assert.equal(curve[1], 0.125);
  assert.ok(curve.length < 1000 && curve.at(-1) === 0, `${curve.length} steps`);
});

Deno.test("functionObjective uses the global minimum as offset for styblinski-tang", () => {
  const { pruning } = functionObjective("styblinski-tang", 4, BP);
  assert.ok(Math.abs(pruning.offset - -39.16599 * 4) < 1e-3);
});

Deno.test("a short search on sphere n=2 finds an LR that reaches 0", async () => {
  const { objective, pruning } = functionObjective("sphere", 2, BP, 200);
  const results = await searchLabel("math/sphere_n=0002/bp", objective, { perRank: 3, pruning });
  assert.equal(results.length, 12);
  assert.ok(Math.min(...results.map((r) => r.loss)) < 1e-6);
  const unit = {
    label: "x",
    rank: 0,
    index: 1,
    lr: 1e-6,
    proposal: { lrLog10: -6, origin: "bred" as const },
    baseline: results.find((r) => r.loss < 1e-6)!.curve,
  };
  const slow = await evaluateUnit(unit, objective, pruning);
  // lr 1e−6 barely moves: pruned int(0.05·200) + 1 = 11 steps after it first exceeds 2·baseline_t
  assert.equal(slow.pruned, true);
  const first = unit.baseline.findIndex((b, t) => slow.curve[t] > 2 * b);
  assert.ok(first > 0);
  assert.equal(slow.curve.length, first + 11);
});
