/**
 * The typed-array oracle (src/functions/fast) against the tfjs oracle it
 * replaces on wasm: bit-identical f, gradients and whole descents (values,
 * stop reasons, final x) for every supported function × approach × n, and the
 * smoke profile's functions grid unchanged; the kernels against the float64
 * closed forms; and which path `createGradientOracle` picks.
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import { Rng } from "../../src/core/rng.ts";
import { type ApproachSpec, BP, fg, FMAD } from "../../src/functions/approaches.ts";
import { gradientDescent } from "../../src/functions/descent.ts";
import { fastOracle, fastPathApplies } from "../../src/functions/fast/oracle.ts";
import { kernelsFor } from "../../src/functions/fast/registry.ts";
import { fgOracle } from "../../src/functions/forward_oracles.ts";
import { createGradientOracle } from "../../src/functions/gradients.ts";
import { bpOracle, type GradientOracle } from "../../src/functions/oracle.ts";
import { getFunction } from "../../src/functions/registry.ts";
import { startPosition } from "../../src/functions/starts.ts";
import { defaultMathTables, functionsParams, planFunctions } from "../../src/stages/functions.ts";

await initBackend("wasm");

const FUNCTIONS = ["sphere", "rosenbrock", "styblinski-tang"];
const APPROACHES: ApproachSpec[] = [
  BP,
  fg(1, "mean"),
  fg(2, "mean"),
  fg(2, "orthogonal_projection"),
  fg(4, "mean"),
  fg(4, "orthogonal_projection"),
  fg(16, "mean"),
  fg(16, "orthogonal_projection"),
  fg(3, "sum"),
  fg(3, "mean_times_dim"),
  fg(4, "orthogonal_projection", { sampler: "specific_angle_45" }),
  fg(4, "mean", { normalize: true, scalingCorrection: true }),
  fg(4, "orthogonal_projection", { sampler: "rademacher", scalingCorrection: true }),
];
const NS = [1, 2, 3, 16, 100, 1024];

function applicable(a: ApproachSpec, n: number): boolean {
  if (a.type !== "fg") return true;
  if (a.sampler.startsWith("specific_angle")) return n >= 2;
  // ±1 tangents in few dimensions are often dependent: frog throws (see the parity test below)
  return a.sampler !== "rademacher" || n >= 16;
}

function tfjsOracle(name: string, a: ApproachSpec, seed: number, n: number): GradientOracle {
  const fn = getFunction(name);
  return a.type === "bp" ? bpOracle(fn) : fgOracle(fn, a as ReturnType<typeof fg>, seed, n);
}

/** Same bits, NaN included (−0 and +0 differ only in a sign that nothing reads). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  }
  return true;
}

const label = (a: ApproachSpec) =>
  a.type === "fg" ? `fg k=${a.k} ${a.aggregation} ${a.sampler}${a.normalize ? " norm" : ""}` : "bp";

Deno.test("fast oracle steps equal the tfjs oracle's bit for bit (f, gradient, 3 steps of tangents)", () => {
  for (const name of FUNCTIONS) {
    for (const n of NS) {
      for (const a of APPROACHES.filter((a) => applicable(a, n))) {
        for (const scale of [1, 4]) {
          const x = new Rng(7, "fast-test", n, scale).uniform(new Float32Array(n), -scale, scale);
          const ref = tfjsOracle(name, a, 5, n);
          const fast = fastOracle(getFunction(name), a, 5, n)!.fast!;
          const xt = tf.tensor1d(x);
          for (let step = 0; step < 3; step++) {
            const want = ref.valueAndGradient(xt);
            const g = new Float32Array(n);
            const value = fast.valueAndGradient(x, g);
            const wantG = want.gradient.dataSync();
            const wantV = want.value.dataSync()[0];
            tf.dispose([want.value, want.gradient]);
            const where = `${name} n=${n} ${label(a)} scale ${scale} step ${step}`;
            assert.ok(sameBits([value], [wantV]), `${where}: f ${value} vs ${wantV}`);
            assert.ok(sameBits(g, wantG), `${where}: gradients differ`);
          }
          assert.ok(sameBits([fast.value(x)], [getFunction(name).evaluate(xt).dataSync()[0]]));
          xt.dispose();
          ref.dispose();
        }
      }
    }
  }
});

Deno.test("fast descents equal tfjs descents bit for bit, including NaN and early stops", () => {
  const reasons = new Set<string>();
  for (const name of FUNCTIONS) {
    const fn = getFunction(name);
    for (const n of [1, 2, 16, 100]) {
      for (const a of APPROACHES.filter((a) => applicable(a, n))) {
        for (const lr of [1e-3, 0.05, 3]) {
          const run = (o: GradientOracle) => {
            try {
              return gradientDescent(fn, o, {
                lr,
                maxSteps: 40,
                patience: 8,
                start: startPosition(fn.defaultStart, n),
              });
            } finally {
              o.dispose();
            }
          };
          const want = run(tfjsOracle(name, a, 2, n));
          const got = run(fastOracle(fn, a, 2, n)!);
          const where = `${name} n=${n} ${label(a)} lr=${lr}`;
          assert.equal(got.steps, want.steps, where);
          assert.equal(got.stopReason, want.stopReason, where);
          assert.ok(sameBits(got.y, want.y), `${where}: y differs`);
          assert.ok(sameBits(got.x, want.x), `${where}: final x differs`);
          reasons.add(want.stopReason);
        }
      }
    }
  }
  assert.deepEqual([...reasons].sort(), ["NaN values", "early stopping", "max steps"]);
});

Deno.test("frog with dependent tangents throws the same error on both paths", () => {
  const fn = getFunction("sphere");
  const a = fg(4, "orthogonal_projection", { sampler: "rademacher" });
  const x = new Float32Array([0.5, -1]);
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };
  let thrown = 0;
  for (let seed = 0; seed < 8; seed++) {
    const ref = tfjsOracle("sphere", a, seed, 2);
    const fast = fastOracle(fn, a, seed, 2)!.fast!;
    const xt = tf.tensor1d(x);
    const want = message(() => tf.dispose(Object.values(ref.valueAndGradient(xt))));
    const got = message(() => fast.valueAndGradient(x, new Float32Array(2)));
    xt.dispose();
    assert.equal(got, want, `seed ${seed}`);
    if (want !== "no error") thrown++;
  }
  assert.ok(thrown > 0, "no seed drew dependent tangents");
});

Deno.test("the smoke profile's functions runs are the same on both paths (reference bp capped at 1500 steps)", () => {
  const plan = planFunctions(functionsParams("smoke"), defaultMathTables());
  let runs = 0;
  for (const unit of [...plan.main, ...plan.custom, ...plan.referenceBp]) {
    for (const r of unit.runs) {
      const fn = getFunction(r.functionName);
      const opts = {
        lr: r.lr,
        maxSteps: Math.min(r.maxSteps, 1500),
        patience: r.patience,
        start: startPosition(fn.defaultStart, r.n),
      };
      const auto = createGradientOracle(fn, r.approach, r.seed, r.n);
      assert.ok(
        auto.fast,
        `${r.functionName} n=${r.n} ${label(r.approach)}: auto took the tfjs path`,
      );
      const got = gradientDescent(fn, auto, opts);
      const ref = createGradientOracle(fn, r.approach, r.seed, r.n, { path: "tfjs" });
      const want = gradientDescent(fn, ref, opts);
      ref.dispose();
      const where = `${r.functionName} n=${r.n} ${label(r.approach)} seed ${r.seed}`;
      assert.equal(got.stopReason, want.stopReason, where);
      assert.ok(sameBits(got.y, want.y), `${where}: y differs`);
      runs++;
    }
  }
  assert.ok(runs > 250, `planned ${runs} runs`);
});

Deno.test("fast kernels agree with the float64 closed forms (value, gradient, directional derivatives)", () => {
  const grad64: Record<string, (x: Float64Array) => Float64Array> = {
    sphere: (x) => x.map((v) => 2 * v),
    "styblinski-tang": (x) => x.map((v) => 2 * v ** 3 - 16 * v + 2.5),
    rosenbrock: (x) =>
      x.map((v, i) =>
        (i + 1 < x.length ? -400 * v * (x[i + 1] - v * v) - 2 * (1 - v) : 0) +
        (i > 0 ? 200 * (v - x[i - 1] ** 2) : 0)
      ),
  };
  for (const name of FUNCTIONS) {
    const fn = getFunction(name);
    const kernels = kernelsFor(name)!;
    for (const n of [2, 16, 1024]) {
      const x = new Rng(3, "fast-f64", n).uniform(new Float32Array(n), -2, 2);
      const x64 = Float64Array.from(x);
      const g = new Float32Array(n);
      const f = kernels.valueAndGradient(x, g);
      const want = fn.reference(x64);
      const wantG = grad64[name](x64);
      const norm = Math.hypot(...wantG);
      assert.ok(Math.abs(f - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${name} n=${n} f`);
      for (let i = 0; i < n; i++) {
        assert.ok(Math.abs(g[i] - wantG[i]) <= 1e-5 * Math.max(1, norm), `${name} n=${n} g[${i}]`);
      }
      const k = 3;
      const v = new Rng(4, "fast-f64-v", n).normal(new Float32Array(k * n));
      const d = new Float32Array(k);
      kernels.valueAndDirectional(x, v, k, d);
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += v[j * n + i] * wantG[i];
        assert.ok(Math.abs(d[j] - dot) <= 1e-4 * Math.max(1, norm * Math.sqrt(n)), `${name} d`);
      }
    }
  }
});

Deno.test("createGradientOracle: fast where it applies on wasm, tfjs elsewhere; path forces either", async () => {
  const sphere = getFunction("sphere");
  assert.ok(createGradientOracle(sphere, BP, 0, 16).fast);
  assert.ok(createGradientOracle(sphere, fg(4, "orthogonal_projection"), 0, 16).fast);
  assert.equal(createGradientOracle(sphere, BP, 0, 16, { path: "tfjs" }).fast, undefined);
  assert.equal(createGradientOracle(getFunction("ackley"), BP, 0, 2).fast, undefined);
  assert.equal(createGradientOracle(sphere, fg(4, "max"), 0, 16).fast, undefined);
  const fmad = createGradientOracle(sphere, FMAD, 0, 4);
  assert.equal(fmad.fast, undefined);
  fmad.dispose();
  assert.equal(fastPathApplies(sphere, fg(16, "mean"), 1 << 24), false);
  assert.throws(
    () => createGradientOracle(getFunction("ackley"), BP, 0, 2, { path: "fast" }),
    /typed-array path/,
  );
  await tf.setBackend("cpu");
  try {
    assert.equal(createGradientOracle(sphere, BP, 0, 16).fast, undefined);
  } finally {
    await tf.setBackend("wasm");
  }
});
