import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { createFc } from "../../src/nn/fc.ts";
import type { GradientSpec } from "../../src/nn/gradients/mode.ts";
import { disposeModel } from "../../src/nn/model.ts";
import type { EpochRecord } from "../../src/nn/progress_csv.ts";
import { evaluate, trainModel, type TrainSettings } from "../../src/nn/trainer.ts";
import { syntheticData } from "./_helpers.ts";

await initBackend("cpu");

const settings = (gradient: GradientSpec, over: Partial<TrainSettings> = {}): TrainSettings => ({
  gradient,
  lr: 0.1,
  optimizer: "plain_sgd",
  epochs: 3,
  seed: 0,
  batchSize: 16,
  evalBatchSize: 20,
  patience: 10,
  ...over,
});

const metrics = (r: EpochRecord[]) =>
  r.map((e) => [e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.test_loss, e.test_accuracy]);

async function run(gradient: GradientSpec, over: Partial<TrainSettings> = {}) {
  const data = syntheticData();
  const model = createFc({ width: 8, inputSize: 6, numClasses: 3, seed: over.seed ?? 0 });
  const result = await trainModel(model, data, settings(gradient, over));
  disposeModel(model);
  return result;
}

const FROG: GradientSpec = { approach: "frog", k: 4, mode: "sim", perturbation: "node" };
const BP: GradientSpec = { approach: "bp", k: 1, mode: "sim", perturbation: "node" };

Deno.test("trainModel() evaluates epoch 0 first, then trains and lowers the loss", async () => {
  const before = tf.memory().numTensors;
  const r = await run(BP, { lr: 0.5, epochs: 4 });
  assertEquals(r.records.map((e) => e.epoch), [0, 1, 2, 3, 4]);
  assertEquals(r.records[0].trainSeconds, 0);
  assertEquals(r.records[0].timers, {});
  assert(r.records[4].train_loss < r.records[0].train_loss, "training lowers the loss");
  assertEquals(r.steps, 4 * 6); // 96 samples / batch 16
  assertEquals(tf.memory().numTensors, before, "no tensor leaks");
});

Deno.test("trainModel() is deterministic: same seed, same numbers (timers aside)", async () => {
  for (const g of [BP, FROG, { ...FROG, approach: "fg" as const, mode: "fwad" as const }]) {
    const a = await run(g);
    const b = await run(g);
    assertEquals(metrics(a.records), metrics(b.records));
    const c = await run(g, { seed: 1 });
    assert(
      JSON.stringify(metrics(c.records)) !== JSON.stringify(metrics(a.records)),
      "seed matters",
    );
  }
});

Deno.test("trainModel() stops early after `patience` epochs without improvement", async () => {
  // lr 0: the loss never changes, so the best stays at epoch 0 and the counter hits 3 at epoch 3.
  const r = await run(BP, { lr: 0, epochs: 20, patience: 3 });
  assertEquals(r.stopReason, "early_stopping");
  assertEquals(r.records.length, 4);
});

Deno.test("trainModel() stops on divergence and aborts an epoch at a NaN batch loss", async () => {
  const r = await run(BP, { lr: 1e6, epochs: 20 });
  assertEquals(r.stopReason, "diverged");
  assert(r.records.length < 21, "stopped before the budget");
  const nan = await run(BP, { lr: 1e30, epochs: 2 });
  // The first NaN batch ends its epoch: fewer steps than the 6 batches of an epoch.
  assert(nan.steps < 6 * 2, `steps ${nan.steps}`);
  assertEquals(nan.stopReason, "diverged");
});

Deno.test("trainModel() honours maxBatchesPerEpoch and evalLimit", async () => {
  const r = await run(FROG, { epochs: 2, maxBatchesPerEpoch: 2 });
  assertEquals(r.steps, 4);
  const data = syntheticData();
  const model = createFc({ width: 8, inputSize: 6, numClasses: 3, seed: 0 });
  const full = await evaluate(model, data.test, 7);
  const again = await evaluate(model, data.test, 32);
  assert(Math.abs(full.loss - again.loss) < 1e-6, "batching does not change the mean loss");
  assertEquals(await evaluate(model, undefined, 7), { loss: NaN, accuracy: NaN });
  disposeModel(model);
});

Deno.test("trainModel() trains reduced ResNet18 and ViT models (BatchNorm buffers, eval mode)", async () => {
  const { createResNet18 } = await import("../../src/nn/resnet18.ts");
  const { createVit } = await import("../../src/nn/vit.ts");
  const data = syntheticData(8 * 8 * 3, 3);
  const makers = [
    () =>
      createResNet18({
        inChannels: 3,
        imageSize: 8,
        numClasses: 3,
        widths: [4, 4, 4, 4, 4],
        blocksPerStage: [1, 1, 1, 1],
        seed: 0,
      }),
    () =>
      createVit({
        inChannels: 3,
        imageSize: 8,
        numClasses: 3,
        hiddenDim: 8,
        mlpDim: 16,
        numHeads: 2,
        numLayers: 2,
        seed: 0,
      }),
  ];
  for (const make of makers) {
    for (const gradient of [BP, FROG]) {
      const model = make();
      const buffers0 = model.buffers?.map((b) => b.dataSync().slice());
      const r = await trainModel(model, data, settings(gradient, { epochs: 2, lr: 0.05 }));
      assertEquals(r.records.length, 3);
      assert(r.records.every((e) => Number.isFinite(e.train_loss)), `${model.name}: finite`);
      if (gradient === BP) {
        assert(
          r.records[2].train_loss < r.records[0].train_loss,
          `${model.name} bp lowers the loss: ${metrics(r.records)}`,
        );
      }
      if (buffers0) {
        const moved = model.buffers!.some((b, i) =>
          b.dataSync().some((v, j) => v !== buffers0[i][j])
        );
        assert(moved, "running statistics updated by training");
      }
      disposeModel(model);
    }
  }
});
