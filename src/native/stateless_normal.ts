/**
 * Standard normals drawn on the native `tensorflow` backend by TensorFlow's
 * counter-based stateless generator (`StatelessRandomNormal`: Philox-4x32-10
 * keyed by a 2-word seed, Box–Muller). The same seed gives the same values on
 * every run and every thread count, and nothing is drawn in JS or copied from
 * JS to the device.
 *
 * The tfjs-node backend runs any TensorFlow op by name
 * (`executeSingleOutput(opName, attrs, inputs)`, as its own kernels do); this
 * module calls it for the one op and checks that the running backend is
 * `tensorflow`.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

/** Name of the generator, as recorded in run results. */
export const STATELESS_NORMAL_SOURCE = "tf-stateless-philox";

/** The parts of tfjs-node's backend this module uses. */
interface NodeBackend {
  binding: {
    TF_ATTR_TYPE: number;
    TF_FLOAT: number;
    TF_INT32: number;
  };
  executeSingleOutput(
    name: string,
    attrs: { name: string; type: number; value: unknown }[],
    inputs: tf.Tensor[],
  ): tf.Tensor;
}

/** Whether the running tfjs backend is tfjs-node's (`tensorflow`), which can draw stateless normals. */
export function statelessNormalAvailable(): boolean {
  if (tf.getBackend() !== "tensorflow") return false;
  const b = tf.backend() as unknown as Partial<NodeBackend>;
  return typeof b.executeSingleOutput === "function" && b.binding !== undefined;
}

/** Checks that `v` fits a signed 32-bit seed word. */
function seedWord(v: number, what: string): number {
  if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
    throw new RangeError(`Cannot draw stateless normals: ${what} must be an int32, got ${v}`);
  }
  return v;
}

/**
 * A float32 tensor of `shape` filled with standard normals from TensorFlow's
 * stateless generator with the seed (`seed0`, `seed1`). Requires the
 * `tensorflow` backend.
 *
 * @param shape the output shape
 * @param seed0 first seed word (int32)
 * @param seed1 second seed word (int32)
 * @returns a new tensor (the caller disposes it)
 * @throws Error when the running backend is not `tensorflow`
 *
 * @example Same seed, same numbers
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { statelessNormal, statelessNormalAvailable } from "./stateless_normal.ts";
 * if (statelessNormalAvailable()) {
 *   const a = statelessNormal([4, 3], 1, 0);
 *   const b = statelessNormal([4, 3], 1, 0);
 *   console.assert(tf.equal(a, b).all().dataSync()[0] === 1);
 * }
 * ```
 */
export function statelessNormal(shape: readonly number[], seed0: number, seed1: number): tf.Tensor {
  if (!statelessNormalAvailable()) {
    throw new Error(
      `Cannot draw stateless normals on backend "${tf.getBackend()}": only "tensorflow" runs TensorFlow ops`,
    );
  }
  const b = tf.backend() as unknown as NodeBackend;
  const s = tf.tensor1d([seedWord(seed0, "seed0"), seedWord(seed1, "seed1")], "int32");
  const sh = tf.tensor1d(shape as number[], "int32");
  try {
    const T = b.binding.TF_ATTR_TYPE;
    return b.executeSingleOutput("StatelessRandomNormal", [
      { name: "dtype", type: T, value: b.binding.TF_FLOAT },
      { name: "T", type: T, value: b.binding.TF_INT32 },
      { name: "Tseed", type: T, value: b.binding.TF_INT32 },
    ], [sh, s]);
  } finally {
    s.dispose();
    sh.dispose();
  }
}
