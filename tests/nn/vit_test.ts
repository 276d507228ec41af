// ViT: parameter counts, block activity sizes, names and init at full size
// (no forward pass at full size); forward shapes and the initial loss ln 10
// at reduced width; wide_m grouping.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { createVit, gelu } from "../../src/nn/vit.ts";
import { activityCount, disposeModel, forward, parameterCount } from "../../src/nn/model.ts";
import { crossEntropy } from "../../src/nn/loss.ts";
import { Rng } from "../../src/core/rng.ts";

await initBackend("cpu");

for (
  const [channels, size, params, n, seq] of [
    [3, 32, 3_195_146, 83_210, 65],
    [1, 28, 3_183_114, 64_010, 50],
  ] as const
) {
  Deno.test(`vit with ${channels} input channels has ${params} parameters and N = ${n}`, () => {
    const m = createVit({ inChannels: channels, imageSize: size, seed: 0 });
    assertEquals(parameterCount(m), params);
    assertEquals(activityCount(m), n);
    assertEquals(m.blocks.map((b) => b.outputSize), [...Array(5).fill(seq * 256), 10]);
    assertEquals(m.blocks[0].outputShape, [seq, 256]);
    assertEquals(m.paramNames.slice(0, 4), [
      "class_token",
      "conv_proj.weight",
      "conv_proj.bias",
      "encoder.pos_embedding",
    ]);
    assertEquals(m.paramNames.slice(-4), [
      "encoder.ln.weight",
      "encoder.ln.bias",
      "heads.head.weight",
      "heads.head.bias",
    ]);
    assertEquals(m.buffers, undefined);
    const byName = (s: string) => m.params[m.paramNames.indexOf(s)].dataSync() as Float32Array;
    const std = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    assert(byName("class_token").every((v) => v === 0), "zero class token");
    assert(byName("heads.head.weight").every((v) => v === 0), "zero head");
    assert(Math.abs(std(byName("encoder.pos_embedding")) / 0.02 - 1) < 0.05, "pos std 0.02");
    const conv = byName("conv_proj.weight");
    assert(Math.abs(std(conv) / Math.sqrt(1 / (channels * 16)) - 1) < 0.05, "patch conv std");
    const inProj = byName("encoder.layers.encoder_layer_0.self_attention.in_proj_weight");
    const xb = Math.sqrt(6 / (4 * 256));
    assert(
      inProj.every((v) => Math.abs(v) <= xb) &&
        inProj.reduce((a, b) => Math.max(a, b), 0) > 0.99 * xb,
      "xavier",
    );
    const mlpB = byName("encoder.layers.encoder_layer_0.mlp.0.bias");
    assert(std(mlpB) > 1e-7 && std(mlpB) < 2e-6, "mlp bias N(0, 1e-6²)");
    disposeModel(m);
  });
}

Deno.test("reduced vit: shapes, initial loss exactly ln 10, wide_2 grouping", () => {
  const m = createVit({
    inChannels: 3,
    imageSize: 8,
    hiddenDim: 8,
    mlpDim: 16,
    numHeads: 2,
    numLayers: 3,
    seed: 2,
  });
  assertEquals(m.blocks.length, 3);
  const rng = new Rng(3, "vit-batch");
  const x = tf.tensor4d(rng.normal(new Float32Array(2 * 8 * 8 * 3)), [2, 8, 8, 3]);
  const before = tf.memory().numTensors;
  const loss = tf.tidy(() => crossEntropy(forward(m, x), tf.tensor1d([3, 7], "int32")));
  assertEquals(loss.dataSync()[0], Math.fround(Math.log(10)));
  loss.dispose();
  // Block outputs are tokens [B, T, D] (T = 2·2 + 1).
  const h = tf.tidy(() =>
    m.blocks[0].apply(x, m.blocks[0].paramIndices.map((i) => m.params[i]), "none")
  );
  assertEquals(h.shape, [2, 5, 8]);
  h.dispose();
  assertEquals(tf.memory().numTensors, before);
  const g2 = createVit({
    inChannels: 3,
    imageSize: 8,
    hiddenDim: 8,
    mlpDim: 16,
    numHeads: 2,
    numLayers: 3,
    layersPerBlock: 2,
    seed: 2,
  });
  assertEquals(g2.blocks.length, 2);
  assertEquals(g2.config.model__grouping_mode, "wide_2");
  tf.dispose(x);
  disposeModel(m);
  disposeModel(g2);
});

Deno.test("gelu is the exact erf GELU", () => {
  const y = gelu(tf.tensor1d([-1, 0, 1.5]));
  const phi = (v: number) => 0.5 * v * (1 + erfRef(v / Math.SQRT2));
  Array.from(y.dataSync()).forEach((v, i) => {
    const x = [-1, 0, 1.5][i];
    assert(Math.abs(v - phi(x)) < 1e-6, `gelu(${x}) = ${v}, expected ${phi(x)}`);
  });
  y.dispose();
});

/** erf by its Maclaurin series (exact enough for |x| ≤ 2). */
function erfRef(x: number): number {
  let sum = 0, term = x;
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1);
    term *= -x * x / (n + 1);
  }
  return 2 / Math.sqrt(Math.PI) * sum;
}
