// ResNet18: parameter counts, block activity sizes, parameter names and init
// statistics at full size; forward shapes, train/eval BatchNorm and running
// statistics at reduced width.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { createResNet18 } from "../../src/nn/resnet18.ts";
import {
  activityCount,
  bufferCount,
  BufferUpdates,
  commitBufferUpdates,
  disposeModel,
  forward,
  parameterCount,
} from "../../src/nn/model.ts";
import { Rng } from "../../src/core/rng.ts";

await initBackend("cpu");

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

for (
  const [channels, size, params, sizes] of [
    [3, 32, 11_181_642, [4096, 4096, 2048, 1024, 512, 10]],
    [1, 28, 11_175_370, [3136, 3136, 2048, 1024, 512, 10]],
  ] as const
) {
  Deno.test(`resnet18 with ${channels} input channels has ${params} parameters and the spec's block sizes`, () => {
    const m = createResNet18({ inChannels: channels, imageSize: size, seed: 0 });
    assertEquals(parameterCount(m), params);
    assertEquals(m.blocks.map((b) => b.outputSize), [...sizes]);
    assertEquals(activityCount(m), channels === 3 ? 11_786 : 9_866);
    assertEquals(m.blocks.length, 6);
    assertEquals(m.paramNames.length, m.params.length);
    assertEquals(m.paramNames.slice(0, 4), [
      "conv1.weight",
      "bn1.weight",
      "bn1.bias",
      "layer1.0.conv1.weight",
    ]);
    assert(m.paramNames.includes("layer2.0.downsample.0.weight"), "downsample conv");
    assert(!m.paramNames.includes("layer1.0.downsample.0.weight"), "no downsample in layer1");
    assertEquals(m.paramNames.slice(-2), ["fc.weight", "fc.bias"]);
    // Buffers: running mean and var of each of the 20 BNs; not parameters.
    assertEquals(m.bufferNames!.length, 40);
    assert(m.bufferNames!.every((n) => /running_(mean|var)$/.test(n)));
    assert(m.paramNames.every((n) => !n.includes("running")));
    assertEquals(bufferCount(m), 2 * 4800);
    // Kaiming-normal fan_out: std √(2 / (64·7·7)) for conv1; fc U(±1/√512).
    const w = m.params[0].dataSync() as Float32Array;
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    assert(Math.abs(std / Math.sqrt(2 / (64 * 49)) - 1) < 0.05, `conv1 std ${std}`);
    const fc = m.params[m.params.length - 2].dataSync() as Float32Array;
    const bound = 1 / Math.sqrt(512);
    assert(
      fc.every((v) => Math.abs(v) <= bound) && fc.reduce((a, b) => Math.max(a, b), 0) > 0.9 * bound,
      "fc init",
    );
    disposeModel(m);
  });
}

const small = () =>
  createResNet18({ inChannels: 3, imageSize: 16, seed: 1, widths: [4, 4, 6, 8, 8] });

function batch(B: number) {
  const rng = new Rng(5, "resnet-batch");
  return tf.tensor4d(rng.normal(new Float32Array(B * 16 * 16 * 3)), [B, 16, 16, 3]);
}

Deno.test("reduced resnet18: block shapes, flat input accepted, no leaks", () => {
  const m = small();
  const before = tf.memory().numTensors;
  const x = batch(3);
  const y = tf.tidy(() => forward(m, x));
  assertEquals(y.shape, [3, 10]);
  const flat = tf.reshape(x, [3, -1]);
  const y2 = tf.tidy(() => forward(m, flat));
  assert(maxAbsDiff(y, y2) === 0, "flat input");
  assertEquals(m.blocks.map((b) => b.outputShape), [[4, 4, 4], [4, 4, 4], [2, 2, 6], [1, 1, 8], [
    1,
    1,
    8,
  ], [10]]);
  tf.dispose([x, y, flat, y2]);
  assertEquals(tf.memory().numTensors, before);
  disposeModel(m);
});

Deno.test("reduced resnet18: train mode uses batch statistics and updates running stats; eval uses them", () => {
  const m = small();
  const x = batch(4);
  const before = tf.memory().numTensors;
  const evalBefore = tf.tidy(() => forward(m, x, "none", m.params, { mode: "eval" }));
  const updates = new BufferUpdates();
  const train = tf.tidy(() => forward(m, x, "none", m.params, { mode: "train", updates }));
  assertEquals(updates.size, 40);
  // Train-mode output of stem BN: per-channel mean 0 before ReLU → outputs differ from eval.
  assert(maxAbsDiff(train, evalBefore) > 1e-3, "train ≠ eval");
  const oldMean = m.buffers![0];
  commitBufferUpdates(m, updates);
  assert(oldMean.isDisposed, "old buffer freed");
  // New running mean = 0.9·0 + 0.1·batch mean of conv1's output (nonzero).
  const rm = m.buffers![0].dataSync();
  assert(rm.some((v) => Math.abs(v) > 1e-4), "running mean moved");
  const rv = m.buffers![1].dataSync();
  assert(rv.every((v) => v > 0.9 * 1 - 1e-6), "running var = 0.9 + 0.1·unbiased var");
  const evalAfter = tf.tidy(() => forward(m, x, "none", m.params, { mode: "eval" }));
  assert(maxAbsDiff(evalAfter, evalBefore) > 1e-4, "eval changed");
  // Train mode does not depend on the running statistics.
  const train2 = tf.tidy(() => forward(m, x, "none", m.params, { mode: "train" }));
  assert(maxAbsDiff(train2, train) < 1e-6, "train ignores buffers");
  tf.dispose([evalBefore, train, evalAfter, train2]);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose(x);
  disposeModel(m);
});

Deno.test("a resnet18 block applied without its context fails with a clear error", () => {
  const m = small();
  const x = batch(2);
  const p = m.blocks[0].paramIndices.map((i) => m.params[i]);
  let msg = "";
  try {
    m.blocks[0].apply(x, p, "none");
  } catch (e) {
    msg = (e as Error).message;
  }
  assert(msg.includes("without its BlockContext"), msg);
  tf.dispose(x);
  disposeModel(m);
});
