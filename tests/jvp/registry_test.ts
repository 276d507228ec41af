import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import { jvp, jvpRuleFor, registerJvp } from "../../src/jvp/mod.ts";

await initBackend("cpu");

Deno.test("jvpRuleFor() names the kernel when no rule is registered", () => {
  assert.throws(() => jvpRuleFor("Conv3D"), {
    message: 'Cannot compute JVP of "Conv3D": no rule is registered',
  });
});

// These tests register rules only for kernels that have none (Atanh, Asinh), so that
// they cannot disturb other tests even when test files share one isolate.
Deno.test("registerJvp() adds a rule that jvp() then uses", () => {
  registerJvp("Atanh", ({ inputs, tangents }) => [
    tf.div(tangents.x as tf.Tensor, tf.sub(1, tf.square(inputs.x as tf.Tensor))),
  ]);
  const x = tf.tensor1d([0, 0.5]);
  const v = tf.tensor2d([[1, 0], [0, 3]]);
  const { tangent } = jvp((x) => tf.atanh(x), [x], [v]);
  assert.deepEqual(Array.from((tangent as tf.Tensor).dataSync()), [1, 0, 0, 4]);
  tf.dispose([x, v, tangent as tf.Tensor]);
});

Deno.test("jvp() reports a rule that returns a tangent of the wrong shape", () => {
  registerJvp("Asinh", () => [tf.zeros([1, 1])]);
  const x = tf.ones([3]);
  const v = tf.ones([2, 3]);
  assert.throws(
    () => jvp((x) => tf.asinh(x), [x], [v]),
    /"Asinh": its rule returned a tangent of shape \[1,1\]/,
  );
  tf.dispose([x, v]);
});
