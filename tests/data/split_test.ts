import assert, { deepEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { Rng } from "../../src/core/rng.ts";
import { gather, trainValSplit } from "../../src/data/split.ts";

Deno.test("trainValSplit() is deterministic, disjoint and complete for MNIST and CIFAR-10", () => {
  for (const [name, n, v] of [["mnist", 60000, 10000], ["cifar10", 50000, 10000]] as const) {
    const a = trainValSplit(n, v, name);
    const b = trainValSplit(n, v, name);
    assertEquals(a.train.length, n - v);
    assertEquals(a.val.length, v);
    assert(a.train.every((x, i) => x === b.train[i]) && a.val.every((x, i) => x === b.val[i]));
    const seen = new Uint8Array(n);
    for (const i of a.train) seen[i]++;
    for (const i of a.val) seen[i]++;
    assert(seen.every((c) => c === 1), `${name}: every index exactly once`);
  }
});

Deno.test("trainValSplit() takes the split from new Rng(0, 'split', dataset), not a run seed", () => {
  const p = new Rng(0, "split", "mnist").permutation(60000);
  const { train, val } = trainValSplit(60000, 10000, "mnist");
  assertEquals(Array.from(train.subarray(0, 100)), Array.from(p.subarray(0, 100)));
  assertEquals(Array.from(val), Array.from(p.subarray(50000)));
  // A different dataset name is a different stream.
  const other = trainValSplit(60000, 10000, "fashion-mnist");
  assert(other.val.some((x, i) => x !== val[i]));
});

Deno.test("trainValSplit() spreads the validation split over the whole training set", () => {
  // Under a uniform permutation the validation indices' mean is (n-1)/2 with
  // standard error sqrt((n²-1)/12 · (n-v)/(n-1) / v); allow 5 standard errors.
  const n = 50000, v = 10000;
  const { val } = trainValSplit(n, v, "cifar10");
  const mean = val.reduce((a, b) => a + b, 0) / v;
  const se = Math.sqrt(((n * n - 1) / 12) * ((n - v) / (n - 1)) / v);
  assert(Math.abs(mean - (n - 1) / 2) < 5 * se, `mean ${mean}`);
});

Deno.test("trainValSplit() rejects a validation size outside [0, count]", () => {
  assertThrows(() => trainValSplit(10, 11, "x"), RangeError);
  assertThrows(() => trainValSplit(10, -1, "x"), RangeError);
  assertThrows(() => trainValSplit(10, 1.5, "x"), RangeError);
  assertEquals(trainValSplit(10, 0, "x").val.length, 0);
});

Deno.test("gather() copies the chosen examples in the given order", () => {
  const images = Uint8Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
  const labels = Uint8Array.from([5, 6, 7, 8]);
  const g = gather(images, labels, Int32Array.from([3, 0, 2]), 2);
  assertEquals(Array.from(g.images), [3, 3, 0, 0, 2, 2]);
  assertEquals(Array.from(g.labels), [8, 5, 7]);
  assertEquals(g.count, 3);
});
