import assert from "node:assert/strict";
import { evaluateUnit, LabelProposer, searchLabel } from "../../src/lr_search/search.ts";
import { pruningConfig } from "../../src/lr_search/pruning.ts";
import { PythonRandom } from "../../src/lr_search/python_random.ts";

/** A cheap objective: a curve that decays towards |log10 lr + 2.5|. */
function* toy(lr: number): Generator<number> {
  const target = Math.abs(Math.log10(lr) + 2.5);
  for (let t = 0; t < 40; t++) yield target + 10 / (t + 1);
}

Deno.test("searchLabel() runs 4 × 25 units whose first two indices are Python's uniform draws", async () => {
  const results = await searchLabel("toy", toy);
  assert.equal(results.length, 100);
  for (let rank = 0; rank < 4; rank++) {
    const raw = new PythonRandom(rank);
    for (let index = 0; index < 2; index++) {
      raw.random();
      const r = results.find((x) => x.rank === rank && x.index === index)!;
      assert.equal(r.lrLog10, -6 + 6 * raw.random());
    }
  }
  const best = Math.min(...results.map((r) => r.loss));
  assert.ok(best < 0.6, `best loss ${best}`);
});

Deno.test("replaying a prefix of results gives the same later proposals", async () => {
  const full = await searchLabel("toy", toy, { perRank: 8, pruning: pruningConfig(40) });
  const replay = new LabelProposer("toy", { perRank: 8 });
  for (let i = 0; i < 5; i++) {
    replay.plan();
    replay.record(full.filter((r) => r.index === i));
  }
  for (let i = 5; i < 8; i++) {
    const units = replay.plan();
    const want = full.filter((r) => r.index === i);
    assert.deepEqual(units.map((u) => u.lr), want.map((r) => r.lr));
    replay.record(want);
  }
  assert.throws(() => new LabelProposer("toy").record(full.slice(4, 8)), RangeError);
});

Deno.test("evaluateUnit() prunes against the baseline and maps NaN to +∞", async () => {
  const unit = {
    label: "x",
    rank: 0,
    index: 1,
    lr: 0.1,
    proposal: { lrLog10: -1, origin: "bred" as const },
    baseline: [1, 1, 1],
  };
  const r = await evaluateUnit(unit, () => [5, 5, 5, 5, 5], {
    margin: 0.5,
    offset: 0,
    patience: 1,
  });
  assert.deepEqual([r.pruned, r.curve.length, r.loss], [true, 2, 5]);
  const nan = await evaluateUnit(unit, () => [3, NaN]);
  assert.deepEqual([nan.pruned, nan.loss], [false, Infinity]);
  const empty = await evaluateUnit(unit, () => []);
  assert.equal(empty.loss, Infinity);
});
