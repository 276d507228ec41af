import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import { Rng } from "../../src/core/rng.ts";
import { sampleTangents } from "../../src/core/tangents.ts";
import { fg } from "../../src/functions/approaches.ts";
import { fgOracle, fmadOracle, TANGENT_STREAM } from "../../src/functions/forward_oracles.ts";
import { createGradientOracle } from "../../src/functions/gradients.ts";
import { bpOracle } from "../../src/functions/oracle.ts";
import { FUNCTION_NAMES, getFunction } from "../../src/functions/registry.ts";

await initBackend("cpu");

const read = (t: tf.Tensor) => {
  const a = Float64Array.from(t.dataSync());
  t.dispose();
  return a;
};

function randomX(n: number, seed: number): tf.Tensor1D {
  const x = new Rng(seed, "oracle-test", n).uniform(new Float32Array(n), -1.5, 1.5);
  for (let i = 0; i < n; i++) if (Math.abs(x[i]) < 0.1) x[i] += 0.3; // away from |x| kinks
  return tf.tensor1d(x);
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    e += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  return Math.sqrt(e / Math.max(s, 1e-30));
}

Deno.test("fmadOracle() gives the exact gradient and f(x) for every function", () => {
  for (const name of FUNCTION_NAMES) {
    const fn = getFunction(name);
    for (const n of fn.dimension ? [2] : [1, 3, 16]) {
      const x = randomX(n, 1);
      const bp = bpOracle(fn).valueAndGradient(x);
      const o = fmadOracle(fn, n);
      const fm = o.valueAndGradient(x);
      assert.ok(
        Math.abs(read(fm.value)[0] - read(bp.value)[0]) <=
          1e-6 * Math.max(1, Math.abs(read(fn.evaluate(x))[0])),
      );
      const err = relErr(read(fm.gradient), read(bp.gradient));
      assert.ok(err < 1e-5, `${name} n=${n}: relative error ${err}`);
      o.dispose();
      x.dispose();
    }
  }
});

Deno.test("fgOracle() with mean and k = 1 returns (v·∇f) v for the run's own tangents", () => {
  const fn = getFunction("rosenbrock");
  const n = 8;
  const x = randomX(n, 2);
  const grad = read(bpOracle(fn).valueAndGradient(x).gradient);
  const oracle = fgOracle(fn, fg(1, "mean"), 5, n);
  const rng = new Rng(5, ...TANGENT_STREAM);
  for (let step = 0; step < 3; step++) {
    const v = sampleTangents(rng, "normal", 1, n);
    const dot = v.reduce((s, vi, i) => s + vi * grad[i], 0);
    const got = read(oracle.valueAndGradient(x).gradient);
    const want = Array.from(v, (vi) => dot * vi);
    assert.ok(relErr(got, want) < 1e-4, `step ${step}: ${relErr(got, want)}`);
  }
  x.dispose();
});

Deno.test("fgOracle() frog with k ≥ n recovers the gradient", () => {
  for (
    const [name, n, k] of [["styblinski-tang", 4, 4], ["sphere", 8, 16], ["beale", 2, 2]] as const
  ) {
    const fn = getFunction(name);
    const x = randomX(n, 3);
    const want = read(bpOracle(fn).valueAndGradient(x).gradient);
    const got = read(
      fgOracle(fn, fg(k, "orthogonal_projection"), 0, n).valueAndGradient(x).gradient,
    );
    assert.ok(relErr(got, want) < 1e-4, `${name}: ${relErr(got, want)}`);
    x.dispose();
  }
});

Deno.test("fgOracle(): mean-k and frog-k of one seed see the same tangents, fresh every step", () => {
  // With k = 1 frog is d·v/‖v‖², mean is d·v: parallel, ratio ‖v‖² > 0.
  const fn = getFunction("styblinski-tang");
  const n = 16;
  const x = randomX(n, 4);
  const mean = fgOracle(fn, fg(1, "mean"), 9, n);
  const frog = fgOracle(fn, fg(1, "orthogonal_projection"), 9, n);
  let previous: Float64Array | undefined;
  for (let step = 0; step < 3; step++) {
    const a = read(mean.valueAndGradient(x).gradient);
    const b = read(frog.valueAndGradient(x).gradient);
    const ratio = a[0] / b[0];
    assert.ok(ratio > 0);
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(a[i] - ratio * b[i]) <= 1e-4 * Math.abs(a[i]) + 1e-6);
    }
    if (previous) assert.ok(relErr(a, previous) > 1e-3, "tangents must change every step");
    previous = a;
  }
  x.dispose();
});

Deno.test("fgOracle() is deterministic per seed and differs across seeds", () => {
  const fn = getFunction("sphere");
  const x = randomX(32, 5);
  const draw = (seed: number) =>
    read(fgOracle(fn, fg(4, "mean"), seed, 32).valueAndGradient(x).gradient);
  assert.deepEqual(draw(1), draw(1));
  assert.ok(relErr(draw(1), draw(2)) > 1e-3);
  x.dispose();
});

Deno.test("fgOracle() with angle tangents uses the core sampler (unit-length tangents)", () => {
  // mean over k angle tangents of sphere: with unit tangents ‖fg‖ ≤ ‖∇f‖
  const fn = getFunction("sphere");
  const x = randomX(64, 6);
  const g = read(bpOracle(fn).valueAndGradient(x).gradient);
  const est = read(
    fgOracle(fn, fg(16, "mean", { sampler: "specific_angle_45" }), 0, 64).valueAndGradient(x)
      .gradient,
  );
  const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
  assert.ok(norm(est) <= norm(g) + 1e-4);
  assert.ok(est.reduce((s, v, i) => s + v * g[i], 0) >= 0);
  x.dispose();
});

Deno.test("createGradientOracle() rejects a wrong dimension for 2-D functions and unknown types", () => {
  assert.throws(
    () => createGradientOracle(getFunction("beale"), { type: "bp" }, 0, 3),
    /2-dimensional/,
  );
  assert.throws(
    () => createGradientOracle(getFunction("sphere"), { type: "adam" } as never, 0, 3),
    /Unknown gradient approach "adam"/,
  );
});

Deno.test("the oracles leak no tensors", () => {
  const fn = getFunction("rosenbrock");
  const x = randomX(8, 7);
  const before = tf.memory().numTensors;
  for (const o of [fmadOracle(fn, 8), fgOracle(fn, fg(4, "orthogonal_projection"), 0, 8)]) {
    const r = o.valueAndGradient(x);
    tf.dispose([r.value, r.gradient]);
    o.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
