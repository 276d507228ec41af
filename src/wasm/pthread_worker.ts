/**
 * One pthread of tfjs-backend-wasm's threaded SIMD build under Deno, started
 * by src/wasm/threads.ts as a `node:worker_threads` Worker.
 *
 * The package's own pthread script (`wasmWorkerContents`, the string exported
 * by `wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`) runs here as it
 * does under Node: it takes its messages from `parentPort`, sets its globals
 * (`self`, `location`, `importScripts`, …) on the global object and, on the
 * main thread's `load` message, calls `importScripts` on the main script and
 * then the factory `WasmBackendModuleThreadedSimd` with the shared memory and
 * the compiled module. The main script tfjs sends is a Blob of its bundled
 * factory, which refers to helpers of its bundle and cannot run on its own;
 * the package's standalone emscripten glue
 * (`wasm-out/tfjs-backend-wasm-threaded-simd.js`, the same build) is imported
 * here instead, and `importScripts` only hands it over.
 *
 * Deno only: it imports `npm:` specifiers.
 *
 * @module
 */
import { createRequire } from "node:module";
import glue from "npm:@tensorflow/tfjs-backend-wasm@4.22.0/wasm-out/tfjs-backend-wasm-threaded-simd.js";
import { wasmWorkerContents } from "npm:@tensorflow/tfjs-backend-wasm@4.22.0/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js";

const scope = globalThis as unknown as Record<string, unknown>;
// The script assigns these with Object.assign; on Deno's worker global some are
// getter-only accessors (`location`), so each becomes a plain writable property.
for (
  const key of [
    "self",
    "location",
    "Worker",
    "importScripts",
    "postMessage",
    "performance",
    "Module",
    "require",
  ]
) {
  Object.defineProperty(scope, key, {
    value: scope[key],
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
// The string holds `"\n"` escapes that its template literal turned into
// newlines inside string literals; tfjs escapes them the same way before use.
const source = String(wasmWorkerContents).replace(/\n/g, "\\n");
new Function("require", "global", "__filename", source)(
  createRequire(import.meta.url),
  globalThis,
  "tfjs-backend-wasm-threaded-simd.worker.js",
);
scope.importScripts = () => {
  scope.WasmBackendModuleThreadedSimd = glue;
};
