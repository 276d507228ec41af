import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertClose, assertThrows } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { dense, denseParamGradients } from "../../src/nn/dense.ts";
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

// The fused ReLU layer: values, its custom gradients against tfjs's reverse mode
// of the unfused ops relu(x W + b) and against central differences in float64
// arithmetic on the same data (an oracle independent of tfjs).
const reluRef = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.relu(tf.add(tf.matMul(a, c), d));

Deno.test("dense(…, relu) equals relu(x W + b) for every gradient choice", () => {
  const { x, w, b } = setup();
  const ref = reluRef(x, w, b);
  assert(tf.min(ref).dataSync()[0] === 0 && tf.max(ref).dataSync()[0] > 0, "both ReLU regions");
  for (const wrt of ["all", "input", "params", "none"] as const) {
    assert(relErr(dense(x, w, b, wrt, "relu"), ref) < 1e-7, wrt);
  }
});

Deno.test("dense(…, relu) gradients match reverse mode of relu(x W + b), every choice", () => {
  const { x, w, b, dy } = setup();
  const ref = tf.grads(reluRef)([x, w, b], dy);
  const all = tf.grads((a, c, d) =>
    dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, "all", "relu")
  )([x, w, b], dy);
  all.forEach((g, i) => assert(relErr(g, ref[i]) < 1e-6, `all ${i}`));
  const [gx] = tf.grads((a) => dense(a as tf.Tensor2D, w, b, "input", "relu"))([x], dy);
  assert(relErr(gx, ref[0]) < 1e-6, "input");
  const [gw, gb] = tf.grads((c, d) =>
    dense(x, c as tf.Tensor2D, d as tf.Tensor1D, "params", "relu")
  )([w, b], dy);
  assert(relErr(gw, ref[1]) < 1e-6 && relErr(gb, ref[2]) < 1e-6, "params");
  // "none" under a recording tape: plain differentiable ops.
  const none = tf.grads((a, c, d) =>
    dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, "none", "relu")
  )([x, w, b], dy);
  none.forEach((g, i) => assert(relErr(g, ref[i]) < 1e-6, `none ${i}`));
  // The block-local backward from the stored output.
  const y = dense(x, w, b, "none", "relu");
  const [pw, pb] = denseParamGradients(x, y, dy, "relu");
  assert(relErr(pw, ref[1]) < 1e-6 && relErr(pb, ref[2]) < 1e-6, "denseParamGradients");
  const [lw, lb] = denseParamGradients(x, tf.add(tf.matMul(x, w), b) as tf.Tensor2D, dy);
  const lin = tf.grads((c, d) => tf.add(tf.matMul(x, c), d))([w, b], dy);
  assert(relErr(lw, lin[0]) < 1e-6 && relErr(lb, lin[1]) < 1e-6, "denseParamGradients linear");
});

Deno.test("dense(…, relu) gradient of ⟨dy, y⟩ matches float64 central differences", () => {
  const { x, w, b, dy } = setup();
  const [X, W, Bv, DY] = [x, w, b, dy].map((t) => Array.from(t.dataSync()));
  const [n, m] = x.shape, p = w.shape[1];
  // ⟨dy, relu(x W + b)⟩ in float64.
  const loss = (Xa: number[], Wa: number[], Ba: number[]) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) {
        let z = Ba[j];
        for (let l = 0; l < m; l++) z += Xa[i * m + l] * Wa[l * p + j];
        s += DY[i * p + j] * Math.max(z, 0);
      }
    }
    return s;
  };
  const grads = tf.grads((a, c, d) =>
    dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, "all", "relu")
  )([x, w, b], dy).map((g) => Array.from(g.dataSync()));
  const h = 1e-5;
  const inputs = [X, W, Bv];
  inputs.forEach((arr, which) => {
    arr.forEach((_, e) => {
      const shifted = (sign: number) =>
        inputs.map((a, i) => (i === which ? a.map((v, j) => (j === e ? v + sign * h : v)) : a));
      const fd = (loss(...(shifted(1) as [number[], number[], number[]])) -
        loss(...(shifted(-1) as [number[], number[], number[]]))) / (2 * h);
      assertClose(grads[which][e], fd, 1e-4, `input ${which} element ${e}`);
    });
  });
});

Deno.test("dense() rejects an unknown activation with a RangeError", () => {
  const { x, w, b } = setup();
  assertThrows(
    () => dense(x, w, b, "all", "tanh" as "relu"),
    RangeError,
    "activation must be linear or relu",
  );
});
