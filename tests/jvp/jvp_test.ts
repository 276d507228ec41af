import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import { Rng } from "../../src/core/rng.ts";
import { directionalDerivatives, jvp } from "../../src/jvp/mod.ts";
import { randomNormal } from "./_harness.ts";

await initBackend("cpu");

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  assert.deepEqual(a.shape, b.shape);
  const err = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  const scale = tf.tidy(() => tf.max(tf.abs(b)).dataSync()[0]);
  assert.ok(err <= tol * (1 + scale), `max |Δ| = ${err} (scale ${scale})`);
}

Deno.test("jvp() returns the primal and [k, ...shape] tangents of Σx²", () => {
  const x = tf.tensor1d([1, 2, 3]);
  const v = tf.tensor2d([[1, 0, 0], [0, 1, 1]]);
  const { primal, tangent } = jvp((x) => tf.sum(tf.square(x)), [x], [v]);
  assert.deepEqual(Array.from((primal as tf.Tensor).dataSync()), [14]);
  assert.deepEqual((tangent as tf.Tensor).shape, [2]);
  assert.deepEqual(Array.from((tangent as tf.Tensor).dataSync()), [2, 10]);
  tf.dispose([x, v, primal as tf.Tensor, tangent as tf.Tensor]);
});

Deno.test("directionalDerivatives() gives [k] for a scalar f and rejects a non-scalar f", () => {
  const x = tf.tensor1d([1, -1]);
  const v = tf.tensor2d([[1, 0], [1, 1], [0, 2]]);
  const d = directionalDerivatives((x) => tf.sum(tf.square(x)), [x], [v]);
  assert.deepEqual(d.shape, [3]);
  assert.deepEqual(Array.from(d.dataSync()), [2, 0, -4]);
  const before = tf.memory().numTensors;
  assert.throws(
    () => directionalDerivatives((x) => tf.square(x), [x], [v]),
    (e: Error) => e instanceof TypeError && /must return a scalar, got shape \[2\]/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, v, d]);
});

Deno.test("jvp() treats null tangents as zeros and ignores inputs without a tangent", () => {
  const rng = new Rng(3, "jvp-null");
  const a = randomNormal(rng, [3, 4]);
  const b = randomNormal(rng, [3, 4]);
  const va = randomNormal(rng, [2, 3, 4]);
  const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.exp(a), tf.sin(b)), 1);
  const hit: string[] = [];
  const withNull = jvp(f, [a, b], [va, null], { onKernel: (n) => hit.push(n) });
  // The Sin kernel has no tangent input, so its rule never runs.
  assert.ok(!hit.includes("Sin"));
  const zeros = tf.zeros([2, 3, 4]);
  const withZeros = jvp(f, [a, b], [va, zeros]);
  close(withNull.tangent as tf.Tensor, withZeros.tangent as tf.Tensor);
  tf.dispose([a, b, va, zeros, withNull, withZeros] as unknown as tf.Tensor[]);
});

Deno.test("jvp() gives zero tangents for outputs that do not depend on the inputs", () => {
  const x = tf.ones([2]);
  const v = tf.ones([3, 2]);
  const { tangent } = jvp((x) => [tf.square(x), tf.ones([4])], [x], [v]);
  const [t0, t1] = tangent as tf.Tensor[];
  assert.deepEqual(t0.shape, [3, 2]);
  assert.deepEqual(t1.shape, [3, 4]);
  assert.equal(tf.sum(tf.abs(t1)).dataSync()[0], 0);
  tf.dispose([x, v, t0, t1]);
});

Deno.test("jvp() with a batch-invariant tangent [k, 1, n] equals the same tangent tiled over the batch", () => {
  const rng = new Rng(4, "jvp-broadcast");
  const x = randomNormal(rng, [5, 4]);
  const w = randomNormal(rng, [4, 3]);
  const v = randomNormal(rng, [2, 1, 4]);
  const f = (x: tf.Tensor, w: tf.Tensor) =>
    tf.sum(tf.tanh(tf.matMul(tf.reshape(tf.relu(x), [5, 4]), w)), 1);
  const compact = jvp(f, [x, w], [v, null]);
  const tiled = tf.tile(v, [1, 5, 1]);
  const full = jvp(f, [x, w], [tiled, null]);
  assert.deepEqual((compact.tangent as tf.Tensor).shape, [2, 5]);
  close(compact.tangent as tf.Tensor, full.tangent as tf.Tensor);
  tf.dispose([x, w, v, tiled, compact, full] as unknown as tf.Tensor[]);
});

Deno.test("jvp() expands a compact output tangent to [k, ...output.shape]", () => {
  const x = tf.zeros([3, 2]);
  const v = tf.ones([4, 1, 2]);
  const { tangent } = jvp((x) => tf.neg(x), [x], [v]);
  assert.deepEqual((tangent as tf.Tensor).shape, [4, 3, 2]);
  assert.deepEqual(Array.from((tangent as tf.Tensor).dataSync()), new Array(24).fill(-1));
  tf.dispose([x, v, tangent as tf.Tensor]);
});

Deno.test("jvp() frees every intermediate tensor and leaves the caller's tangents alive", () => {
  const rng = new Rng(5, "jvp-memory");
  const x = randomNormal(rng, [4, 6]);
  const w = randomNormal(rng, [6, 3]);
  const vx = randomNormal(rng, [3, 1, 6]);
  const vw = randomNormal(rng, [3, 6, 3]);
  const before = tf.memory().numTensors;
  const r = jvp(
    (x, w) => {
      const h = tf.tidy(() => tf.relu(tf.matMul(x, w)));
      return tf.mean(tf.logSoftmax(tf.add(h, tf.clone(h))));
    },
    [x, w],
    [vx, vw],
  );
  assert.equal(tf.memory().numTensors, before + 2);
  tf.dispose([r.primal as tf.Tensor, r.tangent as tf.Tensor]);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(vx.isDisposed, false);
  assert.equal(vw.isDisposed, false);
  // The identity f hands back a tensor the caller owns, not the caller's tangent.
  const id = jvp((x) => x, [x], [tf.keep(vx)]);
  assert.notEqual(id.tangent, vx);
  tf.dispose([id.tangent as tf.Tensor]);
  assert.equal(vx.isDisposed, false);
  tf.dispose([x, w, vx, vw]);
});

Deno.test("jvp() frees a tangent as soon as its primal is disposed (tf.tidy inside f)", () => {
  const x = tf.ones([4, 5]);
  const v = tf.ones([3, 4, 5]);
  const before = tf.memory().numTensors;
  let inside = -1;
  const r = jvp(
    (x) => {
      let h = x;
      for (let i = 0; i < 10; i++) {
        const next = tf.tidy(() => tf.tanh(tf.mul(tf.sin(h), 1.5)));
        if (i > 0) h.dispose();
        h = next;
      }
      inside = tf.memory().numTensors - before;
      return h;
    },
    [x],
    [v],
  );
  // Alive at the end of f: the last activity and its tangent (plus scalar constants tfjs caches).
  assert.ok(inside <= 4, `${inside} tensors alive at the end of f`);
  tf.dispose([r.primal as tf.Tensor, r.tangent as tf.Tensor]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, v]);
});

Deno.test("jvp() inside tf.tidy: the results belong to the caller's scope", () => {
  const x = tf.ones([3]);
  const v = tf.ones([2, 3]);
  const before = tf.memory().numTensors;
  const kept = tf.tidy(() => {
    const r = jvp((x) => tf.exp(x), [x], [v]);
    return tf.add(r.tangent as tf.Tensor, 0);
  });
  assert.equal(tf.memory().numTensors, before + 1);
  tf.dispose([x, v, kept]);
});

Deno.test("jvp() throws for a kernel without a rule, naming the kernel, and frees everything", () => {
  const x = tf.ones([3]);
  const v = tf.ones([2, 3]);
  const before = tf.memory().numTensors;
  assert.throws(
    () => jvp((x) => tf.cumprod(tf.exp(x)), [x], [v]),
    { message: 'Cannot compute JVP of "Cumprod": no rule is registered' },
  );
  assert.equal(tf.memory().numTensors, before);
  // The engine works normally afterwards (the interception is removed).
  const y = tf.cumprod(x);
  assert.deepEqual(Array.from(y.dataSync()), [1, 1, 1]);
  tf.dispose([x, v, y]);
});

Deno.test("jvp() checks its arguments", () => {
  const x = tf.ones([2, 3]);
  assert.throws(() => jvp((x) => x, [x], [tf.ones([4, 3])]), TypeError);
  assert.throws(() => jvp((x) => x, [x], [tf.ones([4, 2, 2])]), TypeError);
  assert.throws(() => jvp((x) => x, [x], [null]), /every tangent is null/);
  assert.throws(() => jvp((x) => x, [x], []), /1 primals but 0 tangents/);
  assert.throws(
    () => jvp((a, b) => tf.add(a, b), [x, tf.ones([3])], [tf.ones([2, 2, 3]), tf.ones([3, 3])]),
    TypeError,
  );
  assert.throws(
    () =>
      jvp((x) => jvp((y) => y, [x], [tf.ones([1, 2, 3])]).primal as tf.Tensor, [x], [
        tf.ones([1, 2, 3]),
      ]),
    /nested jvp\(\) calls are not supported/,
  );
  tf.dispose(x);
});

Deno.test("jvp() differentiates through the body of a tf.customGrad op", () => {
  const dense = tf.customGrad((x, w, save) => {
    (save as tf.GradSaveFunc)([x as tf.Tensor, w as tf.Tensor]);
    return {
      value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)),
        tf.matMul(tf.transpose(xs), dy as tf.Tensor2D),
      ],
    };
  });
  const rng = new Rng(6, "jvp-customgrad");
  const x = randomNormal(rng, [3, 4]);
  const w = randomNormal(rng, [4, 2]);
  const vw = randomNormal(rng, [2, 4, 2]);
  const viaCustom = jvp((x, w) => dense(x, w), [x, w], [null, vw]);
  const plain = jvp((x, w) => tf.matMul(x, w), [x, w], [null, vw]);
  close(viaCustom.tangent as tf.Tensor, plain.tangent as tf.Tensor);
  tf.dispose([x, w, vw, viaCustom, plain] as unknown as tf.Tensor[]);
});

/** A small MLP 784-64-64-10 with a block-output perturbation slot p_i per block (node perturbation). */
function mlp(
  params: tf.Tensor[],
  x: tf.Tensor,
  labels: tf.Tensor,
  perturb: tf.Tensor[],
): tf.Tensor {
  const [w1, b1, w2, b2, w3, b3] = params;
  const a1 = tf.add(tf.relu(tf.add(tf.matMul(x, w1), b1)), perturb[0]);
  const a2 = tf.add(tf.relu(tf.add(tf.matMul(a1, w2), b2)), perturb[1]);
  const logits = tf.add(tf.add(tf.matMul(a2, w3), b3), perturb[2]);
  const onehot = tf.oneHot(labels, 10);
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)));
}

function mlpSetup(seed: number) {
  const rng = new Rng(seed, "jvp-mlp");
  const sizes = [784, 64, 64, 10];
  const params: tf.Tensor[] = [];
  for (let i = 0; i < 3; i++) {
    params.push(tf.mul(randomNormal(rng, [sizes[i], sizes[i + 1]]), 1 / Math.sqrt(sizes[i])));
    params.push(tf.mul(randomNormal(rng, [sizes[i + 1]]), 0.1));
  }
  const B = 8;
  const x = randomNormal(rng, [B, 784]);
  const labels = tf.tensor1d(Array.from({ length: B }, () => rng.nextInt(10)), "int32");
  return { rng, params, x, labels, B, sizes };
}

Deno.test("MLP 784-64-64-10 node perturbation: loss JVP equals Σ_i v_i·∂L/∂a_i from tf.grad", () => {
  const { rng, params, x, labels, sizes } = mlpSetup(7);
  const k = 4;
  const zeros = sizes.slice(1).map((n) => tf.zeros([1, n]));
  const vs = sizes.slice(1).map((n) => randomNormal(rng, [k, 1, n]));
  const before = tf.memory().numTensors;
  const d = directionalDerivatives(
    (...p: tf.Tensor[]) => mlp(params, x, labels, p),
    zeros,
    vs,
  );
  assert.equal(tf.memory().numTensors, before + 1);
  // ∂L/∂p_i with p_i of shape [1, n] is Σ_b ∂L/∂a_{i,b}.
  const grads = tf.grads((...p: tf.Tensor[]) => mlp(params, x, labels, p))(zeros);
  const expected = tf.tidy(() =>
    tf.addN(vs.map((v, i) => tf.sum(tf.reshape(tf.mul(v, grads[i]), [k, -1]), 1)))
  );
  close(d, expected, 1e-5);
  tf.dispose([...params, x, labels, ...zeros, ...vs, d, ...grads, expected]);
});

Deno.test("MLP 784-64-64-10 weight perturbation: loss JVP equals ⟨∇θ L, v⟩ from tf.grad", () => {
  const { rng, params, x, labels } = mlpSetup(8);
  const k = 3;
  const vs = params.map((p) => randomNormal(rng, [k, ...p.shape]));
  const none = [tf.zeros([1, 64]), tf.zeros([1, 64]), tf.zeros([1, 10])];
  const d = directionalDerivatives((...p: tf.Tensor[]) => mlp(p, x, labels, none), params, vs);
  const grads = tf.grads((...p: tf.Tensor[]) => mlp(p, x, labels, none))(params);
  const expected = tf.tidy(() =>
    tf.addN(vs.map((v, i) => tf.sum(tf.reshape(tf.mul(v, grads[i]), [k, -1]), 1)))
  );
  close(d, expected, 1e-5);
  tf.dispose([...params, x, labels, ...vs, ...none, d, ...grads, expected]);
});
