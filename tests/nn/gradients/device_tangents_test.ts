// Weight tangents drawn on the device (src/native/stateless_normal.ts through
// drawWeightTangentsOnDevice and createGradientMode's `tangents: "device"`).
// With the native backend installed (`deno task setup-native`) the tests run on
// it; without, they check that modes use the JS generator and that asking for
// the device is a clear error.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertClose, assertEquals } from "../_assert.ts";
import { initBackend } from "../../../src/backend.ts";
import { nativeDir, readInstallRecord } from "../../../src/native/install_record.ts";
import { statelessNormalAvailable } from "../../../src/native/stateless_normal.ts";
import { createFc } from "../../../src/nn/fc.ts";
import { createGradientMode, type GradientSpec } from "../../../src/nn/gradients/mode.ts";
import { fwadWeightGradients } from "../../../src/nn/gradients/fwad_weight.ts";
import { simWeightGradients } from "../../../src/nn/gradients/sim_weight.ts";
import {
  deviceSeedWord,
  disposeWeightTangents,
  drawWeightTangentsOnDevice,
} from "../../../src/nn/gradients/weight_tangents.ts";
import { disposeModel } from "../../../src/nn/model.ts";
import { randomBatch, relErr } from "../_helpers.ts";

const installed = readInstallRecord(nativeDir()) !== undefined;
await initBackend(installed ? "tensorflow" : "cpu");

const weightSpec = (mode: "sim" | "fwad"): GradientSpec => ({
  approach: "frog",
  k: 4,
  mode,
  perturbation: "weight",
});

/** The values of every block of a draw, concatenated. */
function values(t: { perParam: tf.Tensor[] }): Float32Array[] {
  return t.perParam.map((p) => p.dataSync() as Float32Array);
}

Deno.test("createGradientMode() uses the JS generator unless the device is asked for", () => {
  for (const mode of ["sim", "fwad"] as const) {
    for (const perturbation of ["node", "weight"] as const) {
      const m = createGradientMode({ ...weightSpec(mode), perturbation }, 3);
      assertEquals(m.tangentSource, "js-ziggurat");
      m.close?.();
    }
  }
  const bp = createGradientMode({ ...weightSpec("sim"), approach: "bp" }, 3);
  assertEquals(bp.tangentSource, undefined);
});

Deno.test("deviceSeedWord() keeps int32 seeds and folds larger ones into an int32", () => {
  assertEquals(deviceSeedWord(0), 0);
  assertEquals(deviceSeedWord(2 ** 31 - 1), 2 ** 31 - 1);
  for (const s of [2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
    const w = deviceSeedWord(s);
    assert(Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 31, `${s} → ${w}`);
  }
  assert(deviceSeedWord(2 ** 32 + 5) !== deviceSeedWord(2 ** 32 + 6), "distinct large seeds");
  let threw = false;
  try {
    deviceSeedWord(-1);
  } catch (e) {
    threw = e instanceof RangeError;
  }
  assert(threw, "negative seed is a RangeError");
});

if (!installed) {
  Deno.test("without the native backend, device tangents are a clear error and JS is used", () => {
    assert(!statelessNormalAvailable(), "no stateless normals on cpu");
    let msg = "";
    try {
      createGradientMode(weightSpec("fwad"), 3, { tangents: "device" });
    } catch (e) {
      msg = (e as Error).message;
    }
    assert(/backend "cpu" is not "tensorflow"/.test(msg), `message: ${msg}`);
  });
} else {
  Deno.test("device tangents: the same seed and step give the same tangents twice", () => {
    const before = tf.memory().numTensors;
    const params = [tf.zeros([5, 3]), tf.zeros([3])];
    const a = drawWeightTangentsOnDevice(11, 2, 4, params);
    const b = drawWeightTangentsOnDevice(11, 2, 4, params);
    const c = drawWeightTangentsOnDevice(11, 3, 4, params);
    const d = drawWeightTangentsOnDevice(12, 2, 4, params);
    assertEquals(a.perParam.map((p) => p.shape), [[4, 5, 3], [4, 3]]);
    assertEquals(a.perParam.map((p) => p.dtype), ["float32", "float32"]);
    const [va, vb, vc, vd] = [a, b, c, d].map(values);
    va.forEach((x, i) => assertEquals(Array.from(x), Array.from(vb[i]), `block ${i}`));
    assert(va[0][0] !== vc[0][0] && va[0][0] !== vd[0][0], "other step or seed, other values");
    assert(va[0][0] !== va[1][0], "blocks are not copies of each other");
    [a, b, c, d].forEach(disposeWeightTangents);
    tf.dispose(params);
    assertEquals(tf.memory().numTensors, before, "no tensor leaks");
  });

  Deno.test("device tangents: moments of N(0, 1) within 5 standard errors, steps uncorrelated", () => {
    const params = [tf.zeros([300, 100]), tf.zeros([100]), tf.zeros([100, 10]), tf.zeros([10])];
    const s0 = drawWeightTangentsOnDevice(5, 0, 8, params);
    const s1 = drawWeightTangentsOnDevice(5, 1, 8, params);
    const x = values(s0).flatMap((v) => Array.from(v));
    const y = values(s1).flatMap((v) => Array.from(v));
    const n = x.length;
    let m1 = 0, m2 = 0, m4 = 0, xy = 0;
    for (let i = 0; i < n; i++) {
      m1 += x[i];
      m2 += x[i] ** 2;
      m4 += x[i] ** 4;
      xy += x[i] * y[i];
    }
    // Standard errors for N(0, 1): mean 1/√n, E x² √(2/n), E x⁴ √(96/n), E xy 1/√n.
    assertClose(m1 / n, 0, 5 / Math.sqrt(n), "mean");
    assertClose(m2 / n, 1, 5 * Math.sqrt(2 / n), "second moment");
    assertClose(m4 / n, 3, 5 * Math.sqrt(96 / n), "fourth moment");
    assertClose(xy / n, 0, 5 / Math.sqrt(n), "correlation of consecutive steps");
    disposeWeightTangents(s0);
    disposeWeightTangents(s1);
    tf.dispose(params);
  });

  for (const aggregation of ["mean", "orthogonal_projection"] as const) {
    Deno.test(`device tangents: sim and fwad weight give the same JVPs and update (${aggregation})`, () => {
      const before = tf.memory().numTensors;
      const model = createFc({ width: 24, inputSize: 12, numClasses: 5, seed: 3 });
      const { x, y } = randomBatch(1, 7, 12, 5);
      const v = drawWeightTangentsOnDevice(4, 0, 16, model.params);
      const sim = simWeightGradients(model, x, y, v, aggregation);
      const fw = fwadWeightGradients(model, x, y, v, aggregation);
      const dErr = relErr(fw.d!, sim.d!);
      assert(dErr <= 1e-4, `JVPs differ: ${dErr}`);
      sim.grads.forEach((g, i) => {
        const e = relErr(fw.grads[i], g);
        assert(e <= 1e-4, `param ${i} differs: ${e}`);
      });
      disposeWeightTangents(v);
      tf.dispose([x, y, sim.loss, fw.loss, sim.d!, fw.d!, ...sim.grads, ...fw.grads]);
      disposeModel(model);
      assertEquals(tf.memory().numTensors, before, "no tensor leaks");
    });
  }

  Deno.test("device tangents: sim and fwad modes with one seed see the same tangents step by step", async () => {
    const before = tf.memory().numTensors;
    const runs: Float32Array[][] = [];
    for (const mode of ["sim", "fwad"] as const) {
      const m = createGradientMode(weightSpec(mode), 9, { tangents: "device" });
      assertEquals(m.tangentSource, "tf-stateless-philox");
      const model = createFc({ width: 8, inputSize: 6, numClasses: 3, seed: 1 });
      const ds: Float32Array[] = [];
      for (let s = 0; s < 3; s++) {
        const { x, y } = randomBatch(s, 5, 6, 3);
        const r = await m.compute(model, x, y);
        ds.push(r.d!.dataSync() as Float32Array);
        tf.dispose([x, y, r.loss, r.d!, ...r.grads]);
      }
      m.close?.();
      disposeModel(model);
      runs.push(ds);
    }
    runs[0].forEach((d, s) => {
      const err = Math.max(...Array.from(d, (v, i) => Math.abs(v - runs[1][s][i])));
      const scale = Math.max(...Array.from(d, Math.abs));
      assert(err <= 1e-4 * scale, `step ${s}: d differs by ${err}`);
    });
    assert(runs[0][0][0] !== runs[0][1][0], "each step draws new tangents");
    assertEquals(tf.memory().numTensors, before, "no tensor leaks");
  });

  Deno.test("device tangents: a mode's step s uses drawWeightTangentsOnDevice(seed + 1, s)", async () => {
    const model = createFc({ width: 8, inputSize: 6, numClasses: 3, seed: 1 });
    const m = createGradientMode(weightSpec("sim"), 9, { tangents: "device" });
    const { x, y } = randomBatch(0, 5, 6, 3);
    const drawn: Float32Array[] = [];
    for (let s = 0; s < 2; s++) {
      const r = await m.compute(model, x, y);
      drawn.push(r.d!.dataSync() as Float32Array);
      tf.dispose([r.loss, r.d!, ...r.grads]);
    }
    const v = drawWeightTangentsOnDevice(10, 1, 4, model.params);
    const direct = simWeightGradients(model, x, y, v, "orthogonal_projection");
    assertEquals(Array.from(drawn[1]), Array.from(direct.d!.dataSync()));
    disposeWeightTangents(v);
    tf.dispose([x, y, direct.loss, direct.d!, ...direct.grads]);
    disposeModel(model);
  });
}
