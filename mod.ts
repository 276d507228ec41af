/**
 * Multi-tangent forward gradients on TensorFlow.js: a reproduction library for
 * Flügel et al., "Beyond Backpropagation: Optimization with Multi-Tangent
 * Forward Gradients" (arXiv 2410.17764).
 *
 * - **Core**: seeded `Rng`, tangent samplers (`sampleTangents`), every
 *   aggregation of the paper (`forwardGradient` with `mean`, `sum`, …,
 *   `orthogonal_projection` = frog) and the scaling corrections.
 * - **Forward-mode AD**: `jvp` / `directionalDerivatives` carry k tangents
 *   through ordinary tfjs code in one batched pass.
 * - **Functions and networks**: the closed-form test functions, the FC model
 *   and every gradient mode (bp, simulated and true forward gradients).
 * - **Backend**: `initBackend("auto")` starts the fastest installed backend.
 *
 * @example Frog from true forward-mode directional derivatives
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { directionalDerivatives, forwardGradient, initBackend, Rng, sampleTangents } from "./mod.ts";
 *
 * await initBackend("cpu");
 * const n = 16, k = 4;
 * const x = tf.randomNormal([n], 0, 1, "float32", 1);
 * const f = (x: tf.Tensor) => tf.sum(tf.square(x)); // ∇f = 2x
 * const v = tf.tensor2d(sampleTangents(new Rng(0, "example"), "normal", k, n), [k, n]);
 * const d = directionalDerivatives(f, [x], [v]); // [k]: ⟨∇f(x), v_j⟩, no backprop
 * const frog = forwardGradient(v, d, "orthogonal_projection"); // projection of ∇f onto span(V)
 * console.log(frog.shape); // [16]
 * ```
 *
 * @module
 */
export { UsageError } from "./src/cli/usage_error.ts";
export * from "./src/backend.ts";
export * from "./src/core/mod.ts";
export * from "./src/jvp/mod.ts";
export * from "./src/functions/mod.ts";
export * from "./src/nn/mod.ts";
export * from "./src/data/mod.ts";
export * from "./src/lr_search/mod.ts";
