/**
 * Multi-tangent forward-mode automatic differentiation for TensorFlow.js.
 *
 * `jvp(f, primals, tangents)` runs ordinary tfjs code `f` once and returns its
 * output together with k Jacobian-vector products, computed for all k tangent
 * directions at once: one batched tfjs call per kernel, never a loop over k.
 * `directionalDerivatives` is the scalar-output shorthand, `[k]`.
 *
 * Design (details in `jvp.ts`):
 * - Kernel interception, not the gradient tape: while `f` runs, each top-level
 *   kernel invocation reaching the tfjs engine is followed immediately by its
 *   JVP rule when an input carries a tangent. Kernels inside `tf.customGrad`
 *   bodies are seen individually, so custom-gradient layers need no rules.
 * - Rules are keyed by tfjs kernel names (`registry.ts`), one op family per
 *   file under `rules/`, most of them one line thanks to the JAX-style helpers
 *   of `define.ts` (`defUnary`, `defLinear`, `defBinary`, `defZero`). A missing
 *   rule throws `Cannot compute JVP of "<kernel>": no rule is registered`;
 *   `registerJvp` adds one.
 * - Tangents are `[k, ...S']` with each `S'[j]` equal to the primal's size or 1
 *   (compact, see `value.ts`); `null` is a symbolic zero. Elementwise ops,
 *   matMul, conv and pooling keep a batch-invariant `[k, 1, n]` tangent
 *   compact, which makes node perturbation cost about one forward pass.
 * - wasm-friendly products: matMul against a weight matrix is one 2-D
 *   untransposed matMul per term (`[k·B, n]·W`, and `x·[in, k·out]` for weight
 *   tangents); conv folds the k input tangents into the batch and stacks the k
 *   kernel tangents on the output channels.
 * - Memory: intermediates are disposed; a tangent is freed as soon as its
 *   primal is disposed (use `tf.tidy` inside deep `f`s).
 *
 * Known gaps: no nested `jvp` (higher order), `f` must be synchronous,
 * `GatherV2` only with `batchDims = 0`, NHWC convolutions only, no rules for
 * prelu weights inside fused ops, and kernels outside the registered list
 * (`registeredJvpKernels()`) throw the error above.
 *
 * @example Three directional derivatives of Rosenbrock's function
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { directionalDerivatives } from "./mod.ts";
 * const rosenbrock = (x: tf.Tensor) => {
 *   const a = tf.slice(x, [0], [x.size - 1]);
 *   const b = tf.slice(x, [1], [x.size - 1]);
 *   return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(b, tf.square(a)))), tf.square(tf.sub(1, a))));
 * };
 * const x = tf.tensor1d([-1, 0, 0]);
 * const v = tf.eye(3); // the standard basis: the gradient itself
 * console.log(await directionalDerivatives(rosenbrock, [x], [v]).data()); // [-404, -202, 0]
 * ```
 *
 * @example Node perturbation of a dense layer with one tangent shared by the batch
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { jvp } from "./mod.ts";
 * const x = tf.randomNormal([64, 784]);
 * const w = tf.randomNormal([784, 128]);
 * const slot = tf.zeros([1, 784]); // the perturbation point; its tangent is [k, 1, 784]
 * const v = tf.randomNormal([16, 1, 784]);
 * const { tangent } = jvp((s) => tf.relu(tf.matMul(tf.add(x, s), w)), [slot], [v]);
 * console.log((tangent as tf.Tensor).shape); // [16, 64, 128]
 * ```
 *
 * @module
 */
export * from "./jvp.ts";
export * from "./registry.ts";
export * from "./define.ts";
export * from "./value.ts";
