/**
 * The model shape every gradient mode works on: an ordered list of blocks
 * (the paper's top-level groups), each a function of the previous block's
 * output and its own parameters. Node perturbation perturbs block outputs;
 * weight perturbation perturbs `params` in order.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { DenseGradients } from "./dense.ts";

/** One top-level block of a model. */
export interface Block {
  /** Indices into {@link Model.params} of the parameters this block owns. */
  readonly paramIndices: readonly number[];
  /** Per-sample output size n_i (the activity size, batch excluded). */
  readonly outputSize: number;
  /**
   * Computes the block output [B, outputSize] from its input.
   *
   * @param x the previous block's output (or the model input for block 0)
   * @param params this block's parameters, in `paramIndices` order
   * @param wrt which gradients the block's dense layers record (see {@link DenseGradients})
   */
  apply(x: tf.Tensor, params: readonly tf.Tensor[], wrt: DenseGradients): tf.Tensor2D;
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
 * Runs the whole model: the logits [B, numClasses].
 *
 * @param model the model
 * @param x input batch
 * @param wrt gradients recorded by the dense layers (`none` for evaluation)
 * @param params parameters to use instead of the model's (same order)
 */
export function forward(
  model: Model,
  x: tf.Tensor,
  wrt: DenseGradients = "none",
  params: readonly tf.Tensor[] = model.params,
): tf.Tensor2D {
  let a: tf.Tensor = x;
  for (let i = 0; i < model.blocks.length; i++) {
    a = model.blocks[i].apply(a, blockParams(model, i, params), i === 0 ? firstBlockWrt(wrt) : wrt);
  }
  return a as tf.Tensor2D;
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

/** Frees the model's parameters. */
export function disposeModel(model: Model): void {
  for (const p of model.params) p.dispose();
  model.params = [];
}
