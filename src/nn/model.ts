/**
 * The model shape every gradient mode works on: an ordered list of blocks
 * (the paper's top-level groups), each a function of the previous block's
 * output and its own parameters. Node perturbation perturbs block outputs;
 * weight perturbation perturbs `params` in order.
 *
 * Blocks keep their natural output shapes (`[B, n]` for FC, `[B, H, W, C]`
 * images for ResNet18, `[B, T, D]` tokens for the ViT); only the tangents and
 * activity gradients of node perturbation see the flat `[B, n_i]` view.
 *
 * Models with BatchNorm have non-trainable buffers (running statistics) and an
 * explicit mode: `train` (batch statistics; new running statistics are
 * reported to a {@link BufferUpdates} and committed by the caller) or `eval`
 * (running statistics). {@link forward} runs `eval` unless told otherwise; the
 * gradient modes run `train`. The buffers live in {@link Model.buffers}, never
 * in closures.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { DenseGradients } from "./dense.ts";

/** `train`: batch statistics (and running-statistic updates); `eval`: running statistics. */
export type ModelMode = "train" | "eval";

/**
 * New buffer values reported by a train-mode forward pass, keyed by index
 * into {@link Model.buffers}. The values are kept (`tf.keep`) until
 * {@link commitBufferUpdates} or {@link BufferUpdates.dispose}.
 */
export class BufferUpdates {
  #values = new Map<number, tf.Tensor>();

  /** Records the new value of buffer `index` (replacing an earlier one of this pass). */
  set(index: number, value: tf.Tensor): void {
    const old = this.#values.get(index);
    if (old !== undefined && old !== value) old.dispose();
    this.#values.set(index, tf.keep(value));
  }

  /** The recorded updates (still owned by this object). */
  entries(): [number, tf.Tensor][] {
    return [...this.#values.entries()];
  }

  /** Hands the recorded updates over to the caller and empties this object. */
  take(): [number, tf.Tensor][] {
    const out = this.entries();
    this.#values.clear();
    return out;
  }

  /** Number of recorded updates. */
  get size(): number {
    return this.#values.size;
  }

  /** Frees the recorded values without committing them. */
  dispose(): void {
    for (const v of this.#values.values()) v.dispose();
    this.#values.clear();
  }
}

/** What a block sees of the model's state during one call. */
export interface BlockContext {
  /** train or eval (BatchNorm statistics). */
  readonly mode: ModelMode;
  /** This block's buffers, in {@link Block.bufferIndices} order. */
  readonly buffers: readonly tf.Tensor[];
  /**
   * Receives new buffer values in train mode: `update(i, value)` for the
   * block's i-th buffer. Absent: the pass updates nothing.
   */
  readonly update?: (i: number, value: tf.Tensor) => void;
}

/** One top-level block of a model. */
export interface Block {
  /** Indices into {@link Model.params} of the parameters this block owns. */
  readonly paramIndices: readonly number[];
  /** Per-sample output size n_i (the activity size, batch excluded). */
  readonly outputSize: number;
  /** Per-sample output shape (batch excluded; product = `outputSize`). Default `[outputSize]`. */
  readonly outputShape?: readonly number[];
  /** Indices into {@link Model.buffers} of the buffers this block owns (BatchNorm statistics). */
  readonly bufferIndices?: readonly number[];
  /**
   * Computes the block output `[B, ...outputShape]` from its input.
   *
   * @param x the previous block's output (or the model input for block 0)
   * @param params this block's parameters, in `paramIndices` order
   * @param wrt which gradients the block's layers record (see {@link DenseGradients})
   * @param ctx mode and buffers ({@link blockContext}); blocks without
   *   buffers ignore it, blocks with buffers require it
   */
  apply(
    x: tf.Tensor,
    params: readonly tf.Tensor[],
    wrt: DenseGradients,
    ctx?: BlockContext,
  ): tf.Tensor;
  /**
   * Optional fast block-local backward: the parameter gradients for an output
   * cotangent `dy`, given the block's input `x` and output `y` from the
   * forward pass (no recomputation). Must equal backprop through `apply`.
   */
  paramGradients?(
    x: tf.Tensor,
    y: tf.Tensor,
    dy: tf.Tensor,
    params: readonly tf.Tensor[],
  ): tf.Tensor[];
}

/** A trainable model made of blocks. Parameters are plain tensors that the optimizer replaces. */
export interface Model {
  /** Short model name (`fc`). */
  readonly name: string;
  /** Model config as logged in the progress CSV (`model__*` columns), in column order. */
  readonly config: Readonly<Record<string, string | number>>;
  /** Parameter names in parameter order (PyTorch `named_parameters` order). */
  readonly paramNames: readonly string[];
  /** The parameters; replaced (not mutated) by each optimizer step. */
  params: tf.Tensor[];
  /** The blocks, in forward order. */
  readonly blocks: readonly Block[];
  /** Non-trainable state (BatchNorm running statistics), replaced by {@link commitBufferUpdates}. */
  buffers?: tf.Tensor[];
  /** Buffer names (PyTorch `named_buffers` order, without `num_batches_tracked`). */
  readonly bufferNames?: readonly string[];
  /** Number of output classes (the last block's output size). */
  readonly numClasses: number;
}

/** The parameters of block `i` of `model` (or of `params`, which defaults to the model's). */
export function blockParams(
  model: Model,
  i: number,
  params: readonly tf.Tensor[] = model.params,
): tf.Tensor[] {
  return model.blocks[i].paramIndices.map((j) => params[j]);
}

/**
 * The context of block `i` for one pass: its buffers, and in train mode with
 * `updates` given, a sink for its new buffer values.
 */
export function blockContext(
  model: Model,
  i: number,
  mode: ModelMode = "eval",
  updates?: BufferUpdates,
): BlockContext {
  const idx = model.blocks[i].bufferIndices ?? [];
  const buffers = idx.map((j) => (model.buffers as tf.Tensor[])[j]);
  return {
    mode,
    buffers,
    update: updates && mode === "train" ? (m, v) => updates.set(idx[m], v) : undefined,
  };
}

/** Options of a {@link forward} pass. */
export interface ForwardOptions {
  /** train or eval (default eval). */
  mode?: ModelMode;
  /** Where a train-mode pass reports new buffer values (default: nowhere). */
  updates?: BufferUpdates;
}

/**
 * Runs the whole model: the logits [B, numClasses].
 *
 * @param model the model
 * @param x input batch
 * @param wrt gradients recorded by the dense layers (`none` for evaluation)
 * @param params parameters to use instead of the model's (same order)
 * @param options mode (default eval) and buffer-update sink
 */
export function forward(
  model: Model,
  x: tf.Tensor,
  wrt: DenseGradients = "none",
  params: readonly tf.Tensor[] = model.params,
  options: ForwardOptions = {},
): tf.Tensor2D {
  let a: tf.Tensor = x;
  for (let i = 0; i < model.blocks.length; i++) {
    a = model.blocks[i].apply(
      a,
      blockParams(model, i, params),
      i === 0 ? firstBlockWrt(wrt) : wrt,
      blockContext(model, i, options.mode, options.updates),
    );
  }
  return a as tf.Tensor2D;
}

/**
 * Replaces the model's buffers by the recorded updates (freeing the old
 * values) and empties `updates`.
 */
export function commitBufferUpdates(model: Model, updates: BufferUpdates): void {
  const buffers = model.buffers as tf.Tensor[];
  for (const [j, v] of updates.take()) {
    if (buffers[j] !== v) buffers[j].dispose();
    buffers[j] = v;
  }
}

/**
 * The gradients block 0 needs: its input is the data, which never needs a
 * gradient, so `all` becomes `params` and `input` becomes `none`.
 */
export function firstBlockWrt(wrt: DenseGradients): DenseGradients {
  return wrt === "all" ? "params" : wrt === "input" ? "none" : wrt;
}

/** Total number of scalar parameters. */
export function parameterCount(model: Model): number {
  return model.params.reduce((s, p) => s + p.size, 0);
}

/** Sum of the per-sample activity sizes N = Σ n_i. */
export function activityCount(model: Model): number {
  return model.blocks.reduce((s, b) => s + b.outputSize, 0);
}

/** The per-sample output shape of a block (`[outputSize]` unless it says otherwise). */
export function blockOutputShape(block: Block): readonly number[] {
  return block.outputShape ?? [block.outputSize];
}

/** Number of scalar buffer values (not parameters). */
export function bufferCount(model: Model): number {
  return (model.buffers ?? []).reduce((s, b) => s + b.size, 0);
}

/** Frees the model's parameters and buffers. */
export function disposeModel(model: Model): void {
  for (const p of model.params) p.dispose();
  model.params = [];
  for (const b of model.buffers ?? []) b.dispose();
  if (model.buffers) model.buffers = [];
}
