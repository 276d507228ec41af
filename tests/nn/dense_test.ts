import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertThrows } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { dense } from "../../src/nn/dense.ts";
import { randomBatch, relErr } from "./_helpers.ts";

await initBackend("cpu");

const setup = () => {
  const { x } = randomBatch(0, 5, 4, 2);
  const w = tf.randomNormal([4, 3], 0, 1, "float32", 7) as tf.Tensor2D;
  const b = tf.randomNormal([3], 0, 1, "float32", 8) as tf.Tensor1D;
  const dy = tf.randomNormal([5, 3], 0, 1, "float32", 9) as tf.Tensor2D;
  return { x, w, b, dy };
};

Deno.test("dense() computes x W + b for every gradient choice", () => {
  const { x, w, b } = setup();
  const ref = tf.add(tf.matMul(x, w), b);
  for (const wrt of ["all", "input", "params", "none"] as const) {
    assert(relErr(dense(x, w, b, wrt), ref) < 1e-7, wrt);
  }
});

Deno.test("dense() gradients match tfjs's built-in matMul gradients", () => {
  const { x, w, b, dy } = setup();
  const plain = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.add(tf.matMul(a, c), d);
  const ref = tf.grads(plain)([x, w, b], dy);
  const all = tf.grads((a, c, d) =>
    dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, "all")
  )([x, w, b], dy);
  all.forEach((g, i) => assert(relErr(g, ref[i]) < 1e-6, `all ${i}`));
  const [gx] = tf.grads((a) => dense(a as tf.Tensor2D, w, b, "input"))([x], dy);
  assert(relErr(gx, ref[0]) < 1e-6, "input");
  const [gw, gb] = tf.grads((c, d) => dense(x, c as tf.Tensor2D, d as tf.Tensor1D, "params"))(
    [w, b],
    dy,
  );
  assert(relErr(gw, ref[1]) < 1e-6 && relErr(gb, ref[2]) < 1e-6, "params");
});

Deno.test("dense() rejects mismatched shapes with a TypeError", () => {
  const { x, b } = setup();
  assertThrows(
    () => dense(x, tf.zeros([5, 3]) as tf.Tensor2D, b),
    TypeError,
    "shapes do not match",
  );
});
