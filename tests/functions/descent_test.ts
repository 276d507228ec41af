import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import { gradientDescent } from "../../src/functions/descent.ts";
import { bpOracle, type GradientOracle } from "../../src/functions/oracle.ts";
import { getFunction } from "../../src/functions/registry.ts";
import { startPosition } from "../../src/functions/starts.ts";

await initBackend("cpu");

const sphere = getFunction("sphere");

Deno.test("gradientDescent() takes x ← x − lr·grad and records y per step", () => {
  // sphere from -1 with lr 0.25: x_t = -(0.5)^t, f = n·0.25^t
  const r = gradientDescent(sphere, bpOracle(sphere), {
    lr: 0.25,
    maxSteps: 5,
    patience: 50,
    start: startPosition("-1", 3),
  });
  assert.equal(r.steps, 5);
  assert.equal(r.stopReason, "max steps");
  assert.deepEqual([...r.y], [3, 0.75, 0.1875, 0.046875, 0.01171875, 0.0029296875]);
  assert.equal(r.stepDurationS[0], 0);
  assert.ok(r.stepDurationS.slice(1).every((d) => d > 0));
  assert.deepEqual([...r.x], [-(0.5 ** 5), -(0.5 ** 5), -(0.5 ** 5)]);
});

Deno.test("gradientDescent() stops after `patience` steps without improvement", () => {
  // lr 1 on the sphere: x flips sign each step, f stays n forever
  const r = gradientDescent(sphere, bpOracle(sphere), {
    lr: 1,
    maxSteps: 1000,
    patience: 7,
    start: startPosition("-1", 2),
  });
  assert.equal(r.stopReason, "early stopping");
  assert.equal(r.steps, 7);
  assert.ok(r.y.every((y) => y === 2));
});

Deno.test("gradientDescent() with patience 0 never stops early", () => {
  const r = gradientDescent(sphere, bpOracle(sphere), {
    lr: 1,
    maxSteps: 120,
    patience: 0,
    start: startPosition("-1", 2),
  });
  assert.equal(r.steps, 120);
  assert.equal(r.stopReason, "max steps");
});

Deno.test("gradientDescent() resets the counter on an improvement", () => {
  // An oracle whose gradient makes f alternate: worse, better, worse, better …
  let call = 0;
  const oracle: GradientOracle = {
    valueAndGradient(x) {
      const g = call++ % 2 === 0 ? tf.fill([1], -1) : tf.fill([1], 1);
      return { value: sphere.evaluate(x), gradient: g as tf.Tensor1D };
    },
    dispose() {},
  };
  const r = gradientDescent(sphere, oracle, {
    lr: 1,
    maxSteps: 40,
    patience: 2,
    start: new Float32Array([1]),
  });
  // x: 1 → 2 → 1 → 2 …; the count never reaches 2
  assert.equal(r.steps, 40);
  assert.equal(r.stopReason, "max steps");
});

Deno.test("gradientDescent() stops on NaN coordinates", () => {
  const r = gradientDescent(
    getFunction("styblinski-tang"),
    bpOracle(getFunction("styblinski-tang")),
    {
      lr: 10,
      maxSteps: 1000,
      patience: 50,
      start: startPosition("-1", 4),
    },
  );
  assert.equal(r.stopReason, "NaN values");
  assert.ok(Number.isNaN(r.y[r.steps]));
  assert.ok(r.x.some(Number.isNaN));
  assert.ok(r.steps < 20);
});

Deno.test("gradientDescent() with maxSteps 0 records only the start", () => {
  const r = gradientDescent(sphere, bpOracle(sphere), {
    lr: 0.1,
    maxSteps: 0,
    patience: 50,
    start: startPosition("-1", 4),
  });
  assert.deepEqual([...r.y], [4]);
  assert.equal(r.steps, 0);
});

Deno.test("gradientDescent() rejects a bad lr, maxSteps or patience", () => {
  const start = startPosition("-1", 2);
  const o = bpOracle(sphere);
  assert.throws(() => gradientDescent(sphere, o, { lr: 0, maxSteps: 1, patience: 1, start }), /lr/);
  assert.throws(
    () => gradientDescent(sphere, o, { lr: 1, maxSteps: -1, patience: 1, start }),
    /maxSteps/,
  );
  assert.throws(
    () => gradientDescent(sphere, o, { lr: 1, maxSteps: 1, patience: 0.5, start }),
    /patience/,
  );
});

Deno.test("gradientDescent() leaks no tensors", () => {
  const before = tf.memory().numTensors;
  gradientDescent(getFunction("rosenbrock"), bpOracle(getFunction("rosenbrock")), {
    lr: 0.001,
    maxSteps: 30,
    patience: 50,
    start: startPosition("-10", 8),
  });
  assert.equal(tf.memory().numTensors, before);
});
