/**
 * Tangent samplers (spec §1.2), normalisation, the linear-independence check
 * and bounded resampling. Tangents are k×n float32 matrices, row-major: row j
 * is tangent v_j. All randomness comes from an explicit {@link Rng}.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { Rng } from "./rng.ts";
import { matrixRank } from "./_linalg.ts";

/**
 * A sampler: draws k tangents of flattened size n from `rng` into `out`
 * (a fresh Float32Array of length k·n when omitted) and returns it.
 */
export type TangentSampler = (rng: Rng, k: number, n: number, out?: Float32Array) => Float32Array;

/** The exact sampler keys; `specific_angle_<A>` and `varying_length_<S>` are patterns. */
export const SAMPLER_KEYS = [
  "normal",
  "rademacher",
  "eye",
  "standard_basis",
  "specific_angle_<A>",
  "varying_length_<S>",
] as const;

function output(k: number, n: number, out?: Float32Array): Float32Array {
  checkSize(k, n);
  if (out === undefined) return new Float32Array(k * n);
  if (out.length !== k * n) {
    throw new TypeError(`Cannot sample tangents: out has length ${out.length}, expected ${k * n}`);
  }
  return out;
}

function checkSize(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`Cannot sample tangents: k must be a positive integer, got ${k}`);
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot sample tangents: n must be a positive integer, got ${n}`);
  }
}

/** I.i.d. standard-normal entries (ziggurat; see {@link Rng.zigguratNormal}). */
export const sampleNormal: TangentSampler = (rng, k, n, out): Float32Array =>
  rng.zigguratNormal(output(k, n, out));

/** I.i.d. ±1 entries with probability ½ each. */
export const sampleRademacher: TangentSampler = (rng, k, n, out): Float32Array =>
  rng.rademacher(output(k, n, out));

/** Row i is e_i for i < min(k, n); rows i ≥ n are zero. Deterministic. */
export const sampleStandardBasis: TangentSampler = (_rng, k, n, out): Float32Array => {
  const v = output(k, n, out);
  v.fill(0);
  for (let i = 0; i < Math.min(k, n); i++) v[i * n + i] = 1;
  return v;
};

/**
 * `specific_angle_<A>`: unit tangents; the first is a random direction b,
 * every other one is at exactly A degrees to b (spec §1.2). A = 0 keeps the
 * normalised random rows. The angle is converted to radians in float32, as
 * in the reference (cos 90° ≈ −4.4e−8).
 *
 * @param degrees the angle A in degrees
 */
export function specificAngleSampler(degrees: number): TangentSampler {
  if (!Number.isFinite(degrees)) {
    throw new RangeError(
      `Cannot build a specific-angle sampler: angle must be finite, got ${degrees}`,
    );
  }
  const rad = Math.fround(Math.fround(degrees) * Math.fround(Math.PI / 180));
  const c = Math.fround(Math.cos(rad)), s = Math.fround(Math.sin(rad));
  return (rng, k, n, out) => {
    const v = output(k, n, out);
    const u = rng.zigguratNormal(new Float64Array(k * n));
    for (let j = 0; j < k; j++) {
      let ss = 0;
      for (let t = 0; t < n; t++) ss += u[j * n + t] ** 2;
      const inv = 1 / Math.sqrt(ss);
      for (let t = 0; t < n; t++) u[j * n + t] *= inv;
    }
    for (let t = 0; t < n; t++) v[t] = u[t];
    for (let j = 1; j < k; j++) {
      const o = j * n;
      if (degrees === 0) {
        for (let t = 0; t < n; t++) v[o + t] = u[o + t];
        continue;
      }
      let dot = 0;
      for (let t = 0; t < n; t++) dot += u[o + t] * u[t];
      let rr = 0;
      for (let t = 0; t < n; t++) {
        const r = u[o + t] - dot * u[t];
        u[o + t] = r;
        rr += r * r;
      }
      const inv = 1 / Math.sqrt(rr);
      for (let t = 0; t < n; t++) v[o + t] = c * u[t] + s * u[o + t] * inv;
    }
    return v;
  };
}

/**
 * `varying_length_<S>`: k ≤ n orthogonal basis tangents ℓ_i·e_{perm[i]} with
 * lengths ℓ_i uniform on [1, S) (spec §1.2).
 *
 * @param maxLength S
 */
export function varyingLengthSampler(maxLength: number): TangentSampler {
  if (!Number.isFinite(maxLength)) {
    throw new RangeError(
      `Cannot build a varying-length sampler: S must be finite, got ${maxLength}`,
    );
  }
  return (rng, k, n, out) => {
    if (k > n) {
      throw new RangeError(
        `Cannot sample varying_length tangents: k must be ≤ n, got k=${k}, n=${n}`,
      );
    }
    const v = output(k, n, out);
    const lengths = rng.uniform(new Float64Array(k), 1, maxLength);
    const perm = rng.permutation(n);
    v.fill(0);
    for (let i = 0; i < k; i++) v[i * n + perm[i]] = lengths[i];
    return v;
  };
}

/**
 * Looks a sampler up by key: exact keys first, then the patterns
 * `specific_angle_<A>` (integer degrees) and `varying_length_<S>` (float).
 *
 * @param name the sampler key
 * @returns the sampler
 * @example
 * ```ts
 * import { getSampler } from "./tangents.ts";
 * import { Rng } from "./rng.ts";
 * const v = getSampler("specific_angle_45")(new Rng(0, "doc"), 3, 8);
 * console.log(v.length); // 24
 * ```
 */
export function getSampler(name: string): TangentSampler {
  switch (name) {
    case "normal":
      return sampleNormal;
    case "rademacher":
      return sampleRademacher;
    case "eye":
    case "standard_basis":
      return sampleStandardBasis;
  }
  const angle = /specific_angle_(.+)/.exec(name);
  if (angle && /^[+-]?\d+$/.test(angle[1])) return specificAngleSampler(Number(angle[1]));
  const len = /varying_length_(.+)/.exec(name);
  if (len && len[1].trim() !== "" && Number.isFinite(Number(len[1]))) {
    return varyingLengthSampler(Number(len[1]));
  }
  throw new RangeError(
    `Unknown tangent sampler "${name}": expected one of ${SAMPLER_KEYS.join(", ")}`,
  );
}

/** Divides every tangent (row) by its L2 norm, in place; returns `v`. */
export function normalize(v: Float32Array, k: number, n: number): Float32Array {
  for (let j = 0; j < k; j++) {
    let ss = 0;
    const o = j * n;
    for (let t = 0; t < n; t++) ss += v[o + t] * v[o + t];
    const inv = 1 / Math.sqrt(ss);
    for (let t = 0; t < n; t++) v[o + t] = v[o + t] * inv;
  }
  return v;
}

/** Whether k tangents of size n are linearly independent: k ≤ n and rank(V) = k (float64). */
export function isLinearlyIndependent(v: Float32Array, k: number, n: number): boolean {
  if (k > n) return false;
  return matrixRank(Float64Array.from(v), k, n) === k;
}

/** Options of {@link sampleTangents}. */
export interface SampleTangentsOptions {
  /** Normalise every tangent to unit length (after resampling). Default false. */
  normalize?: boolean;
  /** Redraw up to this many times while the tangents are not independent. Default 0. */
  resample?: number;
  /** Write into this buffer (length k·n) instead of a fresh one. */
  out?: Float32Array;
}

/**
 * Draws k tangents of size n (spec §1.2 `sample_tangents`): sample, redraw
 * at most `resample` times while not linearly independent (the last draw is
 * accepted unconditionally), then normalise if asked.
 *
 * @param rng the generator (advanced by the draws)
 * @param sampler a sampler or its key
 * @param k number of tangents
 * @param n flattened size of one tangent
 * @param opts normalisation and resampling
 * @returns Float32Array k×n, row-major
 * @example Eight unit-length normal tangents in R^100
 * ```ts
 * import { sampleTangents } from "./tangents.ts";
 * import { Rng } from "./rng.ts";
 * const v = sampleTangents(new Rng(0, "doc"), "normal", 8, 100, { normalize: true });
 * console.log(v.length); // 800
 * ```
 */
export function sampleTangents(
  rng: Rng,
  sampler: TangentSampler | string,
  k: number,
  n: number,
  opts: SampleTangentsOptions = {},
): Float32Array {
  const draw = typeof sampler === "string" ? getSampler(sampler) : sampler;
  let resample = opts.resample ?? 0;
  if (!Number.isInteger(resample) || resample < 0) {
    throw new RangeError(
      `Cannot sample tangents: resample must be a non-negative integer, got ${resample}`,
    );
  }
  let v = draw(rng, k, n, opts.out);
  while (resample > 0 && !isLinearlyIndependent(v, k, n)) {
    resample--;
    v = draw(rng, k, n, v);
  }
  if (opts.normalize) normalize(v, k, n);
  return v;
}

/**
 * Wraps k×n tangents as a tf tensor of shape [k, ...shape] (default [k, n]).
 * On the cpu backend the tensor shares the buffer: do not refill it while
 * the tensor lives.
 */
export function tangentsTensor(
  v: Float32Array,
  k: number,
  shape: number[] = [v.length / k],
): tf.Tensor {
  return tf.tensor(v, [k, ...shape], "float32");
}
