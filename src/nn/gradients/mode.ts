/**
 * Gradient modes of network training: `bp`, and forward gradients (`fg` =
 * mean aggregation, `frog` = orthogonal projection) with k tangents, computed
 * simulated (`sim`, from backprop) or with true forward mode (`fwad`, the JVP
 * engine), perturbing block outputs (`node`) or parameters (`weight`).
 *
 * Tangents are fresh i.i.d. N(0, 1) every step from `new Rng(seed + 1,
 * "tangents")`: V [k, N] over the concatenated block outputs (node), or for
 * weight perturbation k·P values drawn parameter-major, one `[k, ...shape_p]`
 * block per parameter in parameter order (see `weight_tangents.ts`), the
 * layout the JVP engine and the blockwise aggregation use directly.
 * Option `tangents: "device"` draws the weight tangents on the native
 * `tensorflow` backend instead (see `drawWeightTangentsOnDevice`);
 * `GradientMode.tangentSource` says which generator a mode uses.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Rng } from "../../core/rng.ts";
import { activityCount, type Model } from "../model.ts";
import type { NetworkAggregation } from "./types.ts";
import { bpGradients } from "./bp.ts";
import { fwadNodeGradients } from "./fwad_node.ts";
import { fwadWeightGradients } from "./fwad_weight.ts";
import { simNodeGradients } from "./sim_node.ts";
import { simWeightGradients } from "./sim_weight.ts";
import type { GradientResult, StepOptions, TimingSink } from "./types.ts";
import { fillNormal } from "./normal.ts";
import {
  disposeWeightTangents,
  drawWeightTangentsOnDevice,
  gramOfBlocks,
  type WeightTangents,
  weightTangentsFromBuffer,
} from "./weight_tangents.ts";
import {
  STATELESS_NORMAL_SOURCE,
  statelessNormalAvailable,
} from "../../native/stateless_normal.ts";
import { WeightTangentPrefetcher } from "./tangent_prefetch.ts";

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

/** JS tangent generator: `Rng.zigguratNormal` (every backend). */
export const JS_TANGENT_SOURCE = "js-ziggurat";
/** Which generator draws a mode's tangents. */
export type TangentSource = typeof JS_TANGENT_SOURCE | typeof STATELESS_NORMAL_SOURCE;

/** A ready gradient computation with its own tangent stream. */
export interface GradientMode {
  /** What this mode computes. */
  readonly spec: GradientSpec;
  /** The generator of the tangents (absent for bp, which draws none). */
  readonly tangentSource?: TangentSource;
  /**
   * One gradient computation on a batch (tensors belong to the caller).
   * Asynchronous: on backends without synchronous reads (webgpu) frog reads
   * its Gram matrix back with `await`; on the others it resolves with the
   * same values a synchronous computation gave.
   */
  compute(
    model: Model,
    x: tf.Tensor,
    labels: tf.Tensor1D,
    timers?: TimingSink,
  ): Promise<GradientResult>;
  /**
   * Releases the mode's resources now (the tangent prefetch worker of weight
   * perturbation and its buffers); otherwise they go when the mode is
   * garbage-collected. The mode must not be used afterwards.
   */
  close?(): void;
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

/** Options of {@link createGradientMode}. */
export interface GradientModeOptions {
  /**
   * Weight perturbation: draw the next step's tangents in a worker thread
   * while the current step computes (same numbers as drawing in-thread).
   * Default: when the machine has at least 2 cores.
   */
  prefetch?: boolean;
  /**
   * Weight perturbation: `"js"` (default) draws the tangents in JS from the
   * run's Rng stream; `"device"` draws them on the native `tensorflow`
   * backend with TensorFlow's stateless generator (other numbers, no
   * prefetch worker, no upload). On a CPU-only tfjs-node that is slower than
   * the JS draw (see bench/train_bench.ts); it pays off where TensorFlow has
   * many cores or a GPU.
   */
  tangents?: "js" | "device";
  /**
   * Simulated node mode: update BatchNorm running statistics twice per step,
   * as the original's block-local recompute does (default false: once).
   */
  doubleBufferUpdate?: boolean;
  /** True forward modes: at most this many tangents per forward pass (default from the budget). */
  kChunk?: number;
  /** True forward modes: memory budget of one pass's tangents (default 2 GiB, see `weightJvpChunk`). */
  jvpMemoryBytes?: number;
  /** bp and simulated modes: samples per micro-batch (no train-mode BatchNorm; see batch_chunks.ts). */
  batchChunk?: number;
  /** bp and simulated modes: memory budget of one micro-batch (default 2 GiB). */
  backpropMemoryBytes?: number;
}

/**
 * The weight-tangent draws of one mode: in-thread from `rng`, or prefetched
 * by a worker running a copy of `rng`'s stream. Either way step s gets the
 * s-th block of k·P normals of the stream.
 */
class WeightTangentSource {
  #k: number;
  #rng: Rng;
  #usePrefetch: boolean;
  #prefetch: WeightTangentPrefetcher | undefined;
  /** Values taken through the prefetcher (the in-thread rng has not drawn them). */
  #prefetched = 0;
  #buffer: Float32Array | undefined;
  /** The parameter sizes the prefetcher was started for (its Gram uses them). */
  #layout = "";

  #gram: boolean;
  /** Device draws: the run's tangent seed, and the next step's index. */
  #device: { seed: number; step: number } | undefined;

  /**
   * @param gram form the Gram matrix with the draw where tfjs's is slow (wasm):
   *   in the worker when prefetching, so it costs the step nothing
   * @param device draw on the device from this seed instead (no prefetch)
   */
  constructor(k: number, rng: Rng, usePrefetch: boolean, gram: boolean, device?: number) {
    this.#k = k;
    this.#rng = rng;
    this.#usePrefetch = usePrefetch && device === undefined;
    this.#gram = gram;
    this.#device = device === undefined ? undefined : { seed: device, step: 0 };
  }

  /** The next step's tangents for `params` (call {@link release} after the step). */
  draw(params: readonly tf.Tensor[]): WeightTangents {
    const k = this.#k;
    if (this.#device) {
      return drawWeightTangentsOnDevice(this.#device.seed, this.#device.step++, k, params);
    }
    const sizes = params.map((p) => p.size);
    const size = k * sizes.reduce((a, b) => a + b, 0);
    const wasm = tf.getBackend() === "wasm";
    const layout = sizes.join(",");
    if (this.#prefetch && layout !== this.#layout) this.#stopPrefetch();
    if (this.#usePrefetch && !this.#prefetch && this.#prefetched === 0) {
      this.#prefetch = new WeightTangentPrefetcher(
        this.#rng.seed,
        [...this.#rng.path],
        size,
        this.#gram && wasm ? { k, sizes } : undefined,
      );
      this.#layout = layout;
      if (!this.#prefetch.waitReady()) {
        this.#prefetch.close();
        this.#prefetch = undefined;
        this.#usePrefetch = false;
      }
    }
    // cpu tensors keep the array they were made from: give them a private copy.
    const own = tf.getBackend() === "cpu";
    if (this.#prefetch) {
      const { values, gram } = this.#prefetch.next();
      this.#prefetched += size;
      return weightTangentsFromBuffer(own ? values.slice() : values, k, params, gram?.slice());
    }
    let buf = this.#buffer;
    if (own || buf === undefined || buf.length !== size) buf = new Float32Array(size);
    if (!own) this.#buffer = buf;
    fillNormal(this.#rng, buf);
    const gram = this.#gram && wasm ? gramOfBlocks(buf, k, sizes) : undefined;
    return weightTangentsFromBuffer(buf, k, params, gram);
  }

  /** Ends the step of the last {@link draw}: its buffer may be refilled. */
  release(): void {
    this.#prefetch?.release();
  }

  /** Stops the prefetch worker, if any. */
  close(): void {
    this.#prefetch?.close();
    this.#prefetch = undefined;
    this.#usePrefetch = false;
    this.#buffer = undefined;
  }

  /** Stops prefetching; the in-thread rng skips what the worker handed out. */
  #stopPrefetch(): void {
    this.#prefetch!.close();
    this.#prefetch = undefined;
    this.#usePrefetch = false;
    const scratch = new Float32Array(1 << 20);
    for (let left = this.#prefetched; left > 0; left -= scratch.length) {
      fillNormal(this.#rng, left >= scratch.length ? scratch : scratch.subarray(0, left));
    }
  }
}

/**
 * Creates the gradient mode of `spec` for a run with seed `seed` (tangents
 * from `new Rng(seed + 1, "tangents")`).
 *
 * @example frog with 4 tangents, simulated node perturbation
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { createFc } from "../fc.ts";
 * import { createGradientMode } from "./mode.ts";
 * const model = createFc({ width: 8, inputSize: 4, numClasses: 3, seed: 0 });
 * const mode = createGradientMode({ approach: "frog", k: 4, mode: "sim", perturbation: "node" }, 0);
 * const r = await mode.compute(model, tf.ones([2, 4]), tf.tensor1d([0, 1], "int32"));
 * console.assert(r.grads.length === 6);
 * ```
 */
export function createGradientMode(
  spec: GradientSpec,
  seed: number,
  options: GradientModeOptions = {},
): GradientMode {
  if (!(APPROACHES as readonly string[]).includes(spec.approach)) {
    throw new RangeError(
      `Unknown approach "${spec.approach}": expected one of ${APPROACHES.join(", ")}`,
    );
  }
  const backprop: StepOptions = {
    batchChunk: options.batchChunk,
    backpropMemoryBytes: options.backpropMemoryBytes,
  };
  if (spec.approach === "bp") {
    return {
      spec,
      compute: (model, x, y, timers) =>
        Promise.resolve().then(() => bpGradients(model, x, y, timers, backprop)),
    };
  }
  if (options.kChunk !== undefined && (!Number.isInteger(options.kChunk) || options.kChunk < 1)) {
    throw new RangeError(
      `Cannot create gradient mode: kChunk must be a positive integer, got ${options.kChunk}`,
    );
  }
  const step: StepOptions = {
    ...backprop,
    doubleBufferUpdate: options.doubleBufferUpdate ?? false,
    kChunk: options.kChunk,
    jvpMemoryBytes: options.jvpMemoryBytes,
  };
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
  const tangents = options.tangents ?? "js";
  if (tangents !== "js" && tangents !== "device") {
    throw new RangeError(`Unknown tangents option "${tangents}": expected js or device`);
  }
  const onDevice = tangents === "device" && spec.perturbation === "weight";
  if (onDevice && !statelessNormalAvailable()) {
    throw new RangeError(
      `Cannot draw tangents on the device: backend "${tf.getBackend()}" is not "tensorflow"; use tangents "js"`,
    );
  }
  const aggregation = aggregationOf(spec.approach);
  const rng = new Rng(seed + 1, "tangents");
  const weightDraws = new WeightTangentSource(
    spec.k,
    rng,
    options.prefetch ?? (navigator.hardwareConcurrency ?? 1) >= 2,
    aggregation === "orthogonal_projection",
    onDevice ? seed + 1 : undefined,
  );
  return {
    spec,
    tangentSource: onDevice ? STATELESS_NORMAL_SOURCE : JS_TANGENT_SOURCE,
    async compute(model, x, y, timers) {
      if (spec.perturbation === "weight") {
        const t0 = performance.now();
        const wt = weightDraws.draw(model.params);
        timers?.add("create_tangents", (performance.now() - t0) / 1000);
        try {
          return spec.mode === "sim"
            ? simWeightGradients(model, x, y, wt, aggregation, timers, step)
            : fwadWeightGradients(model, x, y, wt, aggregation, timers, undefined, step);
        } finally {
          disposeWeightTangents(wt);
          weightDraws.release();
        }
      }
      const n = activityCount(model);
      const t0 = performance.now();
      const v = tf.tensor2d(fillNormal(rng, new Float32Array(spec.k * n)), [spec.k, n]);
      timers?.add("create_tangents", (performance.now() - t0) / 1000);
      try {
        return await (spec.mode === "sim" ? simNodeGradients : fwadNodeGradients)(
          model,
          x,
          y,
          v,
          aggregation,
          timers,
          step,
        );
      } finally {
        v.dispose();
      }
    },
    close() {
      weightDraws.close();
    },
  };
}
