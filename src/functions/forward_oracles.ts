/**
 * Forward-mode gradient oracles (spec §3.2): exact forward-mode AD along the
 * standard basis, and (multi-tangent) forward gradients. Directional
 * derivatives always come from the JVP engine (src/jvp), never from the true
 * gradient; f(x) is the primal output of the same pass.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { forwardGradient } from "../core/forward_gradient.ts";
import { sampleTangents } from "../core/tangents.ts";
import { Rng } from "../core/rng.ts";
import { jvp } from "../jvp/mod.ts";
import type { ForwardGradientSpec } from "./approaches.ts";
import type { GradientOracle } from "./oracle.ts";
import type { TestFunction } from "./types.ts";

/** Stream path of the per-run tangent generator: `new Rng(seed, ...TANGENT_STREAM)`. */
export const TANGENT_STREAM = ["function-optimization", "tangents"] as const;

const f1 = (fn: TestFunction) => (x: tf.Tensor) => fn.evaluate(x as tf.Tensor1D);

/**
 * Forward-mode AD along the standard basis: one batched JVP with the k = n
 * tangents e_1 … e_n gives every partial derivative, i.e. the exact gradient.
 *
 * @example The exact gradient of Rosenbrock at its start
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { fmadOracle } from "./forward_oracles.ts";
 * import { rosenbrock } from "./rosenbrock.ts";
 * fmadOracle(rosenbrock, 3).valueAndGradient(tf.tensor1d([-1, 0, 0])).gradient.dataSync();
 * // [-404, -202, 0]
 * ```
 */
export function fmadOracle(fn: TestFunction, n: number): GradientOracle {
  const basis = tf.eye(n) as tf.Tensor2D;
  const f = f1(fn);
  return {
    valueAndGradient(x) {
      return tf.tidy(() => {
        const { primal, tangent } = jvp(f, [x], [basis]);
        return {
          value: primal as tf.Scalar,
          gradient: tf.reshape(tangent as tf.Tensor, [n]) as tf.Tensor1D,
        };
      });
    },
    dispose: () => basis.dispose(),
  };
}

/**
 * A forward-gradient oracle: per call, k fresh tangents from the run's own
 * generator `new Rng(seed, ...TANGENT_STREAM)` (so mean-k and frog-k with the
 * same seed see the same tangents step by step), their directional
 * derivatives from one batched JVP, and the aggregation of spec §1.6.
 *
 * @example Frog with k = n is exact
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { fgOracle } from "./forward_oracles.ts";
 * import { fg } from "./approaches.ts";
 * import { sphere } from "./sphere.ts";
 * const o = fgOracle(sphere, fg(2, "orthogonal_projection"), 0, 2);
 * o.valueAndGradient(tf.tensor1d([-1, -1])).gradient.dataSync(); // ≈ [-2, -2]
 * ```
 */
export function fgOracle(
  fn: TestFunction,
  spec: ForwardGradientSpec,
  seed: number,
  n: number,
): GradientOracle {
  const rng = new Rng(seed, ...TANGENT_STREAM);
  const f = f1(fn);
  return {
    valueAndGradient(x) {
      return tf.tidy(() => {
        const v = sampleTangents(rng, spec.sampler, spec.k, n, { normalize: spec.normalize });
        const tangents = tf.tensor2d(v, [spec.k, n], "float32");
        const { primal, tangent } = jvp(f, [x], [tangents]);
        const gradient = forwardGradient(
          tangents,
          tangent as tf.Tensor,
          spec.aggregation,
          { scalingCorrection: spec.scalingCorrection },
        );
        return { value: primal as tf.Scalar, gradient: gradient as tf.Tensor1D };
      });
    },
    dispose() {},
  };
}
