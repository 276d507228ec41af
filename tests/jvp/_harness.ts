/**
 * Shared checks for JVP rules: every op spec is run through `jvp` and compared
 * with reverse mode (`tf.grads` of `sum(w ⊙ f(x))` dotted with each tangent) and
 * with central finite differences, for k = 1 and k > 1.
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.ts";
import { jvp } from "../../src/jvp/mod.ts";

/**
 * How primal values are drawn:
 * - normal: N(0, 1); positive: 0.5 + |N(0, 1)|; unit: uniform in (−0.9, 0.9);
 * - away: 2·N(0, 1) kept at least 0.15 from the kinks 0, ±0.5, ±6;
 * - grid / gridOdd: a random permutation of (j − n/2)·0.25 (+ 0.125 for gridOdd):
 *   distinct values, 0.25 apart, for max/min, pooling, and comparisons between
 *   a grid and a gridOdd input (gaps ≥ 0.125).
 */
export type Domain = "normal" | "positive" | "unit" | "away" | "grid" | "gridOdd";

/** One row of the op spec table. */
export interface OpSpec {
  /** Test name. */
  name: string;
  /** The rules file (without `.ts`) whose rules this spec exercises. */
  family: string;
  /** Kernels that must be differentiated while evaluating f. */
  kernels: string[];
  /** Shapes of f's inputs. */
  shapes: number[][];
  /** Value domains per input (default normal). */
  domains?: Domain[];
  /** Inputs that get a null tangent (symbolic zero). */
  noTangent?: number[];
  /** The function under test. */
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  /**
   * The same function written with ops whose tfjs gradient exists and is right,
   * for the reverse-mode reference where tfjs's own gradient of `f` is missing
   * or wrong (StridedSlice, dilated conv2d, some broadcasting gradients).
   */
  ref?: (...xs: tf.Tensor[]) => tf.Tensor;
  /**
   * f is elementwise (all inputs share one shape, any shape works): the spec is
   * also run on random shapes.
   */
  shapeFree?: boolean;
  /** Finite-difference step (default 1e-2). */
  h?: number;
  /** Relative tolerance of the finite-difference check (default 2e-2). */
  fdTol?: number;
}

const KINKS = [0, 0.5, -0.5, 6, -6];

function draw(rng: Rng, n: number, domain: Domain): Float32Array {
  const out = new Float32Array(n);
  switch (domain) {
    case "normal":
      for (let i = 0; i < n; i++) out[i] = rng.nextNormal();
      break;
    case "positive":
      for (let i = 0; i < n; i++) out[i] = 0.5 + Math.abs(rng.nextNormal());
      break;
    case "unit":
      for (let i = 0; i < n; i++) out[i] = (rng.nextFloat() * 2 - 1) * 0.9;
      break;
    case "away":
      for (let i = 0; i < n; i++) {
        let v = 0;
        do v = 2 * rng.nextNormal(); while (KINKS.some((kk) => Math.abs(v - kk) < 0.15));
        out[i] = v;
      }
      break;
    case "grid":
    case "gridOdd": {
      const shift = domain === "grid" ? 0 : 0.5;
      const idx = [...Array(n).keys()];
      for (let i = n - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        [idx[i], idx[j]] = [idx[j], idx[i]];
      }
      idx.forEach((v, i) => (out[i] = (v - Math.floor(n / 2) + shift) * 0.25));
      break;
    }
  }
  return out;
}

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** A tensor of seeded N(0, 1) values. */
export function randomNormal(rng: Rng, shape: number[]): tf.Tensor {
  return tf.tensor(draw(rng, size(shape), "normal"), shape);
}

/** A random shape: rank 1 to 4, each axis 1 to 4 long. */
export function randomShape(rng: Rng): number[] {
  return Array.from({ length: 1 + rng.nextInt(4) }, () => 1 + rng.nextInt(4));
}

/** Draws the primals of a spec. */
export function primalsOf(spec: OpSpec, rng: Rng): tf.Tensor[] {
  return spec.shapes.map((s, i) => tf.tensor(draw(rng, size(s), spec.domains?.[i] ?? "normal"), s));
}

function norm(a: number[]): number {
  return Math.sqrt(a.reduce((s, v) => s + v * v, 0));
}

function diffNorm(a: number[], b: number[]): number {
  return norm(a.map((v, i) => v - b[i]));
}

/** Σ over all but the first axis of t ⊙ w (w broadcast), as a plain array [k]. */
function weighted(t: tf.Tensor, w: tf.Tensor): number[] {
  return tf.tidy(() => {
    const p = tf.mul(t, w);
    return Array.from(tf.sum(tf.reshape(p, [p.shape[0], -1]), 1).dataSync());
  });
}

/**
 * Checks one spec for k directions: tangent shape, kernels hit, agreement with
 * reverse mode (relative 2e-4) and with central differences (spec tolerance).
 */
export async function checkSpec(
  spec: OpSpec,
  k: number,
  seed = 1,
  referenceBackend?: string,
): Promise<void> {
  const rng = new Rng(seed, "jvp-spec", spec.name, k);
  if (seed !== 1 && spec.shapeFree) {
    const shape = randomShape(rng);
    spec = { ...spec, shapes: spec.shapes.map(() => shape) };
  }
  const xs = primalsOf(spec, rng);
  const vs = spec.shapes.map((s, i) =>
    spec.noTangent?.includes(i) ? null : randomNormal(rng, [k, ...s])
  );
  const hit = new Set<string>();
  const { primal, tangent } = jvp(spec.f, xs, vs, { onKernel: (n) => hit.add(n) });
  const y = primal as tf.Tensor;
  const t = tangent as tf.Tensor;
  try {
    assert.deepEqual(t.shape, [k, ...y.shape], `${spec.name}: tangent shape`);
    for (const kernel of spec.kernels) {
      assert.ok(
        hit.has(kernel),
        `${spec.name}: kernel ${kernel} was not differentiated (hit: ${[...hit]})`,
      );
    }
    const w = randomNormal(rng, y.shape);
    const actual = weighted(t, w);

    // Reverse mode: <∇ sum(w ⊙ f), v_j>.
    const ref = spec.ref ?? spec.f;
    // Some backends (wasm) lack the backward kernels of conv and pooling: take the
    // reverse-mode reference from another backend then.
    const backend = tf.getBackend();
    if (referenceBackend) await tf.setBackend(referenceBackend);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(w, ref(...a))))(xs);
    const expected = tf.tidy(() => {
      let acc = tf.zeros([k]);
      vs.forEach((v, i) => {
        if (v === null) return;
        const g = tf.expandDims(grads[i], 0);
        acc = tf.add(acc, tf.sum(tf.reshape(tf.mul(v, g), [k, -1]), 1));
      });
      return Array.from(acc.dataSync());
    });
    tf.dispose(grads);
    if (referenceBackend) await tf.setBackend(backend);
    const revErr = diffNorm(actual, expected);
    assert.ok(
      revErr <= 2e-4 * norm(expected) + 1e-5,
      `${spec.name}: JVP ${actual} differs from reverse mode ${expected} (|Δ| = ${revErr})`,
    );

    // Central differences along each tangent.
    const h = spec.h ?? 1e-2;
    const scale = tf.tidy(() => tf.sum(tf.abs(tf.mul(w, y))).dataSync()[0]);
    const fd = tf.tidy(() =>
      Array.from({ length: k }, (_, j) => {
        const shifted = (sign: number) =>
          xs.map((x, i) => {
            const v = vs[i];
            if (v === null) return x;
            const vj = tf.reshape(tf.slice(v, [j], [1]), x.shape);
            return tf.add(x, tf.mul(vj, sign * h));
          });
        const plus = tf.sum(tf.mul(w, spec.f(...shifted(1))));
        const minus = tf.sum(tf.mul(w, spec.f(...shifted(-1))));
        return (plus.dataSync()[0] - minus.dataSync()[0]) / (2 * h);
      })
    );
    const fdErr = diffNorm(actual, fd);
    const tol = (spec.fdTol ?? 2e-2) * norm(actual) + 20 * 6e-8 * scale / h * Math.sqrt(k);
    assert.ok(
      fdErr <= tol,
      `${spec.name}: JVP ${actual} differs from central differences ${fd} (|Δ| = ${fdErr} > ${tol})`,
    );
    w.dispose();
  } finally {
    tf.dispose([...xs, ...vs.filter((v): v is tf.Tensor => v !== null), y, t]);
  }
}

/** Registers the standard tests of a list of specs: k = 1 and k = 3, no tensor leaks. */
export function testSpecs(specs: OpSpec[], referenceBackend?: string): void {
  for (const spec of specs) {
    for (const k of [1, 3]) {
      Deno.test(`${spec.kernels.join(", ")} JVP rule matches reverse mode and central differences: ${spec.name} (k = ${k})`, async () => {
        const before = tf.memory().numTensors;
        await checkSpec(spec, k, 1, referenceBackend);
        assert.equal(tf.memory().numTensors, before, `${spec.name}: tensors leaked`);
      });
    }
    if (!spec.shapeFree) continue;
    Deno.test(`${spec.kernels.join(", ")} JVP rule matches reverse mode and central differences: ${spec.name} on random shapes (k = 2)`, async () => {
      for (const seed of [11, 12, 13]) await checkSpec(spec, 2, seed, referenceBackend);
    });
  }
}
