import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import {
  addTangents,
  expandTangent,
  expandTangentExceptBatch,
  isTangentFor,
  liftTangent,
  normalizeAxes,
} from "../../src/jvp/value.ts";

await initBackend("cpu");

Deno.test("isTangentFor() accepts full and compact tangents and rejects others", () => {
  const t = tf.zeros([4, 1, 3]);
  assert.equal(isTangentFor(t, [8, 3], 4), true);
  assert.equal(isTangentFor(t, [8, 3], 5), false);
  assert.equal(isTangentFor(t, [8, 2], 4), false);
  assert.equal(isTangentFor(t, [3], 4), false);
  t.dispose();
});

Deno.test("liftTangent() inserts size-1 axes after k; expandTangent() broadcasts to full shape", () => {
  const t = tf.tensor2d([[1, 2], [3, 4]]); // k = 2, primal [2]
  const lifted = liftTangent(t, 3);
  assert.deepEqual(lifted.shape, [2, 1, 1, 2]);
  const full = expandTangent(t, [3, 2]);
  assert.deepEqual(full.shape, [2, 3, 2]);
  assert.deepEqual(Array.from(full.dataSync()), [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  assert.equal(expandTangent(full, [3, 2]), full);
  assert.throws(() => liftTangent(full, 1), TypeError);
  tf.dispose([t, lifted, full]);
});

Deno.test("expandTangentExceptBatch() keeps a batch-invariant tangent batch-invariant", () => {
  const t = tf.ones([2, 1, 1, 3]);
  const e = expandTangentExceptBatch(t, [5, 4, 3]);
  assert.deepEqual(e.shape, [2, 1, 4, 3]);
  tf.dispose([t, e]);
});

Deno.test("addTangents() skips symbolic zeros and returns null when all are zero", () => {
  assert.equal(addTangents([null, null], 2), null);
  const a = tf.ones([2, 3]);
  const s = addTangents([null, a, a], 2) as tf.Tensor;
  assert.deepEqual(s.shape, [2, 1, 3]);
  assert.deepEqual(Array.from(s.dataSync()), [2, 2, 2, 2, 2, 2]);
  tf.dispose([a, s]);
});

Deno.test("normalizeAxes() handles null, negatives and single numbers", () => {
  assert.deepEqual(normalizeAxes(null, 3), [0, 1, 2]);
  assert.deepEqual(normalizeAxes(-1, 3), [2]);
  assert.deepEqual(normalizeAxes([0, -2], 3), [0, 1]);
});
