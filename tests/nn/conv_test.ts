// conv2d's custom gradient (im2col and conv filter gradients, transposed-conv
// input gradient) against tfjs's own conv2d gradient on the cpu backend, for
// every ResNet18 conv shape; max pooling with −∞ padding against PyTorch's
// semantics.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { conv2d, filterGradient, inputGradient, maxPool2d, usedTaps } from "../../src/nn/conv.ts";
import { convTensors, referenceConv, RESNET_CONV_CASES } from "./_conv_cases.ts";
import { relErr } from "./_helpers.ts";

await initBackend("cpu");

for (const c of RESNET_CONV_CASES) {
  Deno.test(`conv2d forward and custom gradients match tf.grad on cpu: ${c.name}`, () => {
    const before = tf.memory().numTensors;
    const { x, w, r } = convTensors(c);
    const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, r));
    const [gxRef, gwRef] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      loss(referenceConv(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad))
    )([x, w]);
    const yRef = referenceConv(x, w, c.stride, c.pad);
    const y = conv2d(x, w, c.stride, c.pad, "none");
    assertEquals(y.shape, yRef.shape);
    assert(relErr(y, yRef) < 1e-6, `forward ${relErr(y, yRef)}`);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      loss(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad, "all"))
    )([x, w]);
    assert(relErr(gx, gxRef) < 1e-5, `input gradient ${relErr(gx, gxRef)}`);
    assert(relErr(gw, gwRef) < 1e-5, `filter gradient ${relErr(gw, gwRef)}`);
    const [gxOnly] = tf.grads((a: tf.Tensor) =>
      loss(conv2d(a as tf.Tensor4D, w, c.stride, c.pad, "input"))
    )([x]);
    const [gwOnly] = tf.grads((b: tf.Tensor) =>
      loss(conv2d(x, b as tf.Tensor4D, c.stride, c.pad, "params"))
    )([w]);
    assert(relErr(gxOnly, gxRef) < 1e-5, "input-only gradient");
    assert(relErr(gwOnly, gwRef) < 1e-5, "params-only gradient");
    // Both filter-gradient algorithms agree (auto picks one of them above).
    const xp = tf.pad(x, [[0, 0], [c.pad, c.pad], [c.pad, c.pad], [0, 0]]) as tf.Tensor4D;
    const dy = r as tf.Tensor4D;
    const byConv = filterGradient(xp, dy, c.f, c.f, c.stride, "conv");
    const byIm2col = filterGradient(xp, dy, c.f, c.f, c.stride, "im2col");
    const byKernel = filterGradient(xp, dy, c.f, c.f, c.stride, "kernel");
    assert(relErr(byKernel, gwRef) < 1e-5, `filter gradient by kernel ${relErr(byKernel, gwRef)}`);
    assert(relErr(byConv, gwRef) < 1e-5, `filter gradient by conv ${relErr(byConv, gwRef)}`);
    assert(relErr(byIm2col, gwRef) < 1e-5, `filter gradient by im2col ${relErr(byIm2col, gwRef)}`);
    // Both input-gradient algorithms give the reference inside the padding's frame, and the same
    // padded gradient (auto picks the kernel on cpu, the convolution on wasm).
    const inByConv = inputGradient(dy, w, xp.shape, c.stride, "conv");
    const inByKernel = inputGradient(dy, w, xp.shape, c.stride, "kernel");
    assertEquals(inByConv.shape, xp.shape);
    const inner = tf.slice(inByConv, [0, c.pad, c.pad, 0], x.shape);
    assert(relErr(inner, gxRef) < 1e-5, `input gradient by conv ${relErr(inner, gxRef)}`);
    assert(
      relErr(inByConv, inByKernel) < 1e-5,
      `by conv vs kernel ${relErr(inByConv, inByKernel)}`,
    );
    tf.dispose([inByConv, inByKernel, inner]);
    tf.dispose([
      x,
      w,
      r,
      gxRef,
      gwRef,
      yRef,
      y,
      gx,
      gw,
      gxOnly,
      gwOnly,
      xp,
      byConv,
      byIm2col,
      byKernel,
    ]);
    assertEquals(tf.memory().numTensors, before, "no tensor leaks");
  });
}

Deno.test("usedTaps keeps exactly the taps that read the input, with the same output length", () => {
  for (let n = 1; n <= 9; n++) {
    for (let f = 1; f <= 7; f++) {
      for (let s = 1; s <= 3; s++) {
        for (let pad = 0; pad <= 3; pad++) {
          const out = Math.floor((n + 2 * pad - f) / s) + 1;
          if (out < 1) continue;
          const reads = (i: number) =>
            Array.from({ length: out }, (_, p) => s * p + i - pad).some((q) => q >= 0 && q < n);
          const used = Array.from({ length: f }, (_, i) => i).filter(reads);
          const t = usedTaps(n, f, s, pad);
          const label = `n=${n} f=${f} s=${s} pad=${pad}`;
          if (used.length === 0) { // every output reads padding only
            assert(t.first > t.last, label);
            continue;
          }
          assertEquals([t.first, t.last], [used[0], used[used.length - 1]], label);
          const f2 = t.last - t.first + 1;
          assertEquals(Math.floor((t.before + n + t.after - f2) / s) + 1, out, label);
          // output 0 reads the same input row through the first kept tap as before
          assertEquals(t.first - pad, 0 - t.before, label);
        }
      }
    }
  }
});

Deno.test("conv2d rejects bad shapes and arguments", () => {
  const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
  const w = tf.zeros([3, 3, 3, 1]) as tf.Tensor4D;
  let msg = "";
  try {
    conv2d(x, w, 1, 1);
  } catch (e) {
    msg = (e as Error).message;
    assert(e instanceof TypeError);
  }
  assert(msg.includes("channels"), msg);
  try {
    conv2d(x, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D, 0, 1);
    throw new Error("no error");
  } catch (e) {
    assert(e instanceof RangeError, String(e));
  }
});

Deno.test("maxPool2d pads with −∞: an all-negative input is never beaten by the padding", () => {
  // 3×3 stride-2 padding-1 (ResNet18's max-pool) on a 4×4 map of negatives.
  const vals = Array.from({ length: 16 }, (_, i) => -1 - i);
  const x = tf.tensor4d(vals, [1, 4, 4, 1]);
  const y = maxPool2d(x, 3, 2, 1);
  assertEquals(y.shape, [1, 2, 2, 1]);
  // PyTorch: windows over rows/cols {−1, 0, 1} and {1, 2, 3} → the top-left element of each.
  assertEquals(Array.from(y.dataSync()), [-1, -2, -5, -6]);
  const [g] = tf.grads((a: tf.Tensor) => tf.sum(maxPool2d(a as tf.Tensor4D, 3, 2, 1)))([x]);
  const gv = Array.from(g.dataSync());
  assertEquals(gv.reduce((a, b) => a + b, 0), 4);
  assertEquals([gv[0], gv[1], gv[4], gv[5]], [1, 1, 1, 1]);
  tf.dispose([x, y, g]);
});

Deno.test("the input gradient by conv is zero where no window reads the unpadded input", () => {
  // 1×1 filter, stride 4 over a 5×5 padded input: windows read rows and columns 0 and 4 only,
  // which are padding; the unpadded 3×3 interior gets no gradient.
  const dy = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]);
  const w = tf.tensor4d([1.5, -2], [1, 1, 1, 2]);
  const dy2 = tf.concat([dy, tf.mul(dy, -1)], 3) as tf.Tensor4D;
  const pads = [1, 1, 1, 1] as const;
  const byConv = inputGradient(dy2, w, [2, 5, 5, 1], 4, "conv", pads);
  const byKernel = inputGradient(dy2, w, [2, 5, 5, 1], 4, "kernel", pads);
  assertEquals(byConv.shape, [2, 3, 3, 1]);
  assertEquals([...byConv.dataSync()], new Array(18).fill(0));
  assertEquals([...byKernel.dataSync()], new Array(18).fill(0));
  // Without the padding cut, the corners carry the gradient: the two algorithms agree.
  const full = inputGradient(dy2, w, [2, 5, 5, 1], 4, "conv");
  const fullKernel = inputGradient(dy2, w, [2, 5, 5, 1], 4, "kernel");
  assertEquals([...full.dataSync()], [...fullKernel.dataSync()]);
  assert(full.dataSync().some((v) => v !== 0), "corners carry the gradient");
  tf.dispose([dy, w, dy2, byConv, byKernel, full, fullKernel]);
});
