// Weight-perturbation modes: the prefetch worker hands out exactly the
// tangents of in-thread drawing, and sim and fwad see the same tangents.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assert, assertEquals } from "../_assert.ts";
import { initBackend } from "../../../src/backend.ts";
import { createFc } from "../../../src/nn/fc.ts";
import { createGradientMode, type GradientSpec } from "../../../src/nn/gradients/mode.ts";
import { disposeModel } from "../../../src/nn/model.ts";
import { randomBatch, relErr } from "../_helpers.ts";
import type { GradientResult } from "../../../src/nn/gradients/types.ts";

await initBackend("wasm");
await initBackend("cpu");

/** Runs `steps` computations and returns every d and gradient value. */
async function run(
  spec: GradientSpec,
  prefetch: boolean,
  widths: number[],
): Promise<Float32Array[]> {
  const mode = createGradientMode(spec, 7, { prefetch });
  const out: Float32Array[] = [];
  try {
    for (const [s, width] of widths.entries()) {
      const model = createFc({ width, inputSize: 6, numClasses: 3, seed: 1 });
      const { x, y } = randomBatch(s, 5, 6, 3);
      const r = await mode.compute(model, x, y);
      out.push(
        r.d!.dataSync() as Float32Array,
        ...r.grads.map((g) => g.dataSync() as Float32Array),
      );
      tf.dispose([x, y, r.loss, r.d!, ...r.grads]);
      disposeModel(model);
    }
  } finally {
    mode.close?.();
  }
  return out;
}

for (const backend of ["cpu", "wasm"]) {
  for (const approach of ["fg", "frog"] as const) {
    Deno.test(
      `weight modes: prefetching in a worker gives the same numbers as drawing in-thread (${backend}, ${approach})`,
      async () => {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        for (const mode of ["sim", "fwad"] as const) {
          const spec: GradientSpec = { approach, k: 4, mode, perturbation: "weight" };
          // Three steps on one model, then a model of another size (the stream continues in-thread).
          const widths = [8, 8, 8, 5, 5];
          const a = await run(spec, true, widths);
          const b = await run(spec, false, widths);
          assertEquals(a.length, b.length);
          a.forEach((x, i) => assertEquals(Array.from(x), Array.from(b[i]), `${mode}: array ${i}`));
        }
        assertEquals(tf.memory().numTensors, before, "no tensor leaks");
      },
    );
  }
}

Deno.test("weight modes: sim and fwad with the same seed give the same d and update", async () => {
  for (const approach of ["fg", "frog"] as const) {
    const results: GradientResult[] = [];
    for (const mode of ["sim", "fwad"] as const) {
      const m = createGradientMode({ approach, k: 3, mode, perturbation: "weight" }, 4);
      const model = createFc({ width: 6, inputSize: 4, numClasses: 3, seed: 2 });
      const { x, y } = randomBatch(9, 4, 4, 3);
      const r = await m.compute(model, x, y);
      m.close?.();
      tf.dispose([x, y, r.loss]);
      disposeModel(model);
      results.push(r);
    }
    const [sim, fw] = results;
    assert(relErr(fw.d!, sim.d!) <= 1e-4, `${approach}: d differs`);
    sim.grads.forEach((g, i) => assert(relErr(fw.grads[i], g) <= 1e-4, `${approach}: param ${i}`));
    tf.dispose(results.flatMap((r) => [r.d!, ...r.grads]));
  }
});
