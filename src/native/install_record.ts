/**
 * Where the native `tensorflow` backend lives (`.native/` at the repository
 * root, or `$FG_NATIVE_DIR`) and the record `deno task setup-native` writes
 * there after a verified install.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** Environment variable that moves the native install folder (tests point it elsewhere). */
export const NATIVE_DIR_ENV = "FG_NATIVE_DIR";

/** Version of `@tensorflow/tfjs-node` that matches the project's `@tensorflow/tfjs`. */
export const TFJS_NODE_VERSION = "4.22.0";

/** File name of the install record inside the native folder. */
export const INSTALL_RECORD = "install.json";

/** Absolute path of the repository root (two folders above this file). */
export const REPO_ROOT: string = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/**
 * The native install folder: `$FG_NATIVE_DIR` when set (relative to the
 * current folder), otherwise `<repo>/.native`.
 */
export function nativeDir(): string {
  const env = process.env[NATIVE_DIR_ENV];
  return env ? resolve(env) : join(REPO_ROOT, ".native");
}

/** What `deno task setup-native` installed, as stored in `.native/install.json`. */
export interface InstallRecord {
  /** Format version of this record. */
  format: 1;
  /** npm package providing the backend: `@tensorflow/tfjs-node` or `@tensorflow/tfjs-node-gpu`. */
  package: string;
  /** Its version. */
  packageVersion: string;
  /** `network`: the package's own install script; `offline`: wheel + local addon build. */
  route: "network" | "offline";
  /** Addon path relative to the native folder. */
  addon: string;
  /** Where libtensorflow came from (download URL family or wheel file name) and its version. */
  libtensorflow: { source: string; version: string };
  /** Tool versions used (node, npm, node-gyp, pip …). */
  tools: Record<string, string>;
  /** ISO time of the install. */
  installedAt: string;
  /** Result of the post-install check (a matMul on the native backend against cpu). */
  verified: { backend: string; maxAbsDiff: number };
}

/**
 * Reads the install record of `dir`, or returns undefined when there is none or
 * it is unreadable. Cheap: one stat and one small read.
 *
 * @param dir The native folder.
 */
export function readInstallRecord(dir: string): InstallRecord | undefined {
  const file = join(dir, INSTALL_RECORD);
  if (!existsSync(file)) return undefined;
  try {
    const rec = JSON.parse(readFileSync(file, "utf8")) as InstallRecord;
    if (rec?.format !== 1 || typeof rec.package !== "string" || typeof rec.addon !== "string") {
      return undefined;
    }
    return rec;
  } catch {
    return undefined;
  }
}

/** Absolute path of the record's addon (`tfjs_binding.node`). */
export function addonPath(dir: string, rec: InstallRecord): string {
  return isAbsolute(rec.addon) ? rec.addon : join(dir, rec.addon);
}
