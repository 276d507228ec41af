/**
 * Steps per second of the function-optimisation loop for each gradient
 * approach, at n = 16, 256 and 1024, on the cpu and wasm backends. One bench
 * iteration is one descent run of STEPS steps (Rosenbrock from its start,
 * patience off), so steps/s = STEPS / (time per iteration).
 *
 * Run: `deno bench -A bench/functions_bench.ts` (filter with `--filter "n=256"`).
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import "npm:@tensorflow/tfjs-backend-cpu@4.22.0";
import "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import {
  approachShortName,
  type ApproachSpec,
  BP,
  createGradientOracle,
  fg,
  FMAD,
  getFunction,
  gradientDescent,
  startPosition,
} from "../src/functions/mod.ts";

const STEPS = 50;
const FUNCTION = getFunction("rosenbrock");
const APPROACHES: ApproachSpec[] = [
  BP,
  FMAD,
  fg(1, "mean"),
  fg(4, "mean"),
  fg(4, "orthogonal_projection"),
  fg(16, "mean"),
  fg(16, "orthogonal_projection"),
];

for (const backend of ["cpu", "wasm"]) {
  for (const n of [16, 256, 1024]) {
    for (const approach of APPROACHES) {
      // forward-mode AD at n = 1024 takes 1024 tangents: seconds per run; skip it
      if (approach.type === "fmad" && n > 256) continue;
      Deno.bench({
        name: `${backend} n=${n} ${approachShortName(approach)} (${STEPS} steps)`,
        group: `${backend} n=${n}`,
        baseline: approach.type === "bp",
        async fn(b) {
          if (tf.getBackend() !== backend) {
            await tf.setBackend(backend);
            await tf.ready();
          }
          const oracle = createGradientOracle(FUNCTION, approach, 0, n);
          b.start();
          const run = gradientDescent(FUNCTION, oracle, {
            lr: 1e-6, // small enough that no approach diverges within STEPS
            maxSteps: STEPS,
            patience: 0,
            start: startPosition(FUNCTION.defaultStart, n),
          });
          b.end();
          oracle.dispose();
          if (run.steps !== STEPS) {
            throw new Error(`bench run stopped early (${run.stopReason}): timings would lie`);
          }
        },
      });
    }
  }
}
