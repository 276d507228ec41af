/**
 * Gradient modes of network training: `bp`, and forward gradients (`fg` =
 * mean aggregation, `frog` = orthogonal projection) with k tangents, computed
 * simulated (`sim`, from backprop) or with true forward mode (`fwad`, the JVP
 * engine), perturbing block outputs (`node`) or parameters (`weight`).
 *
 * Tangents are fresh i.i.d. N(0, 1) every step from `new Rng(seed + 1,
 * "tangents")`: V [k, N] over the concatenated block outputs (node) or V
 * [k, P] over all parameters in parameter order (weight).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../core/rng.ts";
import { activityCount, type Model, parameterCount } from "../model.ts";
import type { NetworkAggregation } from "./types.ts";
import { bpGradients } from "./bp.ts";
import { fwadNodeGradients } from "./fwad_node.ts";
import { fwadWeightGradients } from "./fwad_weight.ts";
import { simNodeGradients } from "./sim_node.ts";
import { simWeightGradients } from "./sim_weight.ts";
import type { GradientResult, TimingSink } from "./types.ts";
import { fillNormal } from "./normal.ts";

/** `--approach` values: bp, fg (mean, fg-mean in the LR tables), frog. */
export const APPROACHES = ["bp", "fg", "frog"] as const;
/** One of {@link APPROACHES}. */
export type Approach = typeof APPROACHES[number];
/** `--mode` values. */
export const FG_MODES = ["sim", "fwad"] as const;
/** One of {@link FG_MODES}. */
export type FgMode = typeof FG_MODES[number];
/** `--perturbation` values. */
export const PERTURBATIONS = ["node", "weight"] as const;
/** One of {@link PERTURBATIONS}. */
export type Perturbation = typeof PERTURBATIONS[number];

/** Which gradient a run uses. */
export interface GradientSpec {
  /** bp, fg (mean) or frog (orthogonal projection). */
  approach: Approach;
  /** Number of tangents (ignored for bp). */
  k: number;
  /** sim or fwad (ignored for bp). */
  mode: FgMode;
  /** node or weight (ignored for bp, recorded as the original does). */
  perturbation: Perturbation;
}

/** The aggregation of an approach (`fg` → mean, `frog` → orthogonal_projection). */
export function aggregationOf(approach: Approach): NetworkAggregation {
  if (approach === "fg") return "mean";
  if (approach === "frog") return "orthogonal_projection";
  throw new RangeError(`Approach "${approach}" has no aggregation: expected fg or frog`);
}

/** The LR-table name of an approach: bp, fg-mean, frog. */
export function tableApproach(approach: Approach): "bp" | "fg-mean" | "frog" {
  return approach === "fg" ? "fg-mean" : approach;
}

/** The original's wrapper class name for a forward-gradient spec. */
export function fgModelClass(spec: GradientSpec): string {
  const kind = spec.perturbation === "node" ? "ActivityPerturbed" : "WeightPerturbed";
  return spec.mode === "sim" ? `${kind}SimFGModel` : `${kind}ForwardGradientModel`;
}

/** Per-batch timer columns of a spec, in the original's order (spec §4.7). */
export function timerNames(spec: GradientSpec): string[] {
  if (spec.approach === "bp") return ["forward", "backward", "step"];
  if (spec.mode === "sim") {
    return ["forward", "backward", "create_tangents", "compute_forward_gradients", "step"];
  }
  return ["create_tangents", "forward_and_jvps", "compute_forward_gradients", "step"];
}

/** A ready gradient computation with its own tangent stream. */
export interface GradientMode {
  /** What this mode computes. */
  readonly spec: GradientSpec;
  /** One gradient computation on a batch (tensors belong to the caller). */
  compute(model: Model, x: tf.Tensor, labels: tf.Tensor1D, timers?: TimingSink): GradientResult;
}

/**
 * Samples a [k, n] tensor of standard normals from `rng`.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { sampleNormalTangents } from "./mode.ts";
 * const v = sampleNormalTangents(new Rng(1, "tangents"), 4, 10);
 * console.assert(v.shape.join() === "4,10");
 * ```
 */
export function sampleNormalTangents(rng: Rng, k: number, n: number): tf.Tensor2D {
  return tf.tensor2d(fillNormal(rng, new Float32Array(k * n)), [k, n]);
}

/**
 * Creates the gradient mode of `spec` for a run with seed `seed` (tangents
 * from `new Rng(seed + 1, "tangents")`).
 *
 * @example frog with 4 tangents, simulated node perturbation
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { createFc } from "../fc.ts";
 * import { createGradientMode } from "./mode.ts";
 * const model = createFc({ width: 8, inputSize: 4, numClasses: 3, seed: 0 });
 * const mode = createGradientMode({ approach: "frog", k: 4, mode: "sim", perturbation: "node" }, 0);
 * const r = mode.compute(model, tf.ones([2, 4]), tf.tensor1d([0, 1], "int32"));
 * console.assert(r.grads.length === 6);
 * ```
 */
export function createGradientMode(spec: GradientSpec, seed: number): GradientMode {
  if (!(APPROACHES as readonly string[]).includes(spec.approach)) {
    throw new RangeError(
      `Unknown approach "${spec.approach}": expected one of ${APPROACHES.join(", ")}`,
    );
  }
  if (spec.approach === "bp") {
    return { spec, compute: (model, x, y, timers) => bpGradients(model, x, y, timers) };
  }
  if (!(FG_MODES as readonly string[]).includes(spec.mode)) {
    throw new RangeError(
      `Unknown forward-gradient mode "${spec.mode}": expected one of ${FG_MODES.join(", ")}`,
    );
  }
  if (!(PERTURBATIONS as readonly string[]).includes(spec.perturbation)) {
    throw new RangeError(
      `Unknown perturbation "${spec.perturbation}": expected one of ${PERTURBATIONS.join(", ")}`,
    );
  }
  if (!Number.isInteger(spec.k) || spec.k < 1) {
    throw new RangeError(
      `Cannot create gradient mode: k must be a positive integer, got ${spec.k}`,
    );
  }
  const aggregation = aggregationOf(spec.approach);
  const rng = new Rng(seed + 1, "tangents");
  const fn = spec.perturbation === "node"
    ? (spec.mode === "sim" ? simNodeGradients : fwadNodeGradients)
    : (spec.mode === "sim" ? simWeightGradients : fwadWeightGradients);
  return {
    spec,
    compute(model, x, y, timers) {
      const n = spec.perturbation === "node" ? activityCount(model) : parameterCount(model);
      const t0 = performance.now();
      const raw = fillNormal(rng, new Float32Array(spec.k * n));
      const v = tf.tensor2d(raw, [spec.k, n]);
      timers?.add("create_tangents", (performance.now() - t0) / 1000);
      try {
        return fn === fwadWeightGradients
          ? fwadWeightGradients(model, x, y, v, aggregation, timers, raw)
          : fn(model, x, y, v, aggregation, timers);
      } finally {
        v.dispose();
      }
    },
  };
}
