// The wasm backend's threaded build (src/wasm/threads.ts): it starts with more
// than one thread, gives bit-identical results to the unthreaded build, lets
// the process exit, and falls back to the unthreaded build with a notice when
// its workers cannot load. Each case is a fresh child process
// (tests/fixtures/wasm_threads_child.ts): tfjs's backends start once per process.
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/native/install_record.ts";
import { wasmThreadsWanted } from "../../src/backend.ts";

const CHILD = "tests/fixtures/wasm_threads_child.ts";

interface ChildOut {
  threads: string;
  notice: string | null;
  hashes: Record<string, string>;
}

/** Runs the child; it must print its JSON line and exit by itself within 5 min. */
async function child(threads: string, args: string[] = []): Promise<ChildOut> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(REPO_ROOT, "deno.json"), CHILD, ...args],
    cwd: REPO_ROOT,
    env: { FG_WASM_THREADS: threads },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output();
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout);
  assert.equal(
    out.code,
    0,
    `child (FG_WASM_THREADS=${threads}) failed:\n${dec.decode(out.stderr)}`,
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as ChildOut;
}

Deno.test("threaded wasm starts on 2 threads, exits, and matches the unthreaded build bit for bit", async () => {
  const threaded = await child("2");
  const single = await child("1");
  assert.equal(threaded.threads, "2", "XNNPACK runs on 2 threads");
  assert.equal(threaded.notice, null);
  assert.equal(single.threads, "1");
  assert.deepEqual(Object.keys(threaded.hashes), ["matMul", "bp", "sim", "fwad-weight"]);
  assert.deepEqual(threaded.hashes, single.hashes, "same bits on 2 threads and on 1");
});

Deno.test("threaded wasm falls back to the unthreaded build with a notice when its workers fail", async () => {
  const fallback = await child("2", ["--failing-worker"]);
  const single = await child("1");
  assert.equal(fallback.threads, "1");
  assert.match(
    fallback.notice ?? "",
    /^backend wasm: threads did not start \(fixture: this pthread worker fails to load\), using the single-threaded build$/,
  );
  assert.deepEqual(fallback.hashes, single.hashes);
});

Deno.test("wasm thread count: option, then FG_WASM_THREADS, then the cores (at most 8)", () => {
  assert.equal(wasmThreadsWanted(undefined, undefined), Math.min(8, navigator.hardwareConcurrency));
  assert.equal(wasmThreadsWanted(undefined, ""), Math.min(8, navigator.hardwareConcurrency));
  assert.equal(wasmThreadsWanted(3, undefined), 3);
  assert.equal(wasmThreadsWanted(undefined, "1"), 1);
  assert.equal(wasmThreadsWanted(2, "1"), 2, "the option wins over the variable");
  assert.throws(
    () => wasmThreadsWanted(undefined, "two"),
    /^RangeError: FG_WASM_THREADS must be an integer from 1 to 8, got two$/,
  );
  assert.throws(
    () => wasmThreadsWanted(9),
    /^RangeError: wasmThreads must be an integer from 1 to 8, got 9$/,
  );
});
