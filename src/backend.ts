/**
 * Choosing and starting the TensorFlow.js backend shared by every stage.
 *
 * `auto` picks the fastest backend that is installed and always succeeds on a
 * fresh machine: the native `tensorflow` backend when it has been set up
 * (`deno task setup-native`), otherwise `wasm`, with a one-line notice.
 *
 * Under Deno, `wasm` runs tfjs's threaded SIMD build (src/wasm/threads.ts) on
 * as many threads as the machine has cores (at most 8), or on
 * {@link InitBackendOptions.wasmThreads} / `FG_WASM_THREADS` threads; 1 is the
 * unthreaded SIMD build, which is also the fallback (with a one-line notice)
 * when the threads cannot start. Results are bit-identical either way.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

/** Backend names accepted by `--backend`. */
export const BACKEND_CHOICES = ["auto", "wasm", "cpu", "tensorflow", "webgpu"] as const;
/** One of {@link BACKEND_CHOICES}. */
export type BackendChoice = typeof BACKEND_CHOICES[number];

/** What was started: the tfjs backend name and facts to record in manifests. */
export interface BackendInfo {
  /** The choice as requested (`auto`, …). */
  requested: BackendChoice;
  /** The tfjs backend actually running (`wasm`, `cpu`, `tensorflow`, `webgpu`). */
  name: string;
  /**
   * Version facts for the manifest; on wasm also `wasm_threads`, the number of
   * threads XNNPACK runs on (1: the unthreaded SIMD build).
   */
  versions: Record<string, string>;
  /** Why `auto` chose as it did, or a fallback notice. */
  notice?: string;
}

let active: BackendInfo | undefined;

/**
 * tfjs-backend-cpu prints a banner ("Hi, looks like you are running
 * TensorFlow.js in Node.js … install our node backend") on the first tensor a
 * cpu backend stores whenever Node's `process` global exists, which Deno
 * provides. This project chooses its backend itself (`auto` takes the native
 * one when `deno task setup-native` has installed it), so the advice is noise.
 * The banner is all that the backend's `firstUse` flag controls, so every cpu
 * backend is created with it already cleared: tfjs's other warnings still
 * print, and `IS_NODE` (which the wasm backend needs to load its binary) is
 * left alone.
 */
function silenceNodeBackendBanner(): void {
  const clear = (b: tf.KernelBackend): tf.KernelBackend => {
    if ("firstUse" in b) (b as { firstUse: boolean }).firstUse = false;
    return b;
  };
  const engine = tf.engine();
  const started = engine.registry["cpu"];
  if (started) {
    clear(started);
    return;
  }
  const entry = engine.registryFactory["cpu"];
  if (!entry) return;
  const { factory, priority } = entry;
  tf.removeBackend("cpu");
  tf.registerBackend("cpu", () => {
    const b = factory();
    return b instanceof Promise ? b.then(clear) : clear(b);
  }, priority);
}
silenceNodeBackendBanner();

/** The backend started by {@link initBackend}, if any. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}

/** Whether `name` is a valid `--backend` value. */
export function isBackendChoice(name: string): name is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(name);
}

/** One-line reason the last native load attempt threw, if it did. */
let nativeFailure: string | undefined;

/**
 * Loads the native backend (src/native/loader.ts) on demand: a dynamic import,
 * so that the Node-only modules it needs are evaluated only when `auto` or
 * `tensorflow` is asked for, and the loader never imports this module back.
 */
async function tryNative(): Promise<boolean> {
  nativeFailure = undefined;
  try {
    const { loadNativeBackend } = await import("./native/loader.ts");
    return await loadNativeBackend();
  } catch (e) {
    nativeFailure = String((e as Error)?.message ?? e).split("\n")[0];
    return false;
  }
}

/** The libtensorflow version the native backend runs on (its addon reports it). */
function nativeVersions(): Record<string, string> {
  const b = tf.backend() as unknown as { binding?: { TF_Version?: unknown } };
  return { libtensorflow: String(b.binding?.TF_Version ?? "unknown") };
}

/**
 * The JavaScript runtime's versions (`deno` and `v8`, or `node` and `v8`;
 * none in a browser), read from globals so that this module loads anywhere.
 */
function runtimeVersions(): Record<string, string> {
  const g = globalThis as {
    Deno?: { version: { deno: string; v8: string } };
    process?: { versions?: { node?: string; v8?: string } };
  };
  if (g.Deno) return { deno: g.Deno.version.deno, v8: g.Deno.version.v8 };
  const v = g.process?.versions;
  return v?.node ? { node: v.node, ...(v.v8 ? { v8: v.v8 } : {}) } : {};
}

/**
 * The requested backend cannot be started here (not installed, not set up).
 * Command-line entry points report it as a usage error naming `--backend`.
 */
export class BackendUnavailableError extends Error {
  override name = "BackendUnavailableError";
}

const OTHER_BACKENDS = "use --backend auto, wasm, cpu or tensorflow";

/**
 * Checks that WebGPU can start here before the tfjs webgpu package is loaded
 * (a dynamic import, so wasm and cpu users never evaluate it) and returns the
 * adapter's facts for the manifest (`webgpu_adapter`: vendor, architecture,
 * device and description as the runtime reports them).
 */
async function webgpuAdapter(): Promise<Record<string, string>> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) {
    throw new BackendUnavailableError(
      `Cannot start backend "webgpu": this runtime has no WebGPU (navigator.gpu); ${OTHER_BACKENDS}`,
    );
  }
  let adapter: AdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    const why = String((e as Error)?.message ?? e).split("\n")[0];
    throw new BackendUnavailableError(
      `Cannot start backend "webgpu": requesting an adapter failed (${why}); ${OTHER_BACKENDS}`,
    );
  }
  if (!adapter) {
    throw new BackendUnavailableError(
      `Cannot start backend "webgpu": no WebGPU adapter on this machine (install a GPU driver, or mesa-vulkan-drivers for a software one); ${OTHER_BACKENDS}`,
    );
  }
  const info = adapter.info ?? {};
  const facts = [info.vendor, info.architecture, info.device, info.description]
    .map((v) => String(v ?? "").trim());
  return { webgpu_adapter: facts.filter((v) => v !== "").join(" / ") || "unknown" };
}

/** The part of `navigator.gpu` used here (no WebGPU type library needed). */
interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Threads of the `wasm` backend: 1 for the unthreaded SIMD build, 2 … 8 for
   * the threaded one (Deno only). Default: the `FG_WASM_THREADS` environment
   * variable, else `navigator.hardwareConcurrency` capped at 8.
   */
  wasmThreads?: number;
  /**
   * The pthread worker module of the threaded build (default: the project's,
   * src/wasm/pthread_worker.ts); tests pass one that fails, to see the fallback.
   */
  wasmWorkerUrl?: URL;
}

/** `FG_WASM_THREADS`, or undefined when unset or unreadable (no --allow-env). */
function wasmThreadsEnv(): string | undefined {
  try {
    const g = globalThis as { Deno?: { env: { get(key: string): string | undefined } } };
    return g.Deno?.env.get("FG_WASM_THREADS");
  } catch {
    return undefined;
  }
}

/**
 * The wasm thread count asked for: `option`, else `env` (`FG_WASM_THREADS`),
 * else `navigator.hardwareConcurrency` capped at 8. Throws a RangeError naming
 * the source for anything but an integer from 1 to 8.
 *
 * @example
 * ```ts
 * import { wasmThreadsWanted } from "./backend.ts";
 * wasmThreadsWanted(undefined, "1"); // 1
 * ```
 */
export function wasmThreadsWanted(
  option?: number,
  env: string | undefined = wasmThreadsEnv(),
): number {
  const [value, source, given] = option !== undefined
    ? [option, "wasmThreads", String(option)]
    : env !== undefined && env !== ""
    ? [Number(env), "FG_WASM_THREADS", env]
    : [Math.min(8, globalThis.navigator?.hardwareConcurrency ?? 1), "the core count", ""];
  if (!Number.isInteger(value) || value < 1 || value > 8) {
    throw new RangeError(`${source} must be an integer from 1 to 8, got ${given || value}`);
  }
  return value;
}

/**
 * Starts the wasm backend on `threads` threads: the threaded build under Deno
 * when `threads` > 1, falling back to the unthreaded one with a notice.
 */
async function startWasm(
  threads: number,
  workerUrl?: URL,
): Promise<{ threads: number; notice?: string }> {
  const wasm = await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
  if (threads > 1 && (globalThis as { Deno?: unknown }).Deno) {
    try {
      const { startThreadedWasm } = await import("./wasm/threads.ts");
      return { threads: await startThreadedWasm(threads, { workerUrl }) };
    } catch (e) {
      const why = String((e as Error)?.message ?? e).split("\n")[0];
      await start("wasm");
      return {
        threads: wasm.getThreadsCount(),
        notice: `backend wasm: threads did not start (${why}), using the single-threaded build`,
      };
    }
  }
  await start("wasm");
  return { threads: wasm.getThreadsCount() };
}

async function start(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`Cannot start backend "${name}": tfjs refused it`);
  await tf.ready();
}

/**
 * Starts a backend. Idempotent for the same choice.
 *
 * @example Start the default backend
 * ```ts
 * import { initBackend } from "./backend.ts";
 * const info = await initBackend("auto");
 * console.log(info.name); // "wasm" on a fresh machine
 * ```
 */
export async function initBackend(
  choice: BackendChoice = "auto",
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  if (active && active.requested === choice) return active;
  let notice: string | undefined;
  let name: string;
  let extraVersions: Record<string, string> = {};
  let wasmStarted: { threads: number; notice?: string } | undefined;
  switch (choice) {
    case "cpu":
      await import("npm:@tensorflow/tfjs-backend-cpu@4.22.0");
      name = "cpu";
      break;
    case "wasm":
      wasmStarted = await startWasm(wasmThreadsWanted(options.wasmThreads), options.wasmWorkerUrl);
      name = "wasm";
      break;
    case "webgpu":
      extraVersions = await webgpuAdapter();
      await import("npm:@tensorflow/tfjs-backend-webgpu@4.22.0");
      name = "webgpu";
      break;
    case "tensorflow":
      if (!(await tryNative())) {
        throw new BackendUnavailableError(
          nativeFailure
            ? `Cannot start backend "tensorflow": ${nativeFailure}; rerun \`deno task setup-native\` or use --backend auto`
            : 'Cannot start backend "tensorflow": the native addon is not set up; run `deno task setup-native` or use --backend auto',
        );
      }
      name = "tensorflow";
      break;
    case "auto":
      if (await tryNative()) {
        name = "tensorflow";
      } else {
        wasmStarted = await startWasm(
          wasmThreadsWanted(options.wasmThreads),
          options.wasmWorkerUrl,
        );
        name = "wasm";
        notice = nativeFailure
          ? `backend auto: native tensorflow backend failed to load (${nativeFailure}), using wasm`
          : "backend auto: native tensorflow backend not set up (deno task setup-native), using wasm";
      }
      break;
  }
  if (wasmStarted) {
    if (wasmStarted.notice) {
      notice = notice ? `${notice}; ${wasmStarted.notice}` : wasmStarted.notice;
    }
    extraVersions = { wasm_threads: String(wasmStarted.threads) };
  } else {
    await start(name);
  }
  active = {
    requested: choice,
    name,
    versions: {
      tfjs: tf.version.tfjs,
      ...runtimeVersions(),
      ...(name === "tensorflow" ? nativeVersions() : {}),
      ...extraVersions,
    },
    notice,
  };
  return active;
}
