/**
 * Bookkeeping shared by the model constructors: parameters and buffers with
 * their PyTorch names, in registration order, and the per-block index lists.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Rng } from "../core/rng.ts";

/** Collects parameters and buffers; each block takes the indices added since its start. */
export class ModelBuilder {
  /** Parameters in order. */
  readonly params: tf.Tensor[] = [];
  /** Parameter names in order. */
  readonly paramNames: string[] = [];
  /** Buffers in order. */
  readonly buffers: tf.Tensor[] = [];
  /** Buffer names in order. */
  readonly bufferNames: string[] = [];
  #paramStart = 0;
  #bufferStart = 0;

  /** Adds a parameter; returns its index among the current block's parameters. */
  param(name: string, value: tf.Tensor): number {
    this.params.push(value);
    this.paramNames.push(name);
    return this.params.length - 1 - this.#paramStart;
  }

  /** Adds a buffer; returns its index among the current block's buffers. */
  buffer(name: string, value: tf.Tensor): number {
    this.buffers.push(value);
    this.bufferNames.push(name);
    return this.buffers.length - 1 - this.#bufferStart;
  }

  /** Ends the current block: the global indices of its parameters and buffers. */
  endBlock(): { paramIndices: number[]; bufferIndices: number[] } {
    const paramIndices = range(this.#paramStart, this.params.length);
    const bufferIndices = range(this.#bufferStart, this.buffers.length);
    this.#paramStart = this.params.length;
    this.#bufferStart = this.buffers.length;
    return { paramIndices, bufferIndices };
  }
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

/** A tensor of N(0, std²) draws from `rng`. */
export function normalTensor(rng: Rng, shape: number[], std: number): tf.Tensor {
  const v = rng.normal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
  for (let i = 0; i < v.length; i++) v[i] *= std;
  return tf.tensor(v, shape);
}

/** A tensor of U(−bound, bound) draws from `rng`. */
export function uniformTensor(rng: Rng, shape: number[], bound: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.uniform(new Float32Array(n), -bound, bound), shape);
}

/**
 * A tensor of N(0, std²) draws truncated to [lo, hi] (absolute bounds, as
 * `torch.nn.init.trunc_normal_`), by rejection.
 */
export function truncatedNormalTensor(
  rng: Rng,
  shape: number[],
  std: number,
  lo: number,
  hi: number,
): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let x: number;
    do x = rng.nextNormal() * std; while (x < lo || x > hi);
    v[i] = x;
  }
  return tf.tensor(v, shape);
}

/** Checks that every listed option is a positive integer. */
export function checkPositiveIntegers(model: string, opts: Record<string, number>): void {
  for (const [name, v] of Object.entries(opts)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(
        `Cannot create ${model} model: ${name} must be a positive integer, got ${v}`,
      );
    }
  }
}
