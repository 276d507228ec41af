/**
 * The approximation-quality experiment on the reduced grid the brief uses
 * for speed comparisons: n ∈ {16, 256, 1024, 4096}, k ∈ {1, 4, 16, 64, 256},
 * 200 samples, all 26 configurations per n (the reference takes about 50 s).
 * One timed run per backend (`n: 1`): the figure is wall time of the whole
 * grid, metrics included, CSV writing excluded. The native `tensorflow`
 * backend is benchmarked when it is set up (`deno task setup-native`). Set
 * APPROX_BENCH_SMALL=1 for a 10× smaller sample count.
 *
 * Measured on the shared 2-core machine (load about 1, fresh process per
 * run, 3 runs, min / median): wasm 3.8 / 3.9 s (before this round 7.6 /
 * 7.7 s), tensorflow 2.10 / 2.13 s (3.92 / 3.94 s), cpu 10.9 / 11.6 s over 2
 * runs (30.3 / 30.9 s). Where the time goes on wasm: the normal stream
 * (276M draws, in the worker), the float32 chunk Gram matrices at n = 1024
 * and 4096 (symmetric row blocks), the float64 LU of the 200 square systems
 * at n = k = 256; the metrics come from Gram blocks (no n-vector gradients).
 */
import { initBackend } from "../src/backend.ts";
import { approxConfigs } from "../src/stages/approx/configs.ts";
import { computeMetrics } from "../src/stages/approx/compute.ts";

const NS = [16, 256, 1024, 4096];
const KS = [1, 4, 16, 64, 256];
const S = Deno.env.get("APPROX_BENCH_SMALL") ? 20 : 200;
const configs = approxConfigs(KS);

async function grid(worker: boolean): Promise<void> {
  for (const n of NS) {
    await computeMetrics("normal", n, configs, S, { worker, squareWorker: worker });
  }
}

async function nativeAvailable(): Promise<boolean> {
  try {
    await initBackend("tensorflow");
    return true;
  } catch {
    return false;
  }
}

const backends = ["wasm", "cpu"] as ("wasm" | "cpu" | "tensorflow")[];
if (await nativeAvailable()) backends.unshift("tensorflow");

for (const backend of backends) {
  for (const worker of [true, false]) {
    const how = worker
      ? "helper workers (normals drawn ahead, square systems shared; the default)"
      : "single thread";
    Deno.bench(
      `approx reduced grid (${S} samples), ${backend}, ${how}`,
      { n: 1, warmup: 0 },
      async (b) => {
        await initBackend(backend);
        b.start();
        await grid(worker);
        b.end();
      },
    );
  }
}

/**
 * The full normal grid (n = 2^0 … 2^14, k = 2^0 … 2^10, 56 configurations
 * per n) with FULL_SAMPLES samples per n instead of 1000: multiply the time
 * by 1000 / FULL_SAMPLES for an estimate of the whole grid (the per-sample
 * cost is flat in the sample count; only worker start-up is per n). Runs
 * with APPROX_BENCH_FULL=1, on tensorflow (when set up) and wasm. Measured
 * at load about 1: this bench 6.4 s on tensorflow and 15.3 s on wasm, i.e.
 * about 640 s and 1530 s for 1000 samples (the per-n start-up, ×100 here,
 * inflates it: with 20 samples per n tensorflow extrapolates to 474 s, and
 * 968 s before this round; wasm with 10 samples 1400 s, before 2700 s).
 */
const FULL_SAMPLES = 10;
if (Deno.env.get("APPROX_BENCH_FULL")) {
  const full = approxConfigs(Array.from({ length: 11 }, (_, i) => 2 ** i));
  for (const backend of backends.filter((b) => b !== "cpu")) {
    Deno.bench(
      `approx full normal grid, ${FULL_SAMPLES} samples per n (× ${
        1000 / FULL_SAMPLES
      } for 1000), ${backend}`,
      { n: 1, warmup: 0 },
      async (b) => {
        await initBackend(backend);
        b.start();
        for (let e = 0; e <= 14; e++) await computeMetrics("normal", 2 ** e, full, FULL_SAMPLES);
        b.end();
      },
    );
  }
}
