// Tests for src/native/load.ts through initBackend (src/backend.ts): the
// default path without a native install, a broken install, and, when
// `deno task setup-native` has installed the backend here, the native path.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import "npm:@tensorflow/tfjs-backend-cpu@4.22.0";
import "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../src/backend.ts";
import { Rng } from "../../src/core/rng.ts";
import { nativeDir, readInstallRecord } from "../../src/native/install_record.ts";
import { runChild } from "./_child.ts";

const CHILD = "tests/native/fixtures/init_backend_child.ts";
const installed = readInstallRecord(nativeDir()) !== undefined;

async function withEmptyDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "native_absent_" });
  try {
    return await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("initBackend('auto') falls back to wasm with a one-line notice when no native install exists", async () => {
  await withEmptyDir(async (dir) => {
    const r = await runChild(CHILD, ["auto"], { FG_NATIVE_DIR: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json?.name, "wasm");
    assert.equal(r.json?.backend, "wasm");
    assert.equal(r.json?.sum, 12);
    const notice = String(r.json?.notice);
    assert.match(
      notice,
      /native tensorflow backend not set up \(deno task setup-native\), using wasm/,
    );
    assert.ok(!notice.includes("\n"));
  });
});

Deno.test("initBackend('tensorflow') throws a one-line error when no native install exists", async () => {
  await withEmptyDir(async (dir) => {
    const r = await runChild(CHILD, ["tensorflow"], { FG_NATIVE_DIR: dir });
    assert.equal(r.code, 0, r.stderr);
    const error = String(r.json?.error);
    assert.match(
      error,
      /^Cannot start backend "tensorflow": the native addon is not set up; run `deno task setup-native`/,
    );
    assert.ok(!error.includes("\n"));
  });
});

Deno.test("initBackend('auto') names the reason and uses wasm when the recorded install is broken", async () => {
  await withEmptyDir(async (dir) => {
    const record = {
      format: 1,
      package: "@tensorflow/tfjs-node",
      packageVersion: "4.22.0",
      route: "offline",
      addon: "node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node",
      libtensorflow: { source: "test", version: "0" },
      tools: {},
      installedAt: new Date(0).toISOString(),
      verified: { backend: "tensorflow", maxAbsDiff: 0 },
    };
    await Deno.writeTextFile(join(dir, "install.json"), JSON.stringify(record));
    const auto = await runChild(CHILD, ["auto"], { FG_NATIVE_DIR: dir });
    assert.equal(auto.json?.name, "wasm");
    assert.match(
      String(auto.json?.notice),
      /failed to load \(native install in .* is incomplete: .*tfjs_binding\.node is missing\), using wasm$/,
    );
    const tfb = await runChild(CHILD, ["tensorflow"], { FG_NATIVE_DIR: dir });
    assert.match(
      String(tfb.json?.error),
      /^Cannot start backend "tensorflow": native install in .* is incomplete/,
    );
  });
});

if (installed) {
  Deno.test("initBackend('auto') picks the installed native backend", async () => {
    const r = await runChild(CHILD, ["auto"], {});
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([r.json?.name, r.json?.backend, r.json?.notice, r.json?.sum], [
      "tensorflow",
      "tensorflow",
      undefined,
      12,
    ]);
  });

  Deno.test("initBackend('auto') falls back to wasm with the reason when --allow-ffi is missing", async () => {
    const r = await runChild(CHILD, ["auto"], {}, ["--allow-read", "--allow-env"]);
    assert.equal(r.json?.name, "wasm");
    assert.match(String(r.json?.notice), /failed to load \(.*--allow-ffi.*\), using wasm$/);
  });
} else {
  Deno.test("initBackend('auto') uses wasm with the notice in this checkout (no .native/ install)", async () => {
    const info = await initBackend("auto");
    assert.equal(info.name, "wasm");
    assert.equal(tf.getBackend(), "wasm");
    assert.match(info.notice ?? "", /deno task setup-native/);
  });
}

/** Runs `f` on `backend` and returns its named outputs as plain arrays. */
async function runOn(
  backend: string,
  f: () => Record<string, tf.Tensor>,
): Promise<Record<string, Float32Array>> {
  assert.ok(await tf.setBackend(backend));
  await tf.ready();
  const before = tf.memory().numTensors;
  const outs = tf.tidy(f);
  const data: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(outs)) data[name] = (await t.data()) as Float32Array;
  tf.dispose(Object.values(outs));
  assert.equal(tf.memory().numTensors, before, `tensors leaked on ${backend}`);
  return data;
}

function assertClose(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, what);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  // float32 sums of at most a few hundred terms (162 for the conv-kernel gradient) in
  // different orders differ by ≲ n · 6e-8 ≈ 1e-5 of the output scale; 1e-4 leaves room
  // for oneDNN's blocking while still catching a wrong kernel.
  const tol = 1e-4 * Math.max(1, scale);
  assert.ok(worst <= tol, `${what}: max |diff| ${worst} > ${tol}`);
}

if (installed) {
  Deno.test("the native backend runs ops in the project's tfjs and agrees with wasm (cpu for einsum and conv gradients)", async () => {
    const info = await initBackend("tensorflow");
    assert.equal(info.name, "tensorflow");
    assert.match(info.versions.libtensorflow ?? "", /^\d+\.\d+\.\d+/);
    assert.equal(tf.getBackend(), "tensorflow");
    assert.ok(tf.engine().backendNames().includes("wasm"));
    const rng = new Rng(7, "native-test");
    const x = rng.normal(new Float32Array(64 * 96));
    const w = rng.normal(new Float32Array(96 * 32));
    const b = rng.normal(new Float32Array(32));
    const y = rng.normal(new Float32Array(64 * 32));
    const im = rng.normal(new Float32Array(2 * 9 * 9 * 3));
    const k = rng.normal(new Float32Array(3 * 3 * 3 * 4));
    const dk = rng.normal(new Float32Array(3 * 3 * 3 * 2));
    const program = () => {
      const X = tf.tensor2d(x, [64, 96]);
      const W = tf.tensor2d(w, [96, 32]);
      const B = tf.tensor1d(b);
      const Y = tf.tensor2d(y, [64, 32]);
      const img = tf.tensor4d(im, [2, 9, 9, 3]);
      const K = tf.tensor4d(k, [3, 3, 3, 4]);
      const DK = tf.tensor4d(dk, [3, 3, 3, 2]);
      const h = tf.relu(tf.add(tf.matMul(X, W), B));
      const loss = (wv: tf.Tensor) =>
        tf.mean(tf.square(tf.sub(tf.tanh(tf.matMul(X, wv as tf.Tensor2D)), Y))) as tf.Scalar;
      return {
        "relu(xW+b)": h,
        "transposed matMul": tf.matMul(X, tf.ones([64, 8]), true, false),
        "batched matMul": tf.matMul(
          tf.reshape(X, [4, 16, 96]),
          tf.reshape(W, [4, 24, 32]).reshape([4, 96, 8]),
        ),
        "softmax": tf.softmax(h),
        "sum, cumsum": tf.concat([tf.sum(h, 0), tf.cumsum(h, 1).reshape([-1])]),
        "gather, oneHot": tf.add(
          tf.gather(h, tf.tensor1d([5, 0, 63], "int32")),
          tf.oneHot(tf.tensor1d([1, 2, 3], "int32"), 32),
        ),
        "exp, sin, sigmoid": tf.stack([tf.exp(tf.neg(tf.abs(h))), tf.sin(h), tf.sigmoid(h)]),
        "where, greater": tf.where(tf.greater(h, 1), h, tf.zerosLike(h)),
        "conv2d, avgPool": tf.avgPool(tf.conv2d(img, K, 1, "same"), 2, 2, "valid"),
        "depthwiseConv2d": tf.depthwiseConv2d(img, DK, 1, "valid"),
        "grad wrt W": tf.grad(loss)(W),
      };
    };
    // wasm has no Einsum or Conv2DBackpropFilter kernel: these are checked against cpu.
    const cpuChecked = () => {
      const X = tf.tensor2d(x, [64, 96]);
      const W = tf.tensor2d(w, [96, 32]);
      const img = tf.tensor4d(im, [2, 9, 9, 3]);
      const K = tf.tensor4d(k, [3, 3, 3, 4]);
      const f = (kv: tf.Tensor) =>
        tf.sum(tf.square(tf.avgPool(tf.conv2d(img, kv as tf.Tensor4D, 1, "same"), 2, 2, "valid")));
      return { "grad wrt conv kernel": tf.grad(f)(K), einsum: tf.einsum("ij,jk->ik", X, W) };
    };
    const nat = await runOn("tensorflow", program);
    const ref = await runOn("wasm", program);
    assert.deepEqual(Object.keys(nat), Object.keys(ref));
    for (const name of Object.keys(ref)) assertClose(nat[name], ref[name], name);
    const natConv = await runOn("tensorflow", cpuChecked);
    const cpuConv = await runOn("cpu", cpuChecked);
    for (const name of Object.keys(cpuConv)) assertClose(natConv[name], cpuConv[name], name);
  });
}
