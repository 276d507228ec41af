/**
 * The JVP rule table, keyed by TensorFlow.js kernel names (`"Exp"`,
 * `"BatchMatMul"`, `"Conv2D"`, …), and the call shape every rule receives.
 *
 * @module
 */
import type * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Tangent } from "./value.ts";

/** What a rule sees for one recorded kernel invocation. */
export interface JvpCall {
  /** The tfjs kernel name. */
  kernelName: string;
  /** Primal inputs by tfjs input name (`x`, `a`, `b`, `filter`, or `"0"`, `"1"`, … for lists). */
  inputs: Record<string, tf.Tensor | undefined>;
  /** Input tangents by the same names; `null` is a symbolic zero. */
  tangents: Record<string, Tangent>;
  /** Primal outputs of the kernel, in order. */
  outputs: tf.Tensor[];
  /** Kernel attributes as tfjs passed them. */
  attrs: Record<string, unknown>;
  /** Number of tangent directions. */
  k: number;
}

/**
 * A JVP rule: maps one kernel call to one tangent per output, for all k
 * directions at once. Each tangent has shape `[k, ...S']` broadcastable to
 * `[k, ...output.shape]` (same rank), or is `null` (symbolic zero).
 */
export type JvpRule = (call: JvpCall) => Tangent[];

/** A set of rules keyed by kernel name, as exported by each `rules/*.ts` file. */
export type JvpRuleTable = Record<string, JvpRule>;

const rules = new Map<string, JvpRule>();

/**
 * Registers (or replaces) the JVP rule of a kernel.
 *
 * @example Register a rule for a kernel
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { registerJvp } from "./registry.ts";
 * registerJvp("Neg", ({ tangents }) => [tangents.x ? tf.neg(tangents.x) : null]);
 * ```
 */
export function registerJvp(kernelName: string, rule: JvpRule): void {
  rules.set(kernelName, rule);
}

/** Registers every rule of a table. */
export function registerJvpTable(table: JvpRuleTable): void {
  for (const [name, rule] of Object.entries(table)) registerJvp(name, rule);
}

/** The rule of a kernel, or undefined. */
export function findJvpRule(kernelName: string): JvpRule | undefined {
  return rules.get(kernelName);
}

/**
 * The rule of a kernel.
 *
 * @throws {Error} `Cannot compute JVP of "<kernel>": no rule is registered`
 */
export function jvpRuleFor(kernelName: string): JvpRule {
  const rule = rules.get(kernelName);
  if (!rule) throw new Error(`Cannot compute JVP of "${kernelName}": no rule is registered`);
  return rule;
}

/** Names of all kernels with a registered rule, sorted. */
export function registeredJvpKernels(): string[] {
  return [...rules.keys()].sort();
}
