/**
 * SGD as in PyTorch (momentum, dampening 0, weight decay, Nesterov) with the
 * original's LR schedules, stepped after every minibatch (spec §4.4).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

/** LR schedules of the original (`None`/anything else is constant). */
export const SCHEDULES = ["constant", "step", "cosine", "decay"] as const;
/** One of {@link SCHEDULES}. */
export type Schedule = typeof SCHEDULES[number];

/** SGD settings. */
export interface SgdOptions {
  /** Initial learning rate. */
  lr: number;
  /** Momentum (0 = plain SGD). */
  momentum?: number;
  /** L2 weight decay added to the gradient. */
  weightDecay?: number;
  /** Nesterov momentum. */
  nesterov?: boolean;
  /** LR schedule, stepped per batch. */
  schedule?: Schedule;
  /** The run's epoch budget E (used by `step` and `cosine`). */
  epochs?: number;
}

/** The optimizer presets of the original config (`[PLAIN_SGD]`, `[SOTA_SGD]`). */
export const OPTIMIZERS = ["plain_sgd", "sota_sgd"] as const;
/** One of {@link OPTIMIZERS}. */
export type OptimizerName = typeof OPTIMIZERS[number];

/** The SGD settings of a preset, for an initial LR and epoch budget. */
export function optimizerPreset(name: OptimizerName, lr: number, epochs: number): SgdOptions {
  if (name === "plain_sgd") {
    return { lr, momentum: 0, weightDecay: 0, nesterov: false, schedule: "constant", epochs };
  }
  if (name === "sota_sgd") {
    return { lr, momentum: 0.9, weightDecay: 5e-4, nesterov: true, schedule: "cosine", epochs };
  }
  throw new RangeError(`Unknown optimizer "${name}": expected one of ${OPTIMIZERS.join(", ")}`);
}

/**
 * The LR factor after `t` scheduler steps (t batches), as PyTorch's schedulers:
 * `step` MultiStep at int(0.5E), int(0.75E) with gamma 0.1; `cosine`
 * 0.5(1 + cos(π t / E)) (period 2E, because it is stepped per batch); `decay`
 * exp(−1e−4 t); `constant` 1.
 */
export function scheduleFactor(schedule: Schedule, t: number, epochs: number): number {
  switch (schedule) {
    case "constant":
      return 1;
    case "step": {
      const milestones = [Math.trunc(0.5 * epochs), Math.trunc(0.75 * epochs)];
      return 0.1 ** milestones.filter((m) => t >= m).length;
    }
    case "cosine":
      return 0.5 * (1 + Math.cos(Math.PI * t / epochs));
    case "decay":
      return Math.exp(-1e-4 * t);
    default:
      throw new RangeError(
        `Unknown LR schedule "${schedule}": expected one of ${SCHEDULES.join(", ")}`,
      );
  }
}

/**
 * Stochastic gradient descent over a list of parameter tensors.
 *
 * @example One plain step
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { Sgd } from "./optimizer.ts";
 * const opt = new Sgd({ lr: 0.5 });
 * const [p] = opt.step([tf.tensor1d([1])], [tf.tensor1d([2])]);
 * console.assert(p.dataSync()[0] === 0);
 * ```
 */
export class Sgd {
  /** The settings with defaults filled in. */
  readonly options: Required<SgdOptions>;
  #t = 0;
  #buffers: (tf.Tensor | undefined)[] = [];

  /**
   * Creates the optimizer.
   *
   * @param options LR, momentum, weight decay, Nesterov, schedule, epoch budget
   */
  constructor(options: SgdOptions) {
    this.options = {
      momentum: 0,
      weightDecay: 0,
      nesterov: false,
      schedule: "constant",
      epochs: 1,
      ...options,
    };
    if (!(this.options.lr >= 0) || !Number.isFinite(this.options.lr)) {
      throw new RangeError(
        `Cannot create SGD: lr must be a finite number ≥ 0, got ${this.options.lr}`,
      );
    }
  }

  /** The LR used by the next step. */
  get lr(): number {
    return this.options.lr * scheduleFactor(this.options.schedule, this.#t, this.options.epochs);
  }

  /** Number of steps taken. */
  get steps(): number {
    return this.#t;
  }

  /**
   * Applies one step and then advances the schedule. Disposes the old
   * parameters and returns the new ones; gradients stay the caller's.
   */
  step(params: tf.Tensor[], grads: tf.Tensor[]): tf.Tensor[] {
    const { momentum, weightDecay, nesterov } = this.options;
    const lr = this.lr;
    const next = params.map((p, i) =>
      tf.tidy(() => {
        let g = grads[i];
        if (weightDecay !== 0) g = tf.add(g, tf.mul(p, weightDecay));
        if (momentum !== 0) {
          const old = this.#buffers[i];
          const buf = old === undefined ? tf.clone(g) : tf.add(tf.mul(old, momentum), g);
          old?.dispose();
          this.#buffers[i] = tf.keep(buf);
          g = nesterov ? tf.add(g, tf.mul(buf, momentum)) : buf;
        }
        return tf.sub(p, tf.mul(g, lr));
      })
    );
    for (const p of params) p.dispose();
    this.#t++;
    return next;
  }

  /** Frees the momentum buffers. */
  dispose(): void {
    for (const b of this.#buffers) b?.dispose();
    this.#buffers = [];
  }
}
