// conv2d and maxPool2d gradients on wasm (which has no Conv2DBackpropFilter
// kernel) against tfjs's own gradients computed on the cpu backend.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { conv2d, maxPool2d } from "../../src/nn/conv.ts";
import { convTensors, referenceConv, RESNET_CONV_CASES } from "./_conv_cases.ts";

await initBackend("cpu");
await initBackend("wasm");

function relErrArrays(a: Float32Array, b: Float32Array): number {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d / n);
}

async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend("cpu");
  try {
    return f();
  } finally {
    await tf.setBackend("wasm");
  }
}

for (const c of RESNET_CONV_CASES) {
  Deno.test(`conv2d gradients on wasm match tf.grad on cpu: ${c.name}`, async () => {
    const ref = await onCpu(() => {
      const { x, w, r } = convTensors(c);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(referenceConv(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r))
      )([x, w]);
      const out = [gx.dataSync().slice(), gw.dataSync().slice()] as Float32Array[];
      tf.dispose([x, w, r, gx, gw]);
      return out;
    });
    const { x, w, r } = convTensors(c);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r))
    )([x, w]);
    const ex = relErrArrays(gx.dataSync() as Float32Array, ref[0]);
    const ew = relErrArrays(gw.dataSync() as Float32Array, ref[1]);
    assert(ex < 1e-5, `input gradient ${ex}`);
    assert(ew < 1e-5, `filter gradient ${ew}`);
    tf.dispose([x, w, r, gx, gw]);
  });
}

Deno.test("maxPool2d gradient on wasm matches the cpu backend (3×3, stride 2, padding 1)", async () => {
  const make = () =>
    tf.tensor4d(Array.from({ length: 2 * 7 * 7 * 3 }, (_, i) => Math.sin(i * 1.7)), [2, 7, 7, 3]);
  const grad = () => {
    const x = make();
    const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.square(maxPool2d(a as tf.Tensor4D, 3, 2, 1))))(
      [x],
    );
    const v = g.dataSync().slice() as Float32Array;
    tf.dispose([x, g]);
    return v;
  };
  const ref = await onCpu(grad);
  const e = relErrArrays(grad(), ref);
  assert(e < 1e-6, `max-pool gradient ${e}`);
});

Deno.test("wasm has no Conv2DBackpropFilter kernel: the kernel algorithm says so", async () => {
  const { filterGradient, hasFilterGradientKernel } = await import("../../src/nn/conv.ts");
  assert(!hasFilterGradientKernel(), "wasm unexpectedly has the kernel");
  const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  const dy = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
  let msg = "";
  try {
    filterGradient(x, dy, 3, 3, 1, "kernel");
  } catch (e) {
    msg = (e as Error).message;
  }
  assert(msg.includes("no Conv2DBackpropFilter"), msg);
  tf.dispose([x, dy]);
});
