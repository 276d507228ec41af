/**
 * Evaluations per second of the LR search's function objectives (spec §5.1:
 * one evaluation = one descent of the function's max steps, seed 0,
 * patience 100, as the `lr-search` stage runs it), on the wasm backend (the
 * stage's compute backend). One bench iteration is one evaluation at an LR
 * that descends without diverging, so evaluations/s = 1 / (time per
 * iteration); a search label of the paper costs 100 of them (fewer steps when
 * pruned or stopped early).
 *
 * Run: `deno bench -A bench/lr_search_bench.ts`.
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import { BP, fg } from "../src/functions/approaches.ts";
import { functionObjective } from "../src/lr_search/function_objective.ts";
import { approachLabel } from "../src/stages/lr_search/labels.ts";

const CASES = [
  { fn: "sphere", n: 16, approach: BP, lr: 0.01, steps: 1000 },
  { fn: "sphere", n: 256, approach: fg(16, "orthogonal_projection"), lr: 0.01, steps: 1000 },
  { fn: "styblinski-tang", n: 64, approach: fg(4, "mean"), lr: 0.001, steps: 1000 },
  { fn: "styblinski-tang", n: 1024, approach: fg(16, "mean"), lr: 0.001, steps: 1000 },
  // rosenbrock's paper budget is 25000 steps: 1000 here (the quick profile's cap)
  { fn: "rosenbrock", n: 64, approach: BP, lr: 1e-4, steps: 1000 },
];

for (const c of CASES) {
  Deno.bench({
    name: `wasm ${c.fn} n=${c.n} ${approachLabel(c.approach)} (${c.steps} steps)`,
    group: "lr-search evaluation",
    async fn(b) {
      if (tf.getBackend() !== "wasm") {
        await tf.setBackend("wasm");
        await tf.ready();
      }
      const { objective } = functionObjective(c.fn, c.n, c.approach, c.steps);
      b.start();
      const curve = [...(await objective(c.lr, { label: "bench", rank: 0, index: 0 }) as number[])];
      b.end();
      if (curve.length === 0) throw new Error("empty curve");
    },
  });
}
