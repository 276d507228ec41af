/**
 * The approximation-quality experiment on the reduced grid the brief uses
 * for speed comparisons: n ∈ {16, 256, 1024, 4096}, k ∈ {1, 4, 16, 64, 256},
 * 200 samples, all 26 configurations per n (the reference takes about 50 s).
 * One timed run per backend (`n: 1`): the figure is wall time of the whole
 * grid, metrics included, CSV writing excluded. The native `tensorflow`
 * backend is benchmarked when it is set up (`deno task setup-native`). Set
 * APPROX_BENCH_SMALL=1 for a 10× smaller sample count.
 *
 * Where the time goes (wasm, 2 cores; see the stage's commit messages): the
 * normal stream (276M draws), the float32 chunk Gram matrices at n = 1024 and
 * 4096, and the float64 LU of the 200 square systems at n = k = 256; the
 * metrics themselves come from Gram blocks (no n-vector gradients).
 */
import { initBackend } from "../src/backend.ts";
import { approxConfigs } from "../src/stages/approx/configs.ts";
import { computeMetrics } from "../src/stages/approx/compute.ts";

const NS = [16, 256, 1024, 4096];
const KS = [1, 4, 16, 64, 256];
const S = Deno.env.get("APPROX_BENCH_SMALL") ? 20 : 200;
const configs = approxConfigs(KS);

async function grid(worker: boolean): Promise<void> {
  for (const n of NS) await computeMetrics("normal", n, configs, S, { worker });
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
    const how = worker ? "normals drawn ahead in a worker" : "single thread";
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
