/**
 * `jvp` and `directionalDerivatives`: multi-tangent forward-mode AD for
 * ordinary TensorFlow.js code.
 *
 * How it works. While `f` runs, every kernel invocation that reaches the tfjs
 * engine (`engine.runKernelFunc`) is intercepted. Right after a kernel runs, if
 * any of its inputs carries a tangent, the kernel's JVP rule (see
 * `registry.ts`) maps the input tangents to output tangents for all k
 * directions in one batched call. Tangents are kept in a map from tensor id.
 *
 * Why not the gradient tape that `tf.grad` uses (the brief's suggestion): the
 * tape clones every tensor a backward pass would need (a full copy per kernel
 * on wasm), records `customGrad` ops as one opaque node named after the scope
 * (so the dense layer of `src/nn/dense.ts` or `tf.logSoftmax` would need hand
 * rules), and only works for kernels that have a registered gradient. The
 * interception sees the primitive kernels inside `customGrad` bodies, keeps
 * nothing alive longer than `f` itself does, and evaluates tangents on the
 * fly (true forward mode). Kernels called from inside another kernel's
 * implementation are not intercepted (depth counter), nor are the ops a rule
 * runs. The hook is installed only for the duration of one `jvp` call.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { jvpRuleFor } from "./registry.ts";
import { expandTangent, isTangentFor, type Tangent } from "./value.ts";
import "./register_all.ts";

/** The result of {@link jvp}: the primal output(s) and their tangents `[k, ...shape]`. */
export interface JvpResult {
  /** f(primals), as f returned it (one tensor or a list). */
  primal: tf.Tensor | tf.Tensor[];
  /** The output tangents, `[k, ...output.shape]`, in the same structure. */
  tangent: tf.Tensor | tf.Tensor[];
}

/** Options of {@link jvp}. */
export interface JvpOptions {
  /** Called with the kernel name each time a JVP rule is applied (for tracing and tests). */
  onKernel?: (kernelName: string) => void;
}

interface KernelParams {
  kernelName?: string;
  inputs: Record<string, tf.Tensor | undefined>;
  attrs?: Record<string, unknown>;
}

interface EngineLike {
  runKernelFunc: (params: KernelParams) => tf.Tensor | tf.Tensor[];
  disposeTensor: (t: tf.Tensor) => void;
}

interface Trace {
  k: number;
  tangents: Map<number, tf.Tensor>;
  /** Tangents this trace created (kept alive across f's own tidy scopes), disposed at the end. */
  owned: Set<tf.Tensor>;
  /** The caller's tangents: never disposed here. */
  external: Set<tf.Tensor>;
  /** How many primals each owned tangent is the tangent of (identity-like rules share one). */
  refs: Map<tf.Tensor, number>;
  depth: number;
  inRule: boolean;
  onKernel?: (kernelName: string) => void;
}

let active: Trace | null = null;

function checkInputs(primals: tf.Tensor[], tangents: Tangent[]): number {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) {
    throw new TypeError("Cannot compute JVP: primals and tangents must be arrays");
  }
  if (primals.length !== tangents.length) {
    throw new TypeError(
      `Cannot compute JVP: got ${primals.length} primals but ${tangents.length} tangents`,
    );
  }
  let k = -1;
  const seen = new Set<number>();
  primals.forEach((p, i) => {
    if (!(p instanceof tf.Tensor)) {
      throw new TypeError(`Cannot compute JVP: primals[${i}] is not a tensor`);
    }
    if (seen.has(p.id)) {
      throw new TypeError(`Cannot compute JVP: primals[${i}] is passed twice`);
    }
    seen.add(p.id);
    const t = tangents[i];
    if (t === null || t === undefined) return;
    if (k < 0) k = t.shape[0];
    if (t.dtype !== "float32" || !isTangentFor(t, p.shape, k)) {
      throw new TypeError(
        `Cannot compute JVP: tangents[${i}] has shape ${JSON.stringify(t.shape)} (${t.dtype}), ` +
          `expected float32 [k=${k}, ...] broadcastable to [${[k, ...p.shape].join(", ")}]`,
      );
    }
  });
  if (k < 0) {
    throw new TypeError("Cannot compute JVP: every tangent is null, so k is unknown");
  }
  if (k < 1) throw new RangeError(`Cannot compute JVP: k must be at least 1, got ${k}`);
  return k;
}

function handleKernel(trace: Trace, params: KernelParams, out: tf.Tensor | tf.Tensor[]): void {
  const names = Object.keys(params.inputs);
  const tangents: Record<string, Tangent> = {};
  let any = false;
  for (const name of names) {
    const input = params.inputs[name];
    const t = input ? trace.tangents.get(input.id) ?? null : null;
    tangents[name] = t;
    if (t !== null) any = true;
  }
  if (!any) return;
  const outputs = Array.isArray(out) ? out : [out];
  if (outputs.every((o) => o.dtype !== "float32")) return;
  const kernelName = params.kernelName as string;
  const rule = jvpRuleFor(kernelName);
  trace.onKernel?.(kernelName);
  trace.inRule = true;
  let result: Tangent[];
  try {
    result = tf.tidy(() => {
      const r = rule({
        kernelName,
        inputs: params.inputs,
        tangents,
        outputs,
        attrs: params.attrs ?? {},
        k: trace.k,
      });
      return r.map((t) => t ?? undefined) as unknown as tf.Tensor[];
    }) as unknown as Tangent[];
  } finally {
    trace.inRule = false;
  }
  outputs.forEach((o, i) => {
    const t = result[i] ?? null;
    if (t === null) return;
    if (o.dtype !== "float32") {
      t.dispose();
      return;
    }
    if (!isTangentFor(t, o.shape, trace.k)) {
      throw new Error(
        `Cannot compute JVP of "${kernelName}": its rule returned a tangent of shape ${
          JSON.stringify(t.shape)
        } for output ${i} of shape ${JSON.stringify(o.shape)} with k = ${trace.k}`,
      );
    }
    // A rule may hand back an input tangent unchanged (identity, reshape no-ops).
    if (!trace.external.has(t) && !trace.owned.has(t)) {
      tf.keep(t);
      trace.owned.add(t);
    }
    trace.refs.set(t, (trace.refs.get(t) ?? 0) + 1);
    trace.tangents.set(o.id, t);
  });
}

/** Frees the tangent of a primal that is being disposed, once no other primal shares it. */
function release(trace: Trace, primal: tf.Tensor): void {
  const t = trace.tangents.get(primal.id);
  if (t === undefined) return;
  trace.tangents.delete(primal.id);
  const n = (trace.refs.get(t) ?? 0) - 1;
  if (n > 0) {
    trace.refs.set(t, n);
    return;
  }
  trace.refs.delete(t);
  if (trace.owned.delete(t)) t.dispose();
}

function withTrace<T>(trace: Trace, run: () => T): T {
  const engine = tf.engine() as unknown as EngineLike;
  const original = engine.runKernelFunc;
  const originalDispose = engine.disposeTensor;
  // A disposed primal can never be an input again, so its tangent is dead too:
  // wrapping parts of f in tf.tidy bounds the memory of deep networks.
  engine.disposeTensor = function (this: EngineLike, t: tf.Tensor) {
    originalDispose.call(this, t);
    if (!trace.inRule) release(trace, t);
  };
  engine.runKernelFunc = function (this: EngineLike, params: KernelParams) {
    if (params.kernelName === undefined || trace.depth > 0 || trace.inRule) {
      return original.call(this, params);
    }
    trace.depth++;
    let out: tf.Tensor | tf.Tensor[];
    try {
      out = original.call(this, params);
    } finally {
      trace.depth--;
    }
    handleKernel(trace, params, out);
    return out;
  };
  try {
    return run();
  } finally {
    delete (engine as { runKernelFunc?: unknown }).runKernelFunc;
    delete (engine as { disposeTensor?: unknown }).disposeTensor;
    if (engine.runKernelFunc !== original) engine.runKernelFunc = original;
    if (engine.disposeTensor !== originalDispose) engine.disposeTensor = originalDispose;
  }
}

/**
 * Evaluates `f(...primals)` and its directional derivatives along k tangent
 * directions at once (forward-mode AD, Jacobian-vector products).
 *
 * `f` is ordinary tfjs code. `tangents[i]` has shape `[k, ...primals[i].shape]`
 * or one broadcastable to it with the same rank (for example `[k, 1, n]` for a
 * primal `[B, n]`: one tangent shared by every sample); `null` is a symbolic
 * zero that costs nothing. Every kernel `f` runs on a tangent-carrying value
 * needs a registered rule, otherwise this throws
 * `Cannot compute JVP of "<kernel>": no rule is registered`.
 *
 * All intermediate tensors (primal and tangent) are disposed; the caller owns
 * the returned primal output(s) and tangent(s). A tangent is freed as soon as
 * its primal is disposed, so wrapping the layers of a deep `f` in `tf.tidy`
 * keeps the tangent memory to that of the live activations. `f` must be
 * synchronous.
 *
 * @param f the function; returns one tensor or an array of tensors
 * @param primals the point at which to differentiate
 * @param tangents one tangent (or null) per primal, sharing k
 * @param options tracing hooks
 * @returns the output(s) and their tangents `[k, ...output.shape]`
 *
 * @example Gradient of Σx² along two directions
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { jvp } from "./jvp.ts";
 * const x = tf.tensor1d([1, 2, 3]);
 * const v = tf.tensor2d([[1, 0, 0], [0, 1, 1]]);
 * const { primal, tangent } = jvp((x) => tf.sum(tf.square(x)), [x], [v]);
 * console.log(await (primal as tf.Tensor).data()); // [14]
 * console.log(await (tangent as tf.Tensor).data()); // [2, 10]
 * ```
 */
export function jvp(
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  primals: tf.Tensor[],
  tangents: Tangent[],
  options: JvpOptions = {},
): JvpResult {
  if (active !== null) {
    throw new Error("Cannot compute JVP: nested jvp() calls are not supported");
  }
  const k = checkInputs(primals, tangents);
  const trace: Trace = {
    k,
    tangents: new Map(),
    owned: new Set(),
    external: new Set(),
    refs: new Map(),
    depth: 0,
    inRule: false,
    onKernel: options.onKernel,
  };
  primals.forEach((p, i) => {
    const t = tangents[i];
    if (t) {
      trace.tangents.set(p.id, t);
      trace.external.add(t);
    }
  });
  active = trace;
  try {
    return tf.tidy(() => {
      const out = withTrace(trace, () => f(...primals));
      const list = Array.isArray(out) ? out : [out];
      const outTangents = list.map((o, i) => {
        if (!(o instanceof tf.Tensor)) {
          throw new TypeError(`Cannot compute JVP: f returned a non-tensor at position ${i}`);
        }
        const t = trace.tangents.get(o.id);
        if (t === undefined) return tf.zeros([k, ...o.shape]);
        const full = expandTangent(t, o.shape);
        // Always hand out a fresh, untracked-by-us tensor the caller's tidy can own.
        return full === t ? tf.clone(t) : full;
      });
      return {
        primal: out,
        tangent: Array.isArray(out) ? outTangents : outTangents[0],
      } as unknown as tf.TensorContainer;
    }) as unknown as JvpResult;
  } finally {
    for (const t of trace.owned) t.dispose();
    trace.owned.clear();
    trace.external.clear();
    trace.refs.clear();
    trace.tangents.clear();
    active = null;
  }
}

/**
 * The k directional derivatives `⟨∇f(primals), tangent_j⟩` of a scalar-valued
 * `f`, as a `[k]` tensor. The primal value is disposed.
 *
 * @example Directional derivatives of the sphere function
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { directionalDerivatives } from "./jvp.ts";
 * const x = tf.tensor1d([1, -1]);
 * const v = tf.tensor2d([[1, 0], [1, 1], [0, 2]]);
 * const d = directionalDerivatives((x) => tf.sum(tf.square(x)), [x], [v]);
 * console.log(await d.data()); // [2, 0, -4]
 * ```
 */
export function directionalDerivatives(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  primals: tf.Tensor[],
  tangents: Tangent[],
): tf.Tensor1D {
  const { primal, tangent } = jvp(f, primals, tangents);
  if (Array.isArray(primal) || Array.isArray(tangent)) {
    tf.dispose([primal, tangent]);
    throw new TypeError(
      "Cannot compute directional derivatives: f must return one scalar tensor, got a list",
    );
  }
  const y = primal;
  const t = tangent;
  y.dispose();
  if (y.size !== 1) {
    t.dispose();
    throw new TypeError(
      `Cannot compute directional derivatives: f must return a scalar, got shape ${
        JSON.stringify(y.shape)
      }`,
    );
  }
  if (t.rank === 1) return t as tf.Tensor1D;
  const r = tf.reshape(t, [t.shape[0]]) as tf.Tensor1D;
  t.dispose();
  return r;
}
