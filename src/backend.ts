/**
 * Choosing and starting the TensorFlow.js backend shared by every stage.
 *
 * `auto` picks the fastest backend that is installed and always succeeds on a
 * fresh machine: the native `tensorflow` backend when it has been set up
 * (`deno task setup-native`), otherwise `wasm`, with a one-line notice.
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
  /** Version facts for the manifest. */
  versions: Record<string, string>;
  /** Why `auto` chose as it did, or a fallback notice. */
  notice?: string;
}

let active: BackendInfo | undefined;

/** The backend started by {@link initBackend}, if any. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}

/** Whether `name` is a valid `--backend` value. */
export function isBackendChoice(name: string): name is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(name);
}

/**
 * Loader for the native backend. Set by `src/native/` when the native addon is
 * installed; returns false when it is not available.
 */
export type NativeLoader = () => Promise<boolean>;
let nativeLoader: NativeLoader | undefined;
/** One-line reason the last native load attempt threw, if it did. */
let nativeFailure: string | undefined;

/** Registers the loader for the native `tensorflow` backend. */
export function registerNativeLoader(loader: NativeLoader): void {
  nativeLoader = loader;
}

async function tryNative(): Promise<boolean> {
  if (!nativeLoader) {
    try {
      await import("./native/load.ts");
    } catch {
      return false;
    }
  }
  if (!nativeLoader) return false;
  nativeFailure = undefined;
  try {
    return await nativeLoader();
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
export async function initBackend(choice: BackendChoice = "auto"): Promise<BackendInfo> {
  if (active && active.requested === choice) return active;
  let notice: string | undefined;
  let name: string;
  switch (choice) {
    case "cpu":
      await import("npm:@tensorflow/tfjs-backend-cpu@4.22.0");
      name = "cpu";
      break;
    case "wasm":
      await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
      name = "wasm";
      break;
    case "webgpu":
      throw new Error(
        'Cannot start backend "webgpu": it is not installed in this project; use --backend auto, wasm, cpu or tensorflow',
      );
    case "tensorflow":
      if (!(await tryNative())) {
        throw new Error(
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
        await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
        name = "wasm";
        notice = nativeFailure
          ? `backend auto: native tensorflow backend failed to load (${nativeFailure}), using wasm`
          : "backend auto: native tensorflow backend not set up (deno task setup-native), using wasm";
      }
      break;
  }
  await start(name);
  active = {
    requested: choice,
    name,
    versions: {
      tfjs: tf.version.tfjs,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      ...(name === "tensorflow" ? nativeVersions() : {}),
    },
    notice,
  };
  return active;
}
