// Every gradient mode on ResNet18 and the ViT (reduced sizes), and the
// identities that hold for them:
// - ViT (no BatchNorm): simulated ≡ true forward node perturbation, strictly;
// - ResNet18 with eval-mode BN: the same, strictly;
// - ResNet18 with train-mode BN: the samples are coupled through the batch
//   statistics, so only the batch sums of the per-sample JVPs agree;
// - weight perturbation: simulated ≡ true forward for both, in train mode;
// - fwad weight with kChunk gives the same JVPs as one pass;
// - the original's double running-statistic update (flag) vs the single one.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "../_assert.ts";
import { initBackend } from "../../../src/backend.ts";
import { Rng } from "../../../src/core/rng.ts";
import { bpGradients } from "../../../src/nn/gradients/bp.ts";
import { fwadNodeGradients } from "../../../src/nn/gradients/fwad_node.ts";
import {
  fwadWeightGradients,
  tangentChunks,
  weightJvpChunk,
} from "../../../src/nn/gradients/fwad_weight.ts";
import { createGradientMode, sampleNormalTangents } from "../../../src/nn/gradients/mode.ts";
import { simNodeGradients } from "../../../src/nn/gradients/sim_node.ts";
import { simWeightGradients } from "../../../src/nn/gradients/sim_weight.ts";
import { createVit } from "../../../src/nn/vit.ts";
import type { GradientResult, StepOptions } from "../../../src/nn/gradients/types.ts";
import { activityCount, disposeModel, type Model, parameterCount } from "../../../src/nn/model.ts";
import { relErr } from "../_helpers.ts";
import { imageBatch, smallResnet, smallVit } from "./_models.ts";

const backend = (Deno.env.get("FG_TEST_BACKEND") ?? "cpu") as "cpu" | "wasm";
await initBackend(backend);

const resnet = smallResnet;
const vit = smallVit;
const batch = imageBatch;

function free(...rs: GradientResult[]) {
  for (const r of rs) tf.dispose([r.loss, r.d ?? [], ...r.grads]);
}

function assertSameUpdate(a: GradientResult, b: GradientResult, tol: number, what: string) {
  const dErr = relErr(a.d!, b.d!);
  assert(dErr <= tol, `${what}: JVPs differ by ${dErr}`);
  a.grads.forEach((g, i) => {
    const e = relErr(b.grads[i], g);
    assert(e <= tol, `${what}: parameter ${i} differs by ${e}`);
  });
}

const models: [string, () => Model, number, StepOptions][] = [
  ["vit", vit, 8, {}],
  ["resnet18 with eval-mode BN", resnet, 16, { mode: "eval" }],
];
for (const [name, make, size, opts] of models) {
  for (const aggregation of ["mean", "orthogonal_projection"] as const) {
    for (const k of [1, 4]) {
      Deno.test(`${name}: simulated ≡ true forward node perturbation (${aggregation}, k = ${k})`, async () => {
        const before = tf.memory().numTensors;
        const model = make();
        const { x, y } = batch(3, size);
        const v = sampleNormalTangents(new Rng(5, "tangents"), k, activityCount(model));
        const sim = await simNodeGradients(model, x, y, v, aggregation, undefined, opts);
        const fw = await fwadNodeGradients(model, x, y, v, aggregation, undefined, opts);
        assertEquals(fw.d.shape, [k, 3]);
        assertSameUpdate(sim, fw, 1e-4, name);
        free(sim, fw);
        tf.dispose([x, y, v]);
        disposeModel(model);
        assertEquals(tf.memory().numTensors, before, "no tensor leaks");
      });
    }
  }
}

for (
  const [name, make, size] of [["vit", vit, 8], ["resnet18 (train-mode BN)", resnet, 16]] as const
) {
  for (const aggregation of ["mean", "orthogonal_projection"] as const) {
    Deno.test(`${name}: simulated ≡ true forward weight perturbation (${aggregation}, k = 3)`, () => {
      const before = tf.memory().numTensors;
      const model = make();
      const { x, y } = batch(3, size);
      const v = sampleNormalTangents(new Rng(6, "tangents"), 3, parameterCount(model));
      const sim = simWeightGradients(model, x, y, v, aggregation);
      const fw = fwadWeightGradients(model, x, y, v, aggregation);
      assertSameUpdate(sim, fw, 1e-4, name);
      // Chunking over k gives the same JVPs.
      const chunked = fwadWeightGradients(model, x, y, v, aggregation, undefined, undefined, {
        kChunk: 2,
      });
      assert(relErr(chunked.d!, fw.d!) < 1e-6, `kChunk: ${relErr(chunked.d!, fw.d!)}`);
      free(sim, fw, chunked);
      tf.dispose([x, y, v]);
      disposeModel(model);
      assertEquals(tf.memory().numTensors, before, "no tensor leaks");
    });
  }
}

Deno.test("resnet18 with train-mode BN: per-sample node JVPs differ, their batch sums agree", async () => {
  const model = resnet();
  const { x, y } = batch(4, 16);
  const k = 4;
  const v = sampleNormalTangents(new Rng(7, "tangents"), k, activityCount(model));
  const sim = await simNodeGradients(model, x, y, v, "mean");
  const fw = await fwadNodeGradients(model, x, y, v, "mean");
  const perSample = relErr(fw.d, sim.d);
  assert(perSample > 1e-2, `per-sample JVPs should differ under train-mode BN, got ${perSample}`);
  const sSim = tf.sum(sim.d, 1), sFw = tf.sum(fw.d, 1);
  const sums = relErr(sFw, sSim);
  assert(sums < 1e-4, `batch sums differ: ${sums}`);
  console.log(
    `per-sample JVP rel. difference ${perSample.toFixed(3)}, batch sums ${sums.toExponential(1)}`,
  );
  free(sim, fw);
  tf.dispose([x, y, v, sSim, sFw]);
  disposeModel(model);
});

Deno.test("bp on both models: train-mode gradients, running statistics updated once", () => {
  for (const [make, size] of [[vit, 8], [resnet, 16]] as const) {
    const model = make();
    const { x, y } = batch(2, size);
    const r = bpGradients(model, x, y);
    assertEquals(r.grads.map((g) => g.shape), model.params.map((p) => p.shape));
    assert(r.grads.every((g) => Number.isFinite(tf.tidy(() => tf.sum(g).dataSync()[0]))));
    free(r);
    tf.dispose([x, y]);
    disposeModel(model);
  }
});

Deno.test("simulated node mode: doubleBufferUpdate updates BN running statistics twice (momentum 0.19)", async () => {
  const means: Float32Array[] = [];
  for (const double of [false, true]) {
    const model = resnet();
    const { x, y } = batch(4, 16);
    const v = sampleNormalTangents(new Rng(8, "tangents"), 2, activityCount(model));
    const r = await simNodeGradients(model, x, y, v, "mean", undefined, {
      doubleBufferUpdate: double,
    });
    means.push(model.buffers![0].dataSync().slice() as Float32Array);
    free(r);
    tf.dispose([x, y, v]);
    disposeModel(model);
  }
  // From running mean 0: once 0.1·μ, twice 0.9·0.1·μ + 0.1·μ = 0.19·μ.
  means[0].forEach((m1, c) => {
    assert(Math.abs(means[1][c] - 1.9 * m1) <= 1e-5 + 1e-4 * Math.abs(m1), `channel ${c}`);
  });
  assert(means[0].some((m) => Math.abs(m) > 1e-3), "the running mean moved");
});

Deno.test("createGradientMode runs every mode on both models", async () => {
  for (const [make, size] of [[vit, 8], [resnet, 16]] as const) {
    for (const approach of ["bp", "fg", "frog"] as const) {
      for (const mode of ["sim", "fwad"] as const) {
        for (const perturbation of ["node", "weight"] as const) {
          if (approach === "bp" && (mode === "fwad" || perturbation === "weight")) continue;
          const model = make();
          const { x, y } = batch(2, size);
          const gm = createGradientMode({ approach, k: 2, mode, perturbation }, 0, {
            prefetch: false,
            kChunk: 1,
          });
          const r = await gm.compute(model, x, y);
          assertEquals(r.grads.length, model.params.length);
          assert(Number.isFinite(r.loss.dataSync()[0]));
          free(r);
          gm.close?.();
          tf.dispose([x, y]);
          disposeModel(model);
        }
      }
    }
  }
});

Deno.test("weightJvpChunk: the paper's models and batch sizes within the 2 GiB budget", () => {
  const sizes = (activity: number, params: number) => ({ activity, params });
  // ViT CIFAR-10, B = 128, k = 16: one pass would need ≈ 6.3 GB; 4 passes of 4.
  assertEquals(weightJvpChunk(sizes(83_210, 3_195_146), 128, 16), 4);
  // ViT MNIST, B = 64: 2 passes of 8.
  assertEquals(weightJvpChunk(sizes(64_010, 3_183_114), 64, 16), 8);
  // ResNet18 and FC: one pass.
  assertEquals(weightJvpChunk(sizes(11_786, 11_181_642), 128, 16), 16);
  assertEquals(weightJvpChunk(sizes(2_058, 1_863_690), 64, 16), 16);
  // Every chunk respects the budget.
  for (const k of [1, 2, 4, 16, 64]) {
    const c = weightJvpChunk(sizes(83_210, 3_195_146), 128, k);
    assert(c * (9 * 128 * 83_210 + 3_195_146) * 4 <= 2 ** 31 || c === 1, `k = ${k}`);
    assertEquals(tangentChunks(k, c).reduce((s, [a, b]) => s + b - a, 0), k);
  }
});

Deno.test("fwad node perturbation with kChunk gives the same JVPs, update and running statistics", async () => {
  for (const [make, size] of [[vit, 8], [resnet, 16]] as const) {
    const before = tf.memory().numTensors;
    const results: GradientResult[] = [];
    const stats: Float32Array[] = [];
    for (const kChunk of [undefined, 2]) {
      const model = make();
      const { x, y } = batch(3, size);
      const v = sampleNormalTangents(new Rng(11, "tangents"), 5, activityCount(model));
      results.push(
        await fwadNodeGradients(model, x, y, v, "orthogonal_projection", undefined, { kChunk }),
      );
      if (model.buffers) stats.push(model.buffers[0].dataSync().slice() as Float32Array);
      tf.dispose([x, y, v]);
      disposeModel(model);
    }
    assertEquals(results[1].d!.shape, [5, 3]);
    assertSameUpdate(results[0], results[1], 1e-6, "kChunk 2 vs one pass");
    if (stats.length) assertEquals(Array.from(stats[1]), Array.from(stats[0]));
    free(...results);
    assertEquals(tf.memory().numTensors, before, "no tensor leaks");
  }
});

Deno.test("measureIdentity: strict where it holds, batch sums for train-mode BN; buffers untouched", async () => {
  const { measureIdentity } = await import("../../../src/nn/gradients/identity.ts");
  const model = resnet();
  const { x, y } = batch(4, 16);
  const v = sampleNormalTangents(new Rng(12, "tangents"), 4, activityCount(model));
  const stats = model.buffers!.map((b) => b);
  const train = await measureIdentity(model, x, y, v, "node", "orthogonal_projection");
  assert(train.jvp > 1e-2 && train.batchSumJvp < 1e-4, JSON.stringify(train));
  const evalMode = await measureIdentity(model, x, y, v, "node", "orthogonal_projection", {
    mode: "eval",
  });
  assert(evalMode.jvp < 1e-4 && evalMode.update < 1e-4, JSON.stringify(evalMode));
  assert(model.buffers!.every((b, i) => b === stats[i]), "buffers not replaced");
  const w = sampleNormalTangents(new Rng(13, "tangents"), 3, parameterCount(model));
  const weight = await measureIdentity(model, x, y, w, "weight", "mean");
  assert(weight.jvp < 1e-4 && weight.update < 1e-4, JSON.stringify(weight));
  tf.dispose([x, y, v, w]);
  disposeModel(model);
});

Deno.test("micro-batches: bp and simulated node on the ViT give the same result; BN models are not split", async () => {
  const { backpropBatchChunk } = await import("../../../src/nn/gradients/batch_chunks.ts");
  const before = tf.memory().numTensors;
  const model = vit();
  const { x, y } = batch(5, 8);
  const whole = bpGradients(model, x, y);
  const split = bpGradients(model, x, y, undefined, { batchChunk: 2 });
  assert(Math.abs(whole.loss.dataSync()[0] - split.loss.dataSync()[0]) < 1e-6, "bp loss");
  whole.grads.forEach((g, i) => assert(relErr(split.grads[i], g) < 1e-5, `bp grad ${i}`));
  const v = sampleNormalTangents(new Rng(14, "tangents"), 4, activityCount(model));
  const a = await simNodeGradients(model, x, y, v, "orthogonal_projection");
  const b = await simNodeGradients(model, x, y, v, "orthogonal_projection", undefined, {
    batchChunk: 2,
  });
  assertSameUpdate(a, b, 1e-5, "sim node micro-batches");
  assert(Math.abs(a.loss.dataSync()[0] - b.loss.dataSync()[0]) < 1e-6, "sim node loss");
  free(whole, split, a, b);
  tf.dispose([x, y, v]);
  disposeModel(model);
  assertEquals(tf.memory().numTensors, before, "no tensor leaks");
  // Defaults: the paper's ViT at B = 128 in 4 micro-batches of 32; ResNet18 never split in train mode.
  const full = createVit({ inChannels: 3, imageSize: 32, seed: 0 });
  assertEquals(backpropBatchChunk(full, 128), 32);
  assertEquals(backpropBatchChunk(full, 16), 16);
  disposeModel(full);
  const r = resnet();
  assertEquals(backpropBatchChunk(r, 128, 1), 128);
  const { x: rx, y: ry } = batch(4, 16);
  let msg = "";
  try {
    bpGradients(r, rx, ry, undefined, { batchChunk: 2 });
  } catch (e) {
    msg = (e as Error).message;
  }
  assert(msg.includes("BatchNorm couples the samples"), msg);
  const evalSplit = bpGradients(r, rx, ry, undefined, { mode: "eval", batchChunk: 2 });
  const evalWhole = bpGradients(r, rx, ry, undefined, { mode: "eval" });
  evalWhole.grads.forEach((g, i) => assert(relErr(evalSplit.grads[i], g) < 1e-5, `eval grad ${i}`));
  free(evalSplit, evalWhole);
  tf.dispose([rx, ry]);
  disposeModel(r);
});
