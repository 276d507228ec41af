import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { createFc } from "../../src/nn/fc.ts";
import { activityCount, disposeModel, forward, parameterCount } from "../../src/nn/model.ts";

await initBackend("cpu");

Deno.test("createFc() has the spec's parameter and activity counts", () => {
  for (const [width, params, acts] of [[256, 269322, 522], [1024, 1863690, 2058]]) {
    const model = createFc({ width, seed: 0 });
    assertEquals(parameterCount(model), params);
    assertEquals(activityCount(model), acts);
    assertEquals(model.blocks.map((b) => b.outputSize), [width, width, 10]);
    assertEquals(model.blocks.map((b) => b.paramIndices), [[0, 1], [2, 3], [4, 5]]);
    disposeModel(model);
  }
});

Deno.test("createFc() initialises U(±1/√fan_in) deterministically from the seed", () => {
  const a = createFc({ width: 64, seed: 3 });
  const b = createFc({ width: 64, seed: 3 });
  const c = createFc({ width: 64, seed: 4 });
  a.params.forEach((p, i) => {
    const fanIn = i < 2 ? 784 : 64;
    const v = Array.from(p.dataSync());
    const bound = 1 / Math.sqrt(fanIn);
    assert(v.every((x) => Math.abs(x) <= bound), `param ${i} within ±${bound}`);
    // Uniform on ±bound: variance bound²/3; check the sample's second moment within 5 standard errors.
    const m2 = v.reduce((s, x) => s + x * x, 0) / v.length;
    const se = Math.sqrt((bound ** 4 / 5 - bound ** 4 / 9) / v.length);
    assert(Math.abs(m2 - bound * bound / 3) < 5 * se + 1e-12, `param ${i} second moment ${m2}`);
    assertEquals(v, Array.from(b.params[i].dataSync()));
  });
  assert(a.params[0].dataSync()[0] !== c.params[0].dataSync()[0], "another seed differs");
  [a, b, c].forEach(disposeModel);
});

Deno.test("forward() flattens image batches and returns logits [B, 10]", () => {
  const model = createFc({ width: 16, seed: 0 });
  const x = tf.ones([3, 28, 28, 1]);
  const logits = forward(model, x);
  assertEquals(logits.shape, [3, 10]);
  const flat = forward(model, tf.reshape(x, [3, 784]));
  assertEquals(Array.from(logits.dataSync()), Array.from(flat.dataSync()));
  disposeModel(model);
});

Deno.test("createFc() rejects a width of 0 with a RangeError", () => {
  assertThrows(() => createFc({ width: 0, seed: 0 }), RangeError, "width");
});
