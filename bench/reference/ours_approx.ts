/**
 * Wall time of the approximation-quality experiment on the reduced grid (n ∈ {16, 256, 1024,
 * 4096}, k ∈ {1, 4, 16, 64, 256}, 200 samples, every configuration per n), as the approx stage
 * computes it (`computeMetrics`, helper workers on), metrics included, CSV writing excluded; the
 * grid runs `--repeats` times in one process, so the first run (compilation, worker start) is
 * reported apart from the repeats. `bench/reference/torch_approx.py` does the same for the
 * original's loop; `bench/approx_bench.ts` is the `deno bench` form of the same grid.
 *
 * Run:
 * `deno run -A bench/reference/ours_approx.ts [--backend wasm] [--repeats 3] [--samples 200] [--json PATH]`
 *
 * Rows: `approx/reduced-grid-first` (the first run) and `approx/reduced-grid` (the repeats).
 *
 * @module
 */
import { type BackendChoice, initBackend } from "../../src/backend.ts";
import { oneOf, parseFlags, positiveInt, runMain } from "../../src/cli/args.ts";
import { approxConfigs } from "../../src/stages/approx/configs.ts";
import { computeMetrics } from "../../src/stages/approx/compute.ts";
import { BenchRecorder } from "./_bench_json.ts";

const NS = [16, 256, 1024, 4096];
const KS = [1, 4, 16, 64, 256];

async function main(): Promise<void> {
  const { values } = parseFlags(Deno.args, {
    backend: { type: "string", default: "wasm" },
    repeats: { type: "string", default: "3" },
    samples: { type: "string", default: "200" },
    json: { type: "string" },
  });
  const backend = oneOf("backend", values.backend!, ["wasm", "cpu", "tensorflow"] as const);
  const repeats = positiveInt("repeats", values.repeats!);
  const samples = positiveInt("samples", values.samples!);
  const info = await initBackend(backend as BackendChoice);
  const recorder = new BenchRecorder("bench/reference/ours_approx.ts", {
    backend: info.name,
    versions: info.versions,
    samples,
    ns: NS,
    ks: KS,
  });
  const configs = approxConfigs(KS);
  const times: number[] = [];
  for (let r = 0; r <= repeats; r++) {
    const t0 = performance.now();
    for (const n of NS) await computeMetrics("normal", n, configs, samples);
    times.push((performance.now() - t0) / 1000);
    console.log(`${info.name} approx reduced grid run ${r}: ${times[r].toFixed(2)} s`);
  }
  recorder.add("approx/reduced-grid-first", times.slice(0, 1));
  const row = recorder.add("approx/reduced-grid", times.slice(1));
  console.log(
    `${info.name} approx reduced grid: first ${times[0].toFixed(2)} s, repeats median ` +
      `${row.median_s.toFixed(2)} s, peak RSS ${recorder.record().meta.peak_rss_mb.toFixed(0)} MB`,
  );
  await recorder.write(values.json);
}

if (import.meta.main) await runMain(main);
