/**
 * GFLOPS of one 1024 × 1024 float32 matMul on a backend (a read of the result included), the
 * dense-product ceiling the FC steps are measured against; `torch_matmul.py` (or the matmul mode
 * of `torch_fc.py`) measures PyTorch's.
 *
 * Run: `deno run -A bench/reference/ours_matmul.ts [--backend wasm] [--repeats 20] [--json PATH]`
 *
 * Row: `matmul/1024` with seconds per product and a `gflops` figure (2·1024³ / median).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { type BackendChoice, initBackend } from "../../src/backend.ts";
import { oneOf, parseFlags, positiveInt, runMain } from "../../src/cli/args.ts";
import { Rng } from "../../src/core/rng.ts";
import { BenchRecorder, median } from "./_bench_json.ts";

const N = 1024;

async function main(): Promise<void> {
  const { values } = parseFlags(Deno.args, {
    backend: { type: "string", default: "wasm" },
    repeats: { type: "string", default: "20" },
    json: { type: "string" },
  });
  const backend = oneOf("backend", values.backend!, ["wasm", "cpu", "tensorflow"] as const);
  const repeats = positiveInt("repeats", values.repeats!);
  const info = await initBackend(backend as BackendChoice);
  const recorder = new BenchRecorder("bench/reference/ours_matmul.ts", {
    backend: info.name,
    versions: info.versions,
  });
  const rng = new Rng(0, "bench", "matmul");
  const a = tf.tensor2d(rng.normal(new Float32Array(N * N)), [N, N]);
  const b = tf.tensor2d(rng.normal(new Float32Array(N * N)), [N, N]);
  const times: number[] = [];
  for (let i = 0; i < repeats + 3; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    if (i >= 3) times.push((performance.now() - t0) / 1000);
  }
  tf.dispose([a, b]);
  const gflops = 2 * N ** 3 / median(times) / 1e9;
  recorder.add("matmul/1024", times, { gflops });
  console.log(`${info.name} matMul ${N}²: ${gflops.toFixed(1)} GFLOPS (median of ${repeats})`);
  await recorder.write(values.json);
}

if (import.meta.main) await runMain(main);
