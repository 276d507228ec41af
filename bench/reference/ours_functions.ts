/**
 * Steps per second of this project's function-optimisation loop, measured with
 * exactly the protocol of `torch_functions.py` next to it (same function, start,
 * lr, step count, repeats, untimed warm-up run, best and median over repeats), so
 * the two tables can be divided cell by cell. It covers all 8 paper approaches
 * (bench/functions_bench.ts has no k = 2) and any list of n, which the grid-time
 * estimate in README.md needs.
 *
 * Run:
 * `deno run -A bench/reference/ours_functions.ts --backend wasm --ns 16,256,1024 --steps 500 --repeats 5`
 * (`--path tfjs` forces the tfjs oracle instead of the typed-array path `auto` picks on wasm)
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../../src/backend.ts";
import { listOf, numberIn, oneOf, parseFlags, positiveInt, runMain } from "../../src/cli/args.ts";
import {
  approachShortName,
  type ApproachSpec,
  BP,
  createGradientOracle,
  fg,
  getFunction,
  gradientDescent,
  startPosition,
} from "../../src/functions/mod.ts";
import { BenchRecorder, median } from "./_bench_json.ts";

/** The 8 approaches of spec §3.4, in the reference's order. */
const APPROACHES: ApproachSpec[] = [
  BP,
  fg(1, "mean"),
  ...[2, 4, 16].flatMap((k) => [fg(k, "mean"), fg(k, "orthogonal_projection")]),
];

async function main(): Promise<void> {
  const { values } = parseFlags(Deno.args, {
    backend: { type: "string", default: "wasm" },
    ns: { type: "string", default: "16,256,1024" },
    steps: { type: "string", default: "500" },
    repeats: { type: "string", default: "5" },
    lr: { type: "string", default: "1e-6" },
    function: { type: "string", default: "rosenbrock" },
    path: { type: "string", default: "auto" },
    json: { type: "string" },
  });
  const backend = oneOf("backend", values.backend!, ["wasm", "cpu"] as const);
  const ns = listOf("ns", values.ns!, (v) => positiveInt("ns", v));
  const steps = positiveInt("steps", values.steps!);
  const repeats = positiveInt("repeats", values.repeats!);
  const lr = numberIn("lr", values.lr!, Number.MIN_VALUE);
  const fnName = oneOf("function", values.function!, ["rosenbrock", "sphere", "styblinski-tang"]);
  const fn = getFunction(fnName);
  const path = oneOf("path", values.path!, ["auto", "tfjs", "fast"] as const);
  await initBackend(backend);
  const recorder = new BenchRecorder("bench/reference/ours_functions.ts");

  const load = () => Deno.loadavg()[0].toFixed(2);
  console.log(
    `# tfjs ${tf.version.tfjs} ${tf.getBackend()}, ${fn.name}, ${steps} steps x ${repeats} repeats, ` +
      `lr ${lr}, oracle path ${path}, load ${load()}`,
  );
  console.log(
    `${"n".padStart(5)}  ${"approach".padEnd(12)} ${"best steps/s".padStart(13)} ` +
      `${"median".padStart(9)} ${"worst".padStart(9)}`,
  );
  const rows = [];
  for (const n of ns) {
    for (const approach of APPROACHES) {
      const label = approachShortName(approach);
      const once = (seed: number, maxSteps: number): number => {
        const oracle = createGradientOracle(fn, approach, seed, n, { path });
        try {
          const t0 = performance.now();
          const run = gradientDescent(fn, oracle, {
            lr,
            maxSteps,
            patience: 0,
            start: startPosition(fn.defaultStart, n),
          });
          const elapsed = (performance.now() - t0) / 1000;
          if (run.steps !== maxSteps) {
            throw new Error(`n=${n} ${label}: run stopped early (${run.stopReason})`);
          }
          return run.steps / elapsed;
        } finally {
          oracle.dispose();
        }
      };
      once(0, Math.min(steps, 20)); // warm-up: kernels, wasm compilation, first-call costs
      const rates = Array.from({ length: repeats }, (_, rep) => once(rep, steps));
      const row = {
        n,
        approach: label,
        steps_per_s: rates,
        best: Math.max(...rates),
        median: median(rates),
        worst: Math.min(...rates),
      };
      rows.push(row);
      console.log(
        `${String(n).padStart(5)}  ${label.padEnd(12)} ${row.best.toFixed(1).padStart(13)} ` +
          `${row.median.toFixed(1).padStart(9)} ${row.worst.toFixed(1).padStart(9)}`,
      );
    }
  }
  console.log(`# load at end ${load()}`);
  if (values.json) {
    const meta = {
      ...recorder.record().meta,
      tfjs: tf.version.tfjs,
      backend,
      function: fn.name,
      steps,
      repeats,
      lr,
      path,
    };
    await Deno.writeTextFile(values.json, JSON.stringify({ meta, rows }, null, 1));
  }
}

if (import.meta.main) await runMain(main);
