import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.ts";
import {
  getSampler,
  isLinearlyIndependent,
  normalize,
  SAMPLER_KEYS,
  sampleTangents,
  type TangentSampler,
  tangentsTensor,
} from "../../src/core/tangents.ts";
import { close, cpu } from "./_helpers.ts";

await cpu();

const row = (v: Float32Array, j: number, n: number) => v.subarray(j * n, (j + 1) * n);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

Deno.test("sampleTangents() gives the same tangents for the same seed and different ones otherwise", () => {
  for (const key of ["normal", "rademacher", "specific_angle_30", "varying_length_3"]) {
    const a = sampleTangents(new Rng(0, "t"), key, 4, 10);
    const b = sampleTangents(new Rng(0, "t"), key, 4, 10);
    const c = sampleTangents(new Rng(1, "t"), key, 4, 10);
    assert.deepEqual(Array.from(a), Array.from(b), key);
    assert.notDeepEqual(Array.from(a), Array.from(c), key);
  }
});

Deno.test("rademacher tangents are ±1 with mean near 0", () => {
  const v = sampleTangents(new Rng(2, "r"), "rademacher", 100, 100);
  assert.ok(v.every((x) => x === 1 || x === -1));
  const m = v.reduce((a, x) => a + x, 0) / v.length;
  assert.ok(Math.abs(m) < 5 / Math.sqrt(v.length), `mean ${m}`);
});

Deno.test("eye and standard_basis give e_i rows and zero rows beyond n", () => {
  const v = sampleTangents(new Rng(0), "eye", 4, 3);
  assert.deepEqual(Array.from(v), [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(sampleTangents(new Rng(0), "standard_basis", 2, 3)), [
    1,
    0,
    0,
    0,
    1,
    0,
  ]);
});

Deno.test("specific_angle tangents have unit length and sit at exactly the requested angle to the first", () => {
  for (const A of [15, 45, 90, 135]) {
    const k = 6, n = 20;
    const v = sampleTangents(new Rng(3, "a"), `specific_angle_${A}`, k, n);
    const b = row(v, 0, n);
    close(Math.sqrt(dot(b, b)), 1, 1e-6, "‖b‖");
    for (let j = 1; j < k; j++) {
      const vj = row(v, j, n);
      close(Math.sqrt(dot(vj, vj)), 1, 1e-6, `‖v_${j}‖`);
      const angle = (Math.acos(Math.max(-1, Math.min(1, dot(vj, b)))) * 180) / Math.PI;
      close(angle, A, 1e-3, `angle of v_${j} at A=${A}`);
    }
  }
});

Deno.test("specific_angle_0 keeps the normalised random rows, and k = 1 returns only b", () => {
  const v = sampleTangents(new Rng(4), "specific_angle_0", 3, 8);
  const u = new Rng(4).zigguratNormal(new Float64Array(24));
  for (let j = 0; j < 3; j++) {
    const r = u.subarray(j * 8, j * 8 + 8);
    const norm = Math.sqrt(dot(r, r));
    for (let t = 0; t < 8; t++) close(v[j * 8 + t], r[t] / norm, 1e-6);
  }
  const one = sampleTangents(new Rng(4), "specific_angle_60", 1, 8);
  for (let t = 0; t < 8; t++) close(one[t], v[t], 1e-7);
});

Deno.test("varying_length tangents are ℓ_i·e_{π(i)} with ℓ in [1, S) on distinct basis vectors", () => {
  const k = 10, n = 12, S = 4.5;
  const v = sampleTangents(new Rng(5), `varying_length_${S}`, k, n);
  const used = new Set<number>();
  for (let j = 0; j < k; j++) {
    const nz = Array.from(row(v, j, n).entries()).filter(([, x]) => x !== 0);
    assert.equal(nz.length, 1, `row ${j}`);
    const [idx, len] = nz[0];
    assert.ok(len >= 1 && len < S, `length ${len}`);
    used.add(idx);
  }
  assert.equal(used.size, k);
  assert.throws(() => sampleTangents(new Rng(5), "varying_length_2", 5, 4), /k must be ≤ n/);
});

Deno.test("getSampler() rejects unknown keys listing the valid ones", () => {
  for (const bad of ["gaussian", "specific_angle_x", "varying_length_", "specific_angle_1.5"]) {
    assert.throws(
      () => getSampler(bad),
      new RegExp(`Unknown tangent sampler "${bad}".*${SAMPLER_KEYS[0]}`),
    );
  }
  assert.ok(getSampler("my_specific_angle_30") !== undefined, "regex search, as in the reference");
});

Deno.test("normalize() makes every tangent unit length", () => {
  const v = sampleTangents(new Rng(6), "normal", 5, 7, { normalize: true });
  for (let j = 0; j < 5; j++) close(Math.sqrt(dot(row(v, j, 7), row(v, j, 7))), 1, 1e-6);
  const w = normalize(Float32Array.of(3, 4), 1, 2);
  assert.deepEqual(Array.from(w), [Math.fround(0.6), Math.fround(0.8)]);
});

Deno.test("isLinearlyIndependent() needs k ≤ n and full rank", () => {
  assert.equal(isLinearlyIndependent(Float32Array.of(1, 0, 0, 1), 2, 2), true);
  assert.equal(isLinearlyIndependent(Float32Array.of(1, 2, 2, 4), 2, 2), false);
  assert.equal(isLinearlyIndependent(Float32Array.of(1, 0, 0, 1, 1, 1), 3, 2), false);
});

Deno.test("sampleTangents() redraws at most `resample` times while the draw is dependent", () => {
  let calls = 0;
  const dependent: TangentSampler = (_r, k, n, out) => {
    calls++;
    const v = out ?? new Float32Array(k * n);
    v.fill(1);
    return v;
  };
  sampleTangents(new Rng(0), dependent, 2, 3, { resample: 4 });
  assert.equal(calls, 5);
  calls = 0;
  sampleTangents(new Rng(0), dependent, 2, 3);
  assert.equal(calls, 1);
  let second = 0;
  const onceBad: TangentSampler = (_r, k, n, out) => {
    const v = out ?? new Float32Array(k * n);
    v.fill(0);
    for (let i = 0; i < k; i++) v[i * n + (second > 0 ? i : 0)] = 1;
    second++;
    return v;
  };
  const v = sampleTangents(new Rng(0), onceBad, 2, 3, { resample: 10 });
  assert.equal(second, 2);
  assert.ok(isLinearlyIndependent(v, 2, 3));
});

Deno.test("tangentsTensor() reshapes k×n tangents to [k, ...shape]", () => {
  const t = tangentsTensor(new Float32Array(24), 2, [3, 4]);
  assert.deepEqual(t.shape, [2, 3, 4]);
  t.dispose();
  assert.equal(tf.memory().numTensors, 0);
});
