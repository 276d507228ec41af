import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import { Rng } from "../../src/core/rng.ts";
import {
  FUNCTION_NAMES,
  getFunction,
  normalizeFunctionName,
  PAPER_FUNCTIONS,
} from "../../src/functions/registry.ts";
import { startPosition } from "../../src/functions/starts.ts";

await initBackend("cpu");

const read = (t: tf.Tensor) => {
  const a = Float64Array.from(t.dataSync());
  t.dispose();
  return a;
};

/** A random point suited to the function: away from kinks (|x| > 0.1) for forest and ackley. */
function point(name: string, n: number, seed: number): Float32Array {
  const rng = new Rng(seed, "test-point", name, n);
  const x = rng.uniform(new Float32Array(n), -2, 2);
  for (let i = 0; i < n; i++) if (Math.abs(x[i]) < 0.1) x[i] += 0.3;
  return x;
}

const dims = (name: string) => getFunction(name).dimension ? [2] : [1, 2, 5, 16];

Deno.test("getFunction() lowercases and maps whitespace to _", () => {
  assert.equal(getFunction("Sphere").name, "sphere");
  assert.equal(getFunction("  Three Hump  Camel ").name, "three_hump_camel");
  assert.equal(getFunction("STYBLINSKI-TANG").name, "styblinski-tang");
  assert.equal(normalizeFunctionName("Levy \t Montalvo"), "levy_montalvo");
});

Deno.test("getFunction() rejects an unknown name and lists the valid ones", () => {
  assert.throws(() => getFunction("himmelblau"), (e: Error) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /himmelblau/);
    for (const n of FUNCTION_NAMES) assert.ok(e.message.includes(n), `missing ${n}`);
    return true;
  });
});

Deno.test("the registry holds the paper's three and the eight others", () => {
  assert.equal(FUNCTION_NAMES.length, 11);
  for (const f of PAPER_FUNCTIONS) assert.ok(FUNCTION_NAMES.includes(f));
  assert.equal(getFunction("sphere").maxSteps, 1000);
  assert.equal(getFunction("rosenbrock").maxSteps, 25000);
  assert.equal(getFunction("styblinski-tang").maxSteps, 1000);
});

Deno.test("evaluate() matches the float64 reference at random points", () => {
  for (const name of FUNCTION_NAMES) {
    for (const n of dims(name)) {
      for (let s = 0; s < 3; s++) {
        const x = point(name, n, s);
        const got = read(getFunction(name).evaluate(tf.tensor1d(x)))[0];
        const want = getFunction(name).reference(x);
        assert.ok(
          Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)),
          `${name} n=${n}: ${got} vs ${want}`,
        );
      }
    }
  }
});

Deno.test("tf.grad of every function matches central differences of the float64 reference", () => {
  for (const name of FUNCTION_NAMES) {
    const fn = getFunction(name);
    for (const n of dims(name)) {
      const x = point(name, n, 7);
      const g = read(tf.grad((t: tf.Tensor) => fn.evaluate(t as tf.Tensor1D))(tf.tensor1d(x)));
      const x64 = Float64Array.from(x);
      for (let i = 0; i < n; i++) {
        const h = 1e-6;
        const up = x64.slice(), dn = x64.slice();
        up[i] += h;
        dn[i] -= h;
        const fd = (fn.reference(up) - fn.reference(dn)) / (2 * h);
        assert.ok(
          Math.abs(g[i] - fd) <= 2e-3 * Math.max(1, Math.abs(fd)),
          `${name} n=${n} ∂${i}: ${g[i]} vs ${fd}`,
        );
      }
    }
  }
});

Deno.test("the spec's analytic gradients agree with tf.grad", () => {
  for (const name of ["sphere", "rosenbrock", "styblinski-tang", "plane"]) {
    const fn = getFunction(name);
    for (const n of [1, 2, 3, 16, 257]) {
      const x = tf.tensor1d(point(name, n, 3));
      const auto = read(tf.grad((t: tf.Tensor) => fn.evaluate(t as tf.Tensor1D))(x));
      const analytic = read(fn.gradient!(x));
      for (let i = 0; i < n; i++) {
        assert.ok(
          Math.abs(auto[i] - analytic[i]) <= 1e-4 * Math.max(1, Math.abs(auto[i])),
          `${name} n=${n} ∂${i}: ${auto[i]} vs ${analytic[i]}`,
        );
      }
      x.dispose();
    }
  }
});

Deno.test("start values and start gradients are the spec's", () => {
  for (const n of [1, 2, 8, 1024]) {
    const f0 = (name: string) => {
      const fn = getFunction(name);
      return read(fn.evaluate(tf.tensor1d(startPosition(fn.defaultStart, n))))[0];
    };
    assert.equal(f0("sphere"), n);
    assert.equal(f0("styblinski-tang"), 0);
    assert.equal(f0("rosenbrock"), n === 1 ? 0 : n + 102);
    const grad = (name: string) => {
      const fn = getFunction(name);
      return read(fn.gradient!(tf.tensor1d(startPosition(fn.defaultStart, n))));
    };
    assert.ok(grad("sphere").every((g) => g === -2));
    assert.ok(grad("styblinski-tang").every((g) => g === 2.5));
    const r = grad("rosenbrock");
    if (n === 1) assert.deepEqual([...r], [0]);
    else if (n === 2) assert.deepEqual([...r], [-404, -200]);
    else {
      assert.deepEqual([...r.slice(0, 2)], [-404, -202]);
      assert.ok(r.slice(2, n - 1).every((g) => g === -2));
      assert.equal(r[n - 1], 0);
    }
  }
});

Deno.test("rosenbrock with n = 1 is identically 0 with gradient 0", () => {
  const fn = getFunction("rosenbrock");
  const x = tf.tensor1d([3.5]);
  assert.equal(read(fn.evaluate(x))[0], 0);
  assert.deepEqual([...read(tf.grad((t: tf.Tensor) => fn.evaluate(t as tf.Tensor1D))(x))], [0]);
  x.dispose();
});

Deno.test("global minima: the functions reach them at their minimisers", () => {
  const at = (name: string, x: number[]) => read(getFunction(name).evaluate(tf.tensor1d(x)))[0];
  assert.equal(getFunction("styblinski-tang").globalMinimum(16), -39.16599 * 16);
  assert.ok(Math.abs(at("styblinski-tang", [-2.903534, -2.903534]) - -39.16599 * 2) < 1e-3);
  assert.equal(at("rosenbrock", [1, 1, 1]), 0);
  assert.ok(at("beale", [3, 0.5]) < 1e-10);
  assert.ok(Math.abs(at("goldstein_price", [0, -1]) - 3) < 1e-4);
  assert.ok(at("levy_montalvo", [1, 1]) < 1e-10);
  for (const name of ["eggcrate", "ackley", "forest", "three_hump_camel"]) {
    assert.ok(Math.abs(at(name, [0, 0])) < 1e-5, name);
    assert.equal(getFunction(name).globalMinimum(2), 0);
  }
  assert.equal(getFunction("plane").globalMinimum(3), -Infinity);
});

Deno.test("2-D functions reject other dimensions with a TypeError", () => {
  assert.throws(() => getFunction("beale").evaluate(tf.tensor1d([1, 2, 3])), TypeError);
});
