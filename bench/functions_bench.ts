/**
 * Steps per second of the function-optimisation loop for each gradient
 * approach, at n = 16, 256 and 1024: on wasm through both oracle paths (the
 * typed-array path of src/functions/fast, which `createGradientOracle` picks
 * there, and the tfjs path it is tested against), on cpu through the tfjs
 * path. One bench iteration is one descent run of STEPS steps (patience off),
 * so the time per step = time per iteration / STEPS.
 *
 * Run: `deno bench -A bench/functions_bench.ts` (filter with `--filter "n=256"`
 * or `--filter "styblinski"`).
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
  type OraclePath,
  startPosition,
} from "../src/functions/mod.ts";
import { fastPathSupports } from "../src/functions/fast/oracle.ts";

const STEPS = 50;
const APPROACHES: ApproachSpec[] = [
  BP,
  FMAD,
  fg(1, "mean"),
  fg(4, "mean"),
  fg(4, "orthogonal_projection"),
  fg(16, "mean"),
  fg(16, "orthogonal_projection"),
];
const CASES: [backend: string, path: OraclePath][] = [["wasm", "fast"], ["wasm", "tfjs"], [
  "cpu",
  "tfjs",
]];

for (const name of ["rosenbrock", "styblinski-tang", "sphere"]) {
  const fn = getFunction(name);
  for (const n of [16, 256, 1024]) {
    for (const [backend, path] of CASES) {
      // the cpu backend only for rosenbrock: it is the slowest and not the default
      if (backend === "cpu" && name !== "rosenbrock") continue;
      for (const approach of APPROACHES) {
        // forward-mode AD at n = 1024 takes 1024 tangents: seconds per run; skip it
        if (approach.type === "fmad" && n > 256) continue;
        if (path === "fast" && !fastPathSupports(fn, approach)) continue;
        Deno.bench({
          name: `${name} ${backend}/${path} n=${n} ${approachShortName(approach)} (${STEPS} steps)`,
          group: `${name} ${approachShortName(approach)} n=${n}`,
          baseline: backend === "wasm" && path === "tfjs",
          async fn(b) {
            if (tf.getBackend() !== backend) {
              await tf.setBackend(backend);
              await tf.ready();
            }
            const oracle = createGradientOracle(fn, approach, 0, n, { path });
            b.start();
            const run = gradientDescent(fn, oracle, {
              lr: 1e-6, // small enough that no approach diverges within STEPS
              maxSteps: STEPS,
              patience: 0,
              start: startPosition(fn.defaultStart, n),
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
}
