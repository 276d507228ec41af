import { assertEquals } from "./_assert.ts";
import { type EpochRow, runLabel, runResult, type TrainRun } from "../../src/report/networks.ts";

const epoch = (e: number, val: number, acc: number, t = 2): EpochRow => ({
  epoch: e,
  trainLoss: val,
  trainAccuracy: acc,
  valLoss: val,
  valAccuracy: acc,
  testLoss: val + 0.1,
  testAccuracy: acc - 0.01,
  trainSeconds: e === 0 ? 0 : t,
});

const run: TrainRun = {
  model: "fc_w=256",
  dataset: "mnist",
  approach: "frog",
  k: 4,
  seed: 0,
  mode: "sim",
  perturbation: "node",
  lr: 0.1,
  epochs: [
    epoch(0, 2.3, 0.1),
    epoch(1, 0.5, 0.8, 3),
    epoch(2, 0.4, 0.85, 5),
    epoch(3, 0.45, 0.86, 4),
  ],
};

Deno.test("runResult() picks the best-validation-loss epoch and the last epoch, epoch time from epochs ≥ 1", () => {
  const r = runResult(run);
  assertEquals(r.bestEpoch, 2);
  assertEquals(r.criterion, "val");
  assertEquals(r.best.testAccuracy, 0.84);
  assertEquals(r.last.epoch, 3);
  assertEquals(r.epochsRun, 3);
  assertEquals(r.secondsPerEpoch, 4);
});

Deno.test("runResult() falls back to the test loss without a validation set; runLabel() names the approach", () => {
  const noVal = {
    ...run,
    epochs: run.epochs.map((e, i) => ({ ...e, valLoss: NaN, testLoss: [3, 1, 2, 0.5][i] })),
  };
  const r = runResult(noVal);
  assertEquals([r.criterion, r.bestEpoch], ["test", 3]);
  assertEquals(runLabel(run), "frog k=4");
  assertEquals(
    runLabel({ ...run, approach: "fg-mean", k: 1, mode: "fwad", perturbation: "weight" }),
    "fg k=1 (fwad, weight)",
  );
  assertEquals(runLabel({ ...run, approach: "bp", k: 0, mode: "", perturbation: "" }), "bp");
});
