/**
 * Starting tfjs-backend-wasm 4.22's threaded SIMD build under Deno.
 *
 * Deno loads the package's Node bundle (`dist/tf-backend-wasm.node.js`), which
 * never uses threads there, for three reasons this module works around without
 * touching the package:
 *
 * 1. The `WASM_HAS_MULTITHREAD_SUPPORT` flag is false whenever tfjs's `IS_NODE`
 *    is true (tfjs issue 3830), and Deno has Node's `process`. The flag is set.
 * 2. The emscripten glue sees Node (`process.versions.node`), replaces the
 *    global `Worker` with `node:worker_threads`' Worker and builds its pool of
 *    8 pthread workers from a `blob:` URL of the package's worker script, which
 *    then `importScripts` a Blob of the bundled factory; that factory refers to
 *    helpers of the bundle and cannot run on its own. While the backend starts,
 *    the global `Worker` is an accessor that ignores the glue's assignment and
 *    yields {@link PTHREAD_WORKER}'s constructor: a `node:worker_threads` Worker
 *    (Deno runs those as module workers, and they can be unref'd) on
 *    src/wasm/pthread_worker.ts, which runs the package's worker script with the
 *    package's standalone glue of the same build. The `load` message's Blob is
 *    replaced by a name, and `ref()` does nothing: the pthreads, which XNNPACK
 *    keeps parked, never keep the process alive. The global `Worker` is put
 *    back afterwards (the project's own module workers need Deno's).
 * 3. The backend's C++ caps the thread pool at half of
 *    `emscripten_num_logical_cores()` (it assumes two hyperthreads per core),
 *    which is `os.cpus().length` in Node mode: 1 on a 2-core machine. While the
 *    module starts, `os.cpus()` reports twice the requested count.
 *
 * XNNPACK splits a product into output tiles, each computed by one thread as
 * one thread would, so results are bit-identical to the unthreaded SIMD build
 * (tests/backend_threads_test.ts).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

/** The pthread worker module (Deno only; not part of the npm build). */
export const PTHREAD_WORKER: URL = new URL("pthread_worker.ts", import.meta.url);

/** Options of {@link startThreadedWasm}. */
export interface ThreadedWasmOptions {
  /** The pthread worker module (default {@link PTHREAD_WORKER}; tests pass a failing one). */
  workerUrl?: URL;
  /** Give up when the backend has not started after this long (default 60 s). */
  timeoutMs?: number;
}

/** The `node:worker_threads` Worker methods patched here. */
interface NodeWorkerLike {
  postMessage(message: unknown, transfer?: unknown): void;
  on(event: string, listener: (arg: unknown) => void): unknown;
  ref(): void;
  terminate(): unknown;
}

/**
 * Starts tfjs's `wasm` backend on the threaded SIMD build with `threads`
 * threads (2 … 8; tfjs's pool holds 8 workers) and returns the thread count
 * XNNPACK reports. Deno only. On failure (a worker that does not load, or the
 * timeout) it terminates the workers it started, clears the flag again and
 * throws; the caller can then start the unthreaded build with
 * `tf.setBackend("wasm")`.
 *
 * @example Two threads
 * ```ts
 * import { startThreadedWasm } from "./threads.ts";
 * const n = await startThreadedWasm(2); // 2
 * ```
 */
export async function startThreadedWasm(
  threads: number,
  options: ThreadedWasmOptions = {},
): Promise<number> {
  if (!Number.isInteger(threads) || threads < 2 || threads > 8) {
    throw new RangeError(`wasm threads must be an integer from 2 to 8, got ${threads}`);
  }
  const wasm = await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
  const { Worker: NodeWorker } = await import("node:worker_threads");
  const os = (await import("node:os")).default as { cpus: () => unknown[] };
  const workerUrl = options.workerUrl ?? PTHREAD_WORKER;

  const started: NodeWorkerLike[] = [];
  let starting = true;
  let fail: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => fail = reject);
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the threaded build did not start within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });

  function PthreadWorker(): NodeWorkerLike {
    const w = new NodeWorker(workerUrl) as unknown as NodeWorkerLike;
    const post = w.postMessage.bind(w);
    w.postMessage = (message, transfer) => {
      const m = message as { cmd?: string } | undefined;
      // The worker imports the glue itself; the Blob would not load there.
      post(
        m?.cmd === "load" ? { ...m, urlOrBlob: "tfjs-backend-wasm-threaded-simd.js" } : m,
        transfer,
      );
    };
    const on = w.on.bind(w);
    // Our own listener from the start: a worker module that fails to load may report before the
    // glue has attached its listeners.
    on("error", (e) => {
      if (starting) fail(e);
    });
    w.on = (event, listener) =>
      on(event, event === "error" ? (e) => starting ? fail(e) : listener(e) : listener);
    w.ref = () => {};
    started.push(w);
    return w;
  }

  const workerDesc = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  const cpus = os.cpus;
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get: () => PthreadWorker,
    set: () => {},
  });
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
  try {
    const ok = await Promise.race([tf.setBackend("wasm"), failed, timedOut]);
    if (!ok) throw new Error("tfjs refused the threaded build");
    await tf.ready();
    return wasm.getThreadsCount();
  } catch (e) {
    for (const w of started) w.terminate();
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    wasm.setThreadsCount(1);
    throw e;
  } finally {
    starting = false;
    clearTimeout(timer);
    os.cpus = cpus;
    if (workerDesc) Object.defineProperty(globalThis, "Worker", workerDesc);
    else delete (globalThis as { Worker?: unknown }).Worker;
  }
}
