import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assertClose, assertEquals, assertThrows } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { optimizerPreset, scheduleFactor, Sgd } from "../../src/nn/optimizer.ts";

await initBackend("cpu");

Deno.test("Sgd plain step is p − lr·g and keeps the LR constant", () => {
  const opt = new Sgd({ lr: 0.1 });
  let p: tf.Tensor = tf.tensor1d([1, 2]);
  for (let t = 0; t < 3; t++) [p] = opt.step([p], [tf.tensor1d([1, -1])]);
  const v = p.dataSync();
  assertClose(v[0], 0.7, 1e-6);
  assertClose(v[1], 2.3, 1e-6);
  assertEquals(opt.lr, 0.1);
  assertEquals(opt.steps, 3);
});

Deno.test("Sgd with momentum, weight decay and Nesterov follows PyTorch's update", () => {
  const lr = 0.1, mu = 0.9, wd = 0.01;
  const opt = new Sgd({ lr, momentum: mu, weightDecay: wd, nesterov: true });
  let p = 1, buf = 0;
  let tp: tf.Tensor = tf.tensor1d([p]);
  for (let t = 0; t < 4; t++) {
    const g = 0.5 + t;
    [tp] = opt.step([tp], [tf.tensor1d([g])]);
    const dp = g + wd * p;
    buf = t === 0 ? dp : mu * buf + dp;
    p -= lr * (dp + mu * buf);
    assertClose(tp.dataSync()[0], p, 1e-5, `step ${t}`);
  }
  opt.dispose();
});

Deno.test("scheduleFactor() reproduces the per-batch schedules", () => {
  assertEquals(scheduleFactor("constant", 1000, 10), 1);
  // MultiStep at int(0.5E), int(0.75E) counted in scheduler steps (batches).
  assertEquals([0, 49, 50, 74, 75].map((t) => scheduleFactor("step", t, 100)), [
    1,
    1,
    0.1,
    0.1,
    0.1 ** 2,
  ]);
  assertClose(scheduleFactor("cosine", 50, 100), 0.5, 1e-12);
  assertClose(scheduleFactor("cosine", 100, 100), 0, 1e-12);
  assertClose(scheduleFactor("cosine", 200, 100), 1, 1e-12); // period 2E
  assertClose(scheduleFactor("decay", 10000, 1), Math.exp(-1), 1e-12);
});

Deno.test("optimizerPreset() gives plain_sgd and sota_sgd as in defaults.ini", () => {
  assertEquals(optimizerPreset("plain_sgd", 0.03, 200), {
    lr: 0.03,
    momentum: 0,
    weightDecay: 0,
    nesterov: false,
    schedule: "constant",
    epochs: 200,
  });
  assertEquals(optimizerPreset("sota_sgd", 0.1, 50).schedule, "cosine");
  assertThrows(() => optimizerPreset("adam" as never, 1, 1), RangeError, "plain_sgd, sota_sgd");
});
