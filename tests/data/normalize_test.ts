import assert, { deepEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { normalizedBatch, pixelStats } from "../../src/data/normalize.ts";
import { CIFAR10, MNIST } from "../../src/data/specs.ts";

Deno.test("dataset specs carry the reference normalisation constants and split sizes", () => {
  assertEquals(MNIST.mean, [0.1307]);
  assertEquals(MNIST.std, [0.3081]);
  assertEquals(CIFAR10.mean, [125.3 / 255, 123.0 / 255, 113.9 / 255]);
  assertEquals(CIFAR10.std, [63.0 / 255, 62.1 / 255, 66.7 / 255]);
  assertEquals([MNIST.trainCount - MNIST.valCount, MNIST.valCount, MNIST.testCount], [
    50000,
    10000,
    10000,
  ]);
  assertEquals([CIFAR10.trainCount - CIFAR10.valCount, CIFAR10.valCount, CIFAR10.testCount], [
    40000,
    10000,
    10000,
  ]);
  assertEquals(MNIST.shape, [28, 28, 1]);
  assertEquals(CIFAR10.shape, [32, 32, 3]);
  assertEquals([...CIFAR10.classes].sort(), [...CIFAR10.classes]);
});

Deno.test("normalizedBatch() applies (x/255 − mean[c])/std[c] per channel, NHWC", () => {
  const meta = { shape: [1, 2, 3], mean: CIFAR10.mean, std: CIFAR10.std };
  const images = Uint8Array.from({ length: 3 * 6 }, (_, i) => (i * 41) % 256);
  const split = { images, labels: new Uint8Array(3), count: 3 };
  const x = normalizedBatch(split, [2, 0], meta);
  assertEquals(x.length, 12);
  for (let b = 0; b < 2; b++) {
    const j = [2, 0][b];
    for (let p = 0; p < 6; p++) {
      const c = p % 3;
      const want = (images[j * 6 + p] / 255 - CIFAR10.mean[c]) / CIFAR10.std[c];
      assert(Math.abs(x[b * 6 + p] - want) < 1e-6, `b=${b} p=${p}`);
    }
  }
});

Deno.test("normalizedBatch() maps MNIST 0 and 255 to the known values and fills a given buffer", () => {
  const meta = { shape: [1, 2, 1], mean: MNIST.mean, std: MNIST.std };
  const split = { images: Uint8Array.from([0, 255]), labels: new Uint8Array(1), count: 1 };
  const out = new Float32Array(2);
  const x = normalizedBatch(split, [0], meta, out);
  assert(x === out);
  assert(Math.abs(x[0] - -0.1307 / 0.3081) < 1e-6);
  assert(Math.abs(x[1] - (1 - 0.1307) / 0.3081) < 1e-6);
});

Deno.test("normalizedBatch() rejects an index outside the split and a wrong buffer size", () => {
  const meta = { shape: [1, 1, 1], mean: [0], std: [1] };
  const split = { images: new Uint8Array(2), labels: new Uint8Array(2), count: 2 };
  assertThrows(() => normalizedBatch(split, [2], meta), RangeError);
  assertThrows(() => normalizedBatch(split, [-1], meta), RangeError);
  assertThrows(() => normalizedBatch(split, [0], meta, new Float32Array(3)), RangeError);
  assertThrows(() => normalizedBatch(split, [0], { ...meta, mean: [0, 0] }), TypeError);
});

Deno.test("pixelStats() gives per-channel mean and population std on the [0, 1] scale", () => {
  const s = pixelStats(Uint8Array.from([0, 255, 255, 255]), 2);
  assertEquals(s.mean, [0.5, 1]);
  assertEquals(s.std, [0.5, 0]);
});
