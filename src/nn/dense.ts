/**
 * A dense (fully connected) layer `y = act(x W + b)` (act: none or ReLU) as one
 * fused kernel where the backend has one, with a custom gradient. tfjs's built-in matMul gradient asks
 * for transposed products, which fall to a slow path on the wasm backend
 * (about 10× slower per training step), so on wasm the gradient uses explicit
 * transposes and untransposed 2-D matMuls; on native tensorflow and cpu the
 * input gradient `dy Wᵀ` uses matMul's transposeB flag instead, which spares
 * the weight-sized transpose kernel.
 *
 * `wrt` picks which gradients the backward pass produces, so that a caller
 * that only needs activity gradients (simulated node perturbation) or only
 * parameter gradients (block-local backward) does not pay for the others.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

/** Which inputs of {@link dense} receive gradients. */
export type DenseGradients = "all" | "input" | "params" | "none";

function check(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): void {
  if (x.rank !== 2 || w.rank !== 2 || b.rank !== 1) {
    throw new TypeError(
      `Cannot apply dense: expected x [B, in], w [in, out], b [out], got ${
        JSON.stringify([x.shape, w.shape, b.shape])
      }`,
    );
  }
  if (x.shape[1] !== w.shape[0] || w.shape[1] !== b.shape[0]) {
    throw new TypeError(
      `Cannot apply dense: shapes do not match: x ${JSON.stringify(x.shape)}, w ${
        JSON.stringify(w.shape)
      }, b ${JSON.stringify(b.shape)}`,
    );
  }
}

/** The activation fused into {@link dense}: none (`linear`) or ReLU. */
export type DenseActivation = "linear" | "relu";

/** `act(x W + b)` as separate 2-D ops (differentiable by tfjs's own tape). */
function unfused(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  activation: DenseActivation,
): tf.Tensor2D {
  const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
  return activation === "relu" ? tf.relu(z) : z;
}

/**
 * `act(x W + b)` as one `_FusedMatMul` kernel where the backend has a fused
 * one (wasm: one XNNPACK call with bias and activation; cpu: one kernel call).
 * The kernel is called directly: `tf.fused.matMul` falls back to unfused ops
 * whenever a gradient tape is recording, and the gradients here are the
 * custom ones below. The kernel wants 3-D operands, so x and w go in as
 * `[1, B, in]` and `[1, in, out]`. Native tensorflow has no fused matMul op
 * (its `_FusedMatMul` runs matMul, add and the activation one by one) and a
 * reshape there is an op of its own, so it gets the three 2-D ops directly.
 */
function affine(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  activation: DenseActivation,
): tf.Tensor2D {
  if (tf.getBackend() === "tensorflow") return unfused(x, w, b, activation);
  const [B, K] = x.shape, N = w.shape[1];
  const y = tf.engine().runKernel(
    "_FusedMatMul",
    { a: tf.reshape(x, [1, B, K]), b: tf.reshape(w, [1, K, N]), bias: b },
    { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 },
  ) as tf.Tensor;
  return tf.reshape(y, [B, N]);
}

/** Whether a `tf.grad`-style tape records the ops run now (outside any kernel). */
function tapeRecording(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

/**
 * Whether `dy Wᵀ` should use matMul's transposeB flag. On native tensorflow
 * and cpu the flagged product reads W transposed in place, which spares a
 * weight-sized transpose kernel (native, W 1024×1024, B = 64: 1.0–1.9 ms
 * instead of 2.0–3.2 ms; cpu 1.2× faster); on wasm a transposed matMul falls
 * to a slow path (89 ms against 44 ms), and so does a weight-sized transpose
 * kernel (≈ 20 ms for 1024², single-threaded), so there the product is
 * `(W dyᵀ)ᵀ`: two activation-sized transposes around an untransposed 2-D
 * matMul, bit-identical to `dy · transpose(W)` and 3× faster
 * (`deno bench -A bench/backend_bench.ts --filter dy`).
 */
function flagTransposeB(): boolean {
  return tf.getBackend() !== "wasm";
}

/** `dy Wᵀ` (the input gradient). */
function timesWT(dy: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return flagTransposeB()
    ? tf.matMul(dy, w, false, true)
    : tf.transpose(tf.matMul(w, tf.transpose(dy))) as tf.Tensor2D;
}

/**
 * `xᵀ dy` (the weight gradient). x is activation-sized ([B, in]), so its
 * explicit transpose is cheap, and the transposeA flag measured no faster on
 * native (2.8–3.1 ms min against 2.0–2.4 ms) and 13× slower on wasm.
 */
function xTTimes(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.transpose(x), dy);
}

/**
 * The gradient at the pre-activation: `dy` for a linear layer; for ReLU `dy`
 * where the output is positive (the ReLU mask comes from the output `y`, since
 * `relu(z) > 0 ⇔ z > 0`; at `z = 0` tfjs's own relu gradient is 0 as well), so
 * no separate pre-activation tensor is kept. The mask is `sign(y)`: y ≥ 0, so
 * it is exactly 1 where y > 0 and 0 where y = 0, like `step(y)`, but one
 * kernel on native tensorflow, whose Step runs about seven ops (NaN check,
 * compare, fills, select). A NaN output gives NaN either way.
 */
function preActivationGrad(
  dy: tf.Tensor,
  y: tf.Tensor | undefined,
  activation: DenseActivation,
): tf.Tensor2D {
  return (activation === "relu" ? tf.mul(dy, tf.sign(y as tf.Tensor)) : dy) as tf.Tensor2D;
}

/**
 * The block-local backward of {@link dense}: `[xᵀ dz, Σ_rows dz]` for the
 * output cotangent `dy`, the input `x` and the output `y` of the forward pass
 * (its ReLU mask when `activation` is `relu`). Equals the parameter gradients
 * that `dense(x, w, b, "params", activation)` backpropagates.
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { denseParamGradients } from "./dense.ts";
 * const [gw, gb] = denseParamGradients(tf.ones([2, 3]), tf.ones([2, 4]), tf.ones([2, 4]), "relu");
 * console.assert(gw.shape.join() === "3,4" && gb.shape.join() === "4");
 * ```
 */
export function denseParamGradients(
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  dy: tf.Tensor2D,
  activation: DenseActivation = "linear",
): [tf.Tensor2D, tf.Tensor1D] {
  return tf.tidy(() => {
    const dz = preActivationGrad(dy, y, activation);
    return [xTTimes(x, dz), tf.sum(dz, 0) as tf.Tensor1D];
  });
}

const denseAll = (activation: DenseActivation) =>
  tf.customGrad((x, w, b, save) => {
    const [x2, w2, b1] = [x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D];
    const value = affine(x2, w2, b1, activation);
    (save as tf.GradSaveFunc)(activation === "relu" ? [x2, w2, value] : [x2, w2]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as tf.Tensor2D[];
        const dz = preActivationGrad(dy, ys, activation);
        return [timesWT(dz, ws), xTTimes(xs, dz), tf.sum(dz, 0)];
      },
    };
  });
const DENSE_ALL = { linear: denseAll("linear"), relu: denseAll("relu") };

/**
 * Applies `x W + b` with a fast custom gradient.
 *
 * @param x input [B, in]
 * @param w weight [in, out]
 * @param b bias [out]
 * @param wrt which inputs get gradients: `all` (default), `input` (only x;
 *   w and b act as constants), `params` (only w and b; x is a constant) or
 *   `none` (plain ops, for evaluation)
 * @param activation `linear` (default) or `relu`, fused into the same kernel
 * @returns the output [B, out], `act(x W + b)`
 *
 * @example Forward and gradients
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { dense } from "./dense.ts";
 * const x = tf.ones([2, 3]) as tf.Tensor2D;
 * const w = tf.ones([3, 4]) as tf.Tensor2D;
 * const b = tf.zeros([4]) as tf.Tensor1D;
 * const [gw] = tf.grads((w: tf.Tensor) => dense(x, w as tf.Tensor2D, b, "params").sum())([w]);
 * console.assert(gw.shape.join() === "3,4");
 * ```
 */
export function dense(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  wrt: DenseGradients = "all",
  activation: DenseActivation = "linear",
): tf.Tensor2D {
  check(x, w, b);
  if (activation !== "linear" && activation !== "relu") {
    throw new RangeError(
      `Cannot apply dense: activation must be linear or relu, got "${activation}"`,
    );
  }
  switch (wrt) {
    case "all":
      return DENSE_ALL[activation](x, w, b) as tf.Tensor2D;
    case "input":
      // Constants used by the backward pass go through save(): a closure over a
      // tensor created inside the traced function is not safe on every backend.
      return tf.customGrad((xi, save) => {
        const value = affine(xi as tf.Tensor2D, w, b, activation);
        (save as tf.GradSaveFunc)(activation === "relu" ? [w, value] : [w]);
        return {
          value,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
            timesWT(preActivationGrad(dy, saved[1], activation), saved[0] as tf.Tensor2D),
        };
      })(x) as tf.Tensor2D;
    case "params":
      return tf.customGrad((wi, bi, save) => {
        const value = affine(x, wi as tf.Tensor2D, bi as tf.Tensor1D, activation);
        (save as tf.GradSaveFunc)(activation === "relu" ? [x, value] : [x]);
        return {
          value,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const dz = preActivationGrad(dy, saved[1], activation);
            return [xTTimes(saved[0] as tf.Tensor2D, dz), tf.sum(dz, 0)];
          },
        };
      })(w, b) as tf.Tensor2D;
    case "none":
      // A recording gradient tape (a caller differentiating through the plain
      // layer, e.g. a reverse-mode reference) gets differentiable unfused ops:
      // the fused kernel called directly has no registered gradient.
      return tapeRecording() ? unfused(x, w, b, activation) : affine(x, w, b, activation);
    default:
      throw new RangeError(
        `Cannot apply dense: wrt must be one of all, input, params, none, got "${wrt}"`,
      );
  }
}
