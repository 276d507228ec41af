// Reduced ResNet18 and ViT shared by the gradient-mode tests: the real
// architectures at small width and image size, seeded, so that every backend
// builds the same weights.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "../_assert.ts";
import { type BackendChoice, initBackend } from "../../../src/backend.ts";
import { Rng } from "../../../src/core/rng.ts";
import { createGradientMode, type GradientSpec } from "../../../src/nn/gradients/mode.ts";
import { disposeModel } from "../../../src/nn/model.ts";
import { createResNet18 } from "../../../src/nn/resnet18.ts";
import { createVit } from "../../../src/nn/vit.ts";
import type { Model } from "../../../src/nn/model.ts";

/** ResNet18 (one BasicBlock a stage, widths 4–8) on 16×16 RGB images. */
export const smallResnet = (): Model =>
  createResNet18({
    inChannels: 3,
    imageSize: 16,
    widths: [4, 4, 6, 8, 8],
    blocksPerStage: [1, 1, 1, 1],
    seed: 3,
  });

/** ViT (3 layers, width 8) on 8×8 RGB images; the head is zero at init, so it gets values. */
export const smallVit = (): Model => {
  const m = createVit({
    inChannels: 3,
    imageSize: 8,
    hiddenDim: 8,
    mlpDim: 16,
    numHeads: 2,
    numLayers: 3,
    seed: 4,
  });
  const i = m.paramNames.indexOf("heads.head.weight");
  const rng = new Rng(9, "head");
  m.params[i].dispose();
  m.params[i] = tf.tensor2d(rng.normal(new Float32Array(8 * 10)), [8, 10]);
  return m;
};

/** A seeded NHWC batch of `B` images `size`×`size`×3 with labels in 0..9. */
export function imageBatch(B: number, size: number, seed = 1) {
  const rng = new Rng(seed, "models-batch");
  const x = tf.tensor4d(rng.normal(new Float32Array(B * size * size * 3)), [B, size, size, 3]);
  const y = tf.tensor1d(Array.from({ length: B }, () => rng.nextInt(10)), "int32");
  return { x, y };
}

/**
 * Loss and parameter updates of one step of `spec` on a fresh `make()` model
 * and a seeded batch of 4 images, computed on `backend` and read back.
 */
export async function modelStep(
  backend: BackendChoice,
  make: () => Model,
  size: number,
  spec: GradientSpec,
): Promise<{ loss: number; grads: Float32Array[] }> {
  await initBackend(backend);
  assertEquals(tf.getBackend(), backend);
  const model = make();
  const { x, y } = imageBatch(4, size);
  const mode = createGradientMode(spec, 7, { prefetch: false });
  const r = await mode.compute(model, x, y);
  const out = {
    loss: (await r.loss.data())[0],
    grads: await Promise.all(r.grads.map(async (g) => (await g.data()) as Float32Array)),
  };
  tf.dispose([r.loss, r.d ?? [], ...r.grads, x, y]);
  mode.close?.();
  disposeModel(model);
  return out;
}

/** ‖a − b‖ / ‖b‖. */
export function relDiff(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
}

/**
 * Asserts that a step on backend `name` (`got`) matches the cpu reference
 * (`want`): loss within `lossTol` relative, every parameter update within
 * `tol` relative, and the update not all zero. Logs the worst difference.
 */
export function assertStepsAgree(
  name: string,
  got: { loss: number; grads: Float32Array[] },
  want: { loss: number; grads: Float32Array[] },
  tol: number,
  lossTol = tol,
): void {
  assert(
    Math.abs(got.loss - want.loss) <= lossTol * Math.abs(want.loss),
    `loss ${got.loss} vs ${want.loss}`,
  );
  assertEquals(got.grads.length, want.grads.length);
  let worst = 0;
  got.grads.forEach((g, i) => {
    const e = relDiff(g, want.grads[i]);
    worst = Math.max(worst, e);
    assert(e <= tol, `parameter ${i}: ${name} differs from cpu by ${e}`);
  });
  assert(want.grads.some((g) => g.some((v) => v !== 0)), "the update is not all zero");
  console.log(`worst parameter rel. difference ${worst.toExponential(1)}`);
}
