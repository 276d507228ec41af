/**
 * Weight tangents in the layout the forward pass and the aggregation use.
 *
 * Layout (parameter-major): the k tangents of parameter p form one contiguous
 * block `[k, ...shape_p]` (tangent j of p is the j-th slab of size |p|), and
 * the blocks follow one another in parameter order. One flat buffer of k·P
 * standard normals is drawn in that order, so each block is a subarray that
 * is uploaded as the engine's tangent `[k, ...shape_p]` with no split, no
 * transpose and no copy in JS. The global tangent j (the row j of the
 * conceptual V [k, P]) is the concatenation of slab j of every block; the
 * Gram matrix is Σ_p V_p V_pᵀ and the combination Vᵀc is done per block
 * (`forwardGradientBlocks` in src/core/forward_gradient.ts).
 *
 * Both weight modes (simulated and true forward) take the same
 * {@link WeightTangents}, so they see the same tangents.
 *
 * On the native `tensorflow` backend the tangents can instead be drawn on the
 * device ({@link drawWeightTangentsOnDevice}): TensorFlow's stateless Philox
 * normals, block p of step s seeded with (run seed, s·#params + p). Other
 * numbers than the JS stream, same layout.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Rng } from "../../core/rng.ts";
import { statelessNormal } from "../../native/stateless_normal.ts";
import { fillNormal } from "./normal.ts";

export { gramOfBlocks } from "./weight_gram.ts";

/** k weight tangents, one `[k, ...shape_p]` tensor per parameter (parameter order). */
export interface WeightTangents {
  /** Number of tangents. */
  readonly k: number;
  /** Per parameter p the tangents `[k, ...shape_p]` (owned by whoever created them). */
  readonly perParam: tf.Tensor[];
  /** The Gram matrix Σ_p V_p V_pᵀ (k×k, float64) when it was formed with the draw. */
  readonly gram?: Float64Array;
}

/** The sizes |p| of the parameters. */
function sizes(params: readonly { size: number }[]): number[] {
  return params.map((p) => p.size);
}

/**
 * Wraps a flat parameter-major buffer of k·P values (see the module doc) as
 * per-parameter tangents. The tensors copy the values on wasm and tensorflow;
 * on cpu they share `raw`, which must then not be refilled while they live.
 *
 * @param raw k·P values, block p = `[k, ...shape_p]`
 * @param k the number of tangents
 * @param params the parameters (only their shapes are used)
 * @param gram their Gram matrix Σ_p V_p V_pᵀ, if already formed
 */
export function weightTangentsFromBuffer(
  raw: Float32Array,
  k: number,
  params: readonly tf.Tensor[],
  gram?: Float64Array,
): WeightTangents {
  const total = sizes(params).reduce((a, b) => a + b, 0);
  if (raw.length !== k * total) {
    throw new RangeError(
      `Cannot wrap weight tangents: expected ${k}·${total} values, got ${raw.length}`,
    );
  }
  let offset = 0;
  const perParam = params.map((p) => {
    const n = k * p.size;
    const t = tf.tensor(raw.subarray(offset, offset + n), [k, ...p.shape], "float32");
    offset += n;
    return t;
  });
  return { k, perParam, gram };
}

/**
 * Draws k fresh N(0, 1) weight tangents from `rng` in the parameter-major
 * layout (one zigguratNormal stream over the flat buffer).
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { Rng } from "../../core/rng.ts";
 * import { drawWeightTangents } from "./weight_tangents.ts";
 * const t = drawWeightTangents(new Rng(1, "tangents"), 4, [tf.zeros([3, 2]), tf.zeros([2])]);
 * console.assert(t.perParam[0].shape.join() === "4,3,2");
 * ```
 */
export function drawWeightTangents(
  rng: Rng,
  k: number,
  params: readonly tf.Tensor[],
): WeightTangents {
  const total = sizes(params).reduce((a, b) => a + b, 0);
  return weightTangentsFromBuffer(fillNormal(rng, new Float32Array(k * total)), k, params);
}

/**
 * The first stateless seed word of a run's tangent seed: the seed itself when
 * it fits an int32, otherwise its two 32-bit halves folded together.
 *
 * @param seed a non-negative safe integer (the run's tangent seed)
 */
export function deviceSeedWord(seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(
      `Cannot seed device tangents: expected a non-negative safe integer, got ${seed}`,
    );
  }
  if (seed < 2 ** 31) return seed;
  return ((seed % 2 ** 32) ^ Math.floor(seed / 2 ** 32)) | 0;
}

/**
 * Draws k N(0, 1) weight tangents of step `step` on the native `tensorflow`
 * backend with TensorFlow's stateless generator: block p (`[k, ...shape_p]`)
 * is seeded with (`deviceSeedWord(seed)`, step·#params + p), so a seed and a
 * step always give the same tangents, whichever mode asks. The values never
 * pass through JS. No Gram matrix is formed here (the aggregation forms it on
 * the device).
 *
 * @param seed the run's tangent seed (non-negative safe integer)
 * @param step the step counter (0, 1, …)
 * @param k the number of tangents
 * @param params the parameters (only their shapes are used)
 * @throws Error when the running backend is not `tensorflow`
 *
 * @example
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { drawWeightTangentsOnDevice } from "./weight_tangents.ts";
 * if (tf.getBackend() === "tensorflow") {
 *   const t = drawWeightTangentsOnDevice(1, 0, 4, [tf.zeros([3, 2]), tf.zeros([2])]);
 *   console.assert(t.perParam[0].shape.join() === "4,3,2");
 * }
 * ```
 */
export function drawWeightTangentsOnDevice(
  seed: number,
  step: number,
  k: number,
  params: readonly tf.Tensor[],
): WeightTangents {
  const word = deviceSeedWord(seed);
  const last = (step + 1) * params.length - 1;
  if (!Number.isSafeInteger(step) || step < 0 || last >= 2 ** 31) {
    throw new RangeError(
      `Cannot draw device tangents: step must be an integer in [0, ${
        Math.floor(2 ** 31 / Math.max(1, params.length))
      }), got ${step}`,
    );
  }
  const perParam: tf.Tensor[] = [];
  try {
    params.forEach((p, i) => {
      perParam.push(statelessNormal([k, ...p.shape], word, step * params.length + i));
    });
  } catch (e) {
    tf.dispose(perParam);
    throw e;
  }
  return { k, perParam };
}

/**
 * Per-parameter tangents from V [k, P] (row j = tangent j over all parameters
 * in parameter order). The columns of V are strided per parameter; copying
 * them in JS is much faster than `tf.split` along axis 1 on wasm.
 *
 * @param tangents V [k, P]
 * @param params the parameters (shapes)
 * @param raw the values of `tangents` if the caller has them (saves a read-back)
 */
export function weightTangentsFromMatrix(
  tangents: tf.Tensor2D,
  params: readonly tf.Tensor[],
  raw?: Float32Array,
): WeightTangents {
  const [k, P] = tangents.shape;
  const total = sizes(params).reduce((a, b) => a + b, 0);
  if (P !== total) {
    throw new RangeError(
      `Cannot split weight tangents: V has ${P} columns, the parameters ${total} values`,
    );
  }
  const all = raw ?? tangents.dataSync() as Float32Array;
  let offset = 0;
  const perParam = params.map((p) => {
    const n = p.size;
    const buf = new Float32Array(k * n);
    for (let j = 0; j < k; j++) buf.set(all.subarray(j * P + offset, j * P + offset + n), j * n);
    offset += n;
    return tf.tensor(buf, [k, ...p.shape]);
  });
  return { k, perParam };
}

/**
 * The per-parameter tangents of either form: {@link WeightTangents} as they
 * are, or V [k, P] split (the caller disposes the result only in that case:
 * `owned` says so).
 */
export function asWeightTangents(
  tangents: tf.Tensor2D | WeightTangents,
  params: readonly tf.Tensor[],
  raw?: Float32Array,
): { tangents: WeightTangents; owned: boolean } {
  if (tangents instanceof tf.Tensor) {
    return { tangents: weightTangentsFromMatrix(tangents, params, raw), owned: true };
  }
  if (tangents.perParam.length !== params.length) {
    throw new RangeError(
      `Cannot use weight tangents: ${tangents.perParam.length} blocks for ${params.length} parameters`,
    );
  }
  return { tangents, owned: false };
}

/** Disposes the tensors of `t`. */
export function disposeWeightTangents(t: WeightTangents): void {
  for (const p of t.perParam) p.dispose();
}
