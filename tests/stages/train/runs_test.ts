import { assertEquals, assertThrows } from "../../nn/_assert.ts";
import { fcModelKey, paperLr, runId, runsRow } from "../../../src/stages/train/runs.ts";

const node = { mode: "sim", perturbation: "node" } as const;

Deno.test("runId() names the model, dataset, approach, mode and seed", () => {
  assertEquals(
    runId({
      width: 256,
      dataset: "mnist",
      gradient: { approach: "bp", k: 1, ...node },
      seed: 0,
      lr: 1,
    }),
    "fc_w=256__mnist__bp__seed=0",
  );
  assertEquals(
    runId({
      width: 1024,
      dataset: "mnist",
      gradient: { approach: "fg", k: 16, mode: "fwad", perturbation: "weight" },
      seed: 2,
      lr: 1,
    }),
    "fc_w=1024__mnist__fg-mean_k=16__fwad-weight__seed=2",
  );
  assertEquals(fcModelKey(4096), "fc_w=4096");
});

Deno.test("paperLr() reads lrs/fc_nns.csv by (fc_w=W, mnist, approach, k)", () => {
  assertEquals(paperLr(256, "mnist", { approach: "bp", k: 1, ...node }), 0.026050732201274525);
  assertEquals(paperLr(256, "mnist", { approach: "fg", k: 1, ...node }), 0.0005590272124235413);
  assertEquals(paperLr(4096, "mnist", { approach: "frog", k: 16, ...node }), 0.2517256837472351);
  assertThrows(() => paperLr(256, "mnist", { approach: "frog", k: 1, ...node }), RangeError, "k=1");
});

Deno.test("runsRow() leaves k, mode and perturbation empty for bp", () => {
  const plan = { width: 256, dataset: "mnist", seed: 1, lr: 0.5 };
  assertEquals(runsRow({ ...plan, gradient: { approach: "bp", k: 1, ...node } }), [
    "fc_w=256",
    "mnist",
    "bp",
    "",
    1,
    "",
    "",
    0.5,
    "runs/fc_w=256__mnist__bp__seed=1_train_progress.csv",
  ]);
  assertEquals(runsRow({ ...plan, gradient: { approach: "frog", k: 4, ...node } }).slice(2, 7), [
    "frog",
    4,
    1,
    "sim",
    "node",
  ]);
});
