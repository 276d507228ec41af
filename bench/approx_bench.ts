/**
 * The approximation-quality experiment on the reduced grid the brief uses
 * for speed comparisons: n ∈ {16, 256, 1024, 4096}, k ∈ {1, 4, 16, 64, 256},
 * 200 samples, all 26 configurations per n (the reference takes about 50 s).
 * One timed run per backend (`n: 1`): the figure is wall time of the whole
 * grid, metrics included, CSV writing excluded. Set APPROX_BENCH_SMALL=1 for
 * a 10× smaller sample count.
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

for (const backend of ["wasm", "cpu"] as const) {
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
