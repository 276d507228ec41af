/**
 * Neural-network training with backpropagation and multi-tangent forward
 * gradients (paper §4.4, §4.5; spec §4): the FC, ResNet18 and ViT models in
 * blocks, dense and conv layers with fast custom gradients (the conv filter
 * gradient runs on wasm too), BatchNorm with running statistics as model
 * buffers and explicit train/eval mode, LayerNorm, the gradient modes (bp; simulated and true
 * forward-mode node and weight perturbation, with mean or orthogonal-projection
 * aggregation and any k), SGD with the original's per-batch schedules, the
 * stop rules, the trainer and the per-epoch progress CSV.
 *
 * @example One frog step with 16 tangents (simulated node perturbation)
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { createFc, createGradientMode, Sgd } from "./mod.ts";
 * const model = createFc({ width: 32, seed: 0 });
 * const mode = createGradientMode({ approach: "frog", k: 16, mode: "sim", perturbation: "node" }, 0);
 * const opt = new Sgd({ lr: 0.04 });
 * const x = tf.randomNormal([8, 784]);
 * const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32");
 * const r = await mode.compute(model, x, y);
 * model.params = opt.step(model.params, r.grads);
 * console.log((await r.loss.data())[0]);
 * ```
 *
 * @module
 */
export * from "./dense.ts";
export * from "./model.ts";
export * from "./fc.ts";
export * from "./conv.ts";
export * from "./batchnorm.ts";
export * from "./layernorm.ts";
export * from "./resnet18.ts";
export * from "./vit.ts";
export * from "./models.ts";
export * from "./loss.ts";
export * from "./optimizer.ts";
export * from "./stopping.ts";
export * from "./timers.ts";
export * from "./data_source.ts";
export * from "./progress_csv.ts";
export * from "./trainer.ts";
export * from "./gradients/types.ts";
export * from "./gradients/mode.ts";
export * from "./gradients/bp.ts";
export * from "./gradients/sim_node.ts";
export * from "./gradients/sim_weight.ts";
export * from "./gradients/fwad_node.ts";
export * from "./gradients/fwad_weight.ts";
export * from "./gradients/normal.ts";
export * from "./gradients/identity.ts";
export * from "./gradients/batch_chunks.ts";
