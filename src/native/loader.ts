/**
 * Loads the native `tensorflow` backend (`@tensorflow/tfjs-node`, installed in
 * `.native/` by `deno task setup-native`) into Deno, registered into the SAME
 * tfjs instance the project imports.
 *
 * tfjs-node `require`s its own `@tensorflow/tfjs` and `@tensorflow/tfjs-core`.
 * Before loading it, the loader places the project's own tfjs modules in the
 * CommonJS cache under the paths those two requests resolve to from `.native/`,
 * so tfjs-node registers its backend, kernels and IO handlers on the project's
 * engine and no second tfjs copy is ever evaluated.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import Module, { createRequire } from "node:module";
import process from "node:process";
import util from "node:util";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { addonPath, nativeDir, readInstallRecord } from "./install_record.ts";

/** Name of the tfjs backend that tfjs-node registers. */
export const NATIVE_BACKEND = "tensorflow";

/**
 * Re-adds `util.isNullOrUndefined` and `util.isArray` to `node:util`: Deno
 * reports a Node version that dropped them, and tfjs-node still calls them.
 * Idempotent; leaves existing functions untouched.
 */
export function patchNodeUtil(): void {
  const u = util as unknown as Record<string, unknown>;
  if (typeof u.isNullOrUndefined !== "function") {
    u.isNullOrUndefined = (x: unknown) => x === null || x === undefined;
  }
  if (typeof u.isArray !== "function") u.isArray = Array.isArray;
}

/** The project's tfjs and tfjs-core as CommonJS export objects (the same instances `tf` uses). */
function projectTfjsModules(): { tfjs: unknown; core: unknown } {
  const url = import.meta.resolve("npm:@tensorflow/tfjs@4.22.0");
  if (url.startsWith("file:")) {
    const tfjsPath = fileURLToPath(url);
    const req = createRequire(tfjsPath);
    const tfjs = req(tfjsPath) as typeof tf;
    if (tfjs.engine() === tf.engine()) {
      return { tfjs, core: req(req.resolve("@tensorflow/tfjs-core")) };
    }
  }
  // Without a node_modules folder the ES namespace is the only handle; it
  // re-exports every tfjs-core symbol, so it serves for both requests.
  return { tfjs: tf, core: tf };
}

/** Puts `exports` in the CommonJS cache under `filename`. */
function alias(req: NodeJS.Require, filename: string, exports: unknown): void {
  const Ctor = Module as unknown as new (id: string, parent: unknown) => Record<string, unknown>;
  const m = new Ctor(filename, null);
  m.filename = filename;
  m.loaded = true;
  m.exports = exports;
  m.paths = [];
  req.cache[filename] = m as unknown as NodeJS.Module;
}

/**
 * Loads the native backend from `dir` and registers it as `"tensorflow"`.
 *
 * Returns false at once (one stat, no exception) when `dir` holds no install
 * record; throws a one-line error when an install is recorded but does not
 * load (missing library, missing `--allow-ffi` …). Loading twice is a no-op.
 *
 * @param dir The native folder (default `.native/` or `$FG_NATIVE_DIR`).
 * @returns Whether the `tensorflow` backend is now registered.
 *
 * @example Use the native backend when it is installed
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { loadNativeBackend } from "./loader.ts";
 * if (await loadNativeBackend()) await tf.setBackend("tensorflow");
 * ```
 */
export function loadNativeBackend(dir: string = nativeDir()): Promise<boolean> {
  if (tf.findBackendFactory(NATIVE_BACKEND) != null) return Promise.resolve(true);
  const rec = readInstallRecord(dir);
  if (!rec) return Promise.resolve(false);
  const addon = addonPath(dir, rec);
  if (!existsSync(addon)) {
    throw new Error(`native install in ${dir} is incomplete: ${addon} is missing`);
  }
  loadNativePackage(dir, rec.package);
  return Promise.resolve(true);
}

/**
 * Loads tfjs-node package `pkg` from `dir/node_modules` (laid out by npm) into
 * the project's tfjs instance, without consulting the install record. Used by
 * {@link loadNativeBackend} and by `deno task setup-native` to check a fresh
 * install before recording it.
 *
 * @param dir The native folder.
 * @param pkg `@tensorflow/tfjs-node` or `@tensorflow/tfjs-node-gpu`.
 * @throws Error with a one-line message when the package does not load or
 *   does not register the `tensorflow` backend.
 */
export function loadNativePackage(dir: string, pkg: string): void {
  if (tf.findBackendFactory(NATIVE_BACKEND) != null) return;
  const pkgJson = join(dir, "node_modules", pkg, "package.json");
  if (!existsSync(pkgJson)) {
    throw new Error(`native install in ${dir} is incomplete: ${pkgJson} is missing`);
  }
  patchNodeUtil();
  // Quiet TensorFlow's C++ info logging unless the user asked for it.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= "2";
  const req = createRequire(pkgJson);
  const ours = projectTfjsModules();
  try {
    alias(req, req.resolve("@tensorflow/tfjs"), ours.tfjs);
    alias(req, req.resolve("@tensorflow/tfjs-core"), ours.core);
    req(pkg);
  } catch (e) {
    const msg = String((e as Error)?.message ?? e).split("\n")[0];
    throw new Error(`native backend in ${dir} failed to load: ${msg}`);
  }
  if (tf.findBackendFactory(NATIVE_BACKEND) == null) {
    throw new Error(`native backend in ${dir} loaded but did not register "${NATIVE_BACKEND}"`);
  }
}
