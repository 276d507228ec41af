/**
 * `deno task setup-native`: installs the native `tensorflow` tfjs backend
 * (`@tensorflow/tfjs-node`, or `-gpu`) into `.native/`, checks that it loads
 * and computes correctly in Deno, and records what it installed in
 * `.native/install.json`.
 *
 * Two routes:
 * - network: the package's own `npm install` (its install script downloads
 *   libtensorflow and a prebuilt addon);
 * - offline, when that download fails: `npm install --ignore-scripts`, the
 *   TensorFlow C libraries and headers taken out of the `tensorflow-cpu` Python
 *   wheel (`pip download`, which works against a local index), and the addon
 *   built with node-gyp against local Node headers.
 *
 * The record is written last, only after the check passed, so a failed or
 * interrupted setup leaves the loader returning false and `--backend auto` on
 * wasm.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import {
  INSTALL_RECORD,
  type InstallRecord,
  readInstallRecord,
  REPO_ROOT,
  TFJS_NODE_VERSION,
} from "./install_record.ts";
import { bindingHeaders, extractWheel, WHEEL_LIBRARIES } from "./wheel.ts";

/** TensorFlow wheel version whose C API the tfjs-node 4.22 binding builds and runs against. */
export const TF_WHEEL_VERSION = "2.21.0";
/** node-gyp version used for the offline addon build (supports Node ≥ 18.17). */
export const NODE_GYP_VERSION = "11.5.0";
/** Log file (inside the native folder) that receives every tool's output. */
export const SETUP_LOG = "setup.log";

/** Options of {@link setupNative}. */
export interface SetupOptions {
  /** The native folder (`.native/`). */
  dir: string;
  /** Install `@tensorflow/tfjs-node-gpu` (CUDA) instead of the CPU package. */
  gpu?: boolean;
  /** Reinstall even when a working install is recorded. */
  force?: boolean;
  /** Skip the network route and go straight to the offline one. */
  offline?: boolean;
  /** TensorFlow wheel version for the offline route. */
  tfVersion?: string;
  /** Progress sink (one line per call); default `console.log`. */
  log?: (line: string) => void;
}

/** Outcome of {@link setupNative}. */
export interface SetupResult {
  /** The install record now in `.native/install.json`. */
  record: InstallRecord;
  /** True when a working install was found and nothing was done. */
  reused: boolean;
}

/** A setup step that failed: `step` names it, the message says why (one line). */
export class SetupError extends Error {
  override name = "SetupError";
  /**
   * @param step The step that failed (e.g. `pip download`).
   * @param message One-line reason.
   */
  constructor(readonly step: string, message: string) {
    super(message);
  }
}

interface ExecResult {
  code: number;
  stdout: string;
  tail: string;
}

/** The tfjs-node package for the CPU or GPU variant. */
export function packageName(gpu: boolean): string {
  return gpu ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
}

/** Runs a command, appending its output to the setup log. Never throws for exit codes. */
async function exec(
  logFile: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ExecResult> {
  const header = `\n$ (cd ${opts.cwd ?? Deno.cwd()}) ${cmd} ${args.join(" ")}\n`;
  await Deno.writeTextFile(logFile, header, { append: true });
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, {
      args,
      cwd: opts.cwd,
      env: opts.env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    const msg = e instanceof Deno.errors.NotFound ? `${cmd}: command not found` : String(e);
    await Deno.writeTextFile(logFile, msg + "\n", { append: true });
    return { code: 127, stdout: "", tail: msg };
  }
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout);
  const stderr = dec.decode(out.stderr);
  await Deno.writeTextFile(logFile, stdout + stderr + `[exit ${out.code}]\n`, { append: true });
  const lines = (stdout + "\n" + stderr).split("\n").map((l) => l.trimEnd()).filter((l) => l);
  return { code: out.code, stdout, tail: reason(lines) };
}

/** The most telling line of a failed tool's output (its first error message). */
function reason(lines: string[]): string {
  const useful = lines.filter((l) => !/complete log|^\s*(npm error|gyp ERR!)?\s*at\s/.test(l));
  const err = useful.find((l) => /\b(Error|ERROR|fatal error|error):\s|\bE[A-Z]{5,}\b/.test(l));
  return (err ?? useful.at(-1) ?? "").replace(/^npm error\s+/, "").slice(0, 300);
}

/** First line of a tool's `--version` output, or undefined when it is missing. */
async function toolVersion(logFile: string, cmd: string, args = ["--version"]) {
  const r = await exec(logFile, cmd, args);
  return r.code === 0 ? r.stdout.trim().split("\n")[0] : undefined;
}

/** Runs `src/native/verify.ts` in a child Deno: loads the install and checks a matMul. */
async function verifyInChild(logFile: string, dir: string, pkg: string) {
  const r = await exec(logFile, Deno.execPath(), [
    "run",
    "-A",
    "--config",
    join(REPO_ROOT, "deno.json"),
    join(REPO_ROOT, "src", "native", "verify.ts"),
    dir,
    pkg,
  ], { cwd: REPO_ROOT });
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  try {
    const v = JSON.parse(last) as
      | { ok: true; backend: string; maxAbsDiff: number }
      | { ok: false; error: string };
    if (v.ok) return v;
    return { ok: false as const, error: v.error };
  } catch {
    return { ok: false as const, error: `check crashed (exit ${r.code}): ${r.tail}` };
  }
}

/** Writes a minimal package.json so npm treats `dir` as its own project. */
async function ensureProject(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const pj = join(dir, "package.json");
  if (!existsSync(pj)) {
    const body = {
      name: "native-tensorflow-backend",
      private: true,
      description: "Native tfjs backend installed by `deno task setup-native`; not part of git.",
    };
    await Deno.writeTextFile(pj, JSON.stringify(body, null, 2) + "\n");
  }
}

/** Largest N-API version the package ships (`binary.napi_versions`), for `lib/napi-v<N>`. */
function napiBuildVersion(pkgDir: string): number {
  const pj = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const versions: number[] = pj?.binary?.napi_versions ?? [8];
  return Math.max(...versions);
}

/** The addon path tfjs-node looks for, relative to the native folder. */
function addonRel(dir: string, pkgDir: string): string {
  return relative(
    dir,
    join(pkgDir, "lib", `napi-v${napiBuildVersion(pkgDir)}`, "tfjs_binding.node"),
  );
}

/** libtensorflow version the package's install script downloads (`deps-constants.js`). */
function packageLibVersion(pkgDir: string): string {
  try {
    const src = readFileSync(join(pkgDir, "scripts", "deps-constants.js"), "utf8");
    return src.match(/LIBTENSORFLOW_VERSION\s*=\s*'([^']+)'/)?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** A Python that can run pip, or undefined. */
async function findPython(logFile: string): Promise<string | undefined> {
  for (const py of ["python3", "python"]) {
    if ((await exec(logFile, py, ["-m", "pip", "--version"])).code === 0) return py;
  }
  return undefined;
}

/** `--nodedir` for node-gyp: a Node install prefix with `include/node/common.gypi`, if any. */
async function localNodeDir(logFile: string): Promise<string | undefined> {
  const r = await exec(logFile, "node", ["-p", "process.execPath"]);
  const candidates: string[] = [];
  if (r.code === 0) {
    const exe = realpathSync(r.stdout.trim());
    candidates.push(dirname(dirname(exe)));
  }
  candidates.push("/usr", "/usr/local");
  return candidates.find((p) => existsSync(join(p, "include", "node", "common.gypi")));
}

/**
 * Installs (or finds) the native backend. Prints progress through `opts.log`.
 *
 * @param opts Where and what to install.
 * @returns The install record and whether an existing install was reused.
 * @throws SetupError naming the failed step; the default wasm path is untouched.
 *
 * @example Install the CPU backend into .native/
 * ```ts
 * import { setupNative } from "./setup.ts";
 * import { nativeDir } from "./install_record.ts";
 * const { record } = await setupNative({ dir: nativeDir() });
 * console.log(record.route, record.libtensorflow.version);
 * ```
 */
export async function setupNative(opts: SetupOptions): Promise<SetupResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const say = (l: string) => log(`setup-native: ${l}`);
  const { dir } = opts;
  const gpu = opts.gpu ?? false;
  const pkg = packageName(gpu);
  const tfVersion = opts.tfVersion ?? TF_WHEEL_VERSION;
  const logFile = join(dir, SETUP_LOG);
  const recordFile = join(dir, INSTALL_RECORD);

  const existing = readInstallRecord(dir);
  if (existing && !opts.force) {
    if (existing.package !== pkg) {
      say(`${existing.package} is installed; ${pkg} was asked for: reinstalling`);
    } else {
      await Deno.mkdir(dir, { recursive: true });
      say(`checking the recorded install in ${dir} ...`);
      const v = await verifyInChild(logFile, dir, pkg);
      if (v.ok) {
        say(
          `working install found (${existing.package}@${existing.packageVersion}, ` +
            `libtensorflow ${existing.libtensorflow.version}, ${existing.route} route): nothing to do`,
        );
        return { record: existing, reused: true };
      }
      say(`the recorded install does not load (${v.error}): reinstalling`);
    }
  }

  // From here on there is no valid record until the new install has been checked.
  await ensureProject(dir);
  if (existsSync(recordFile)) await Deno.remove(recordFile);
  await Deno.writeTextFile(logFile, `setup-native ${new Date().toISOString()}\n`, { append: true });
  if (opts.force) {
    say("--force: removing the previous node_modules");
    await Deno.remove(join(dir, "node_modules"), { recursive: true }).catch(() => {});
    await Deno.remove(join(dir, "package-lock.json")).catch(() => {});
  }

  const node = await toolVersion(logFile, "node");
  const npm = await toolVersion(logFile, "npm");
  if (!node || !npm) {
    throw new SetupError(
      "tools",
      "node and npm are needed (npm lays out node_modules for the addon)",
    );
  }
  say(`using node ${node}, npm ${npm}; folder ${dir}; details go to ${logFile}`);
  const pkgDir = join(dir, "node_modules", pkg);
  const spec = `${pkg}@${TFJS_NODE_VERSION}`;
  const npmFlags = ["--no-audit", "--no-fund", "--save-exact", "--loglevel=error"];

  // Network route.
  if (!opts.offline) {
    // A copy left by an earlier attempt would let npm skip the install script.
    await Deno.remove(pkgDir, { recursive: true }).catch(() => {});
    say(`[network] npm install ${spec} (its install script downloads libtensorflow) ...`);
    const r = await exec(logFile, "npm", ["install", ...npmFlags, spec], { cwd: dir });
    if (r.code === 0 && existsSync(join(dir, addonRel(dir, pkgDir)))) {
      say("[network] installed; checking it loads in Deno ...");
      const v = await verifyInChild(logFile, dir, pkg);
      if (v.ok) {
        const libVersion = packageLibVersion(pkgDir);
        const record: InstallRecord = {
          format: 1,
          package: pkg,
          packageVersion: TFJS_NODE_VERSION,
          route: "network",
          addon: addonRel(dir, pkgDir),
          libtensorflow: {
            source: `libtensorflow-${
              gpu ? "gpu" : "cpu"
            }-linux-x86_64-${libVersion} (npm install script)`,
            version: libVersion,
          },
          tools: { node, npm, deno: Deno.version.deno },
          installedAt: new Date().toISOString(),
          verified: { backend: v.backend, maxAbsDiff: v.maxAbsDiff },
        };
        await Deno.writeTextFile(recordFile, JSON.stringify(record, null, 2) + "\n");
        return { record, reused: false };
      }
      say(`[network] installed but does not load (${v.error}); trying the offline route`);
    } else {
      say(`[network] failed (${r.tail || `exit ${r.code}`}); trying the offline route`);
    }
  }

  // Offline route.
  if (Deno.build.os !== "linux") {
    throw new SetupError(
      "offline route",
      `it builds from the Linux TensorFlow wheel; on ${Deno.build.os} only the network route works`,
    );
  }
  say(`[offline 1/5] npm install --ignore-scripts ${spec} node-gyp@${NODE_GYP_VERSION} ...`);
  const inst = await exec(logFile, "npm", [
    "install",
    "--ignore-scripts",
    ...npmFlags,
    spec,
    `node-gyp@${NODE_GYP_VERSION}`,
  ], { cwd: dir });
  if (inst.code !== 0 || !existsSync(join(pkgDir, "binding.gyp"))) {
    throw new SetupError("npm install --ignore-scripts", inst.tail || `exit ${inst.code}`);
  }

  const wheelPkg = gpu ? "tensorflow" : "tensorflow-cpu";
  const wheelDir = join(dir, "wheels");
  const python = await findPython(logFile);
  if (!python) throw new SetupError("pip", "no python3 with pip found (needed for the wheel)");
  const pip = await toolVersion(logFile, python, ["-m", "pip", "--version"]) ?? "pip";
  say(`[offline 2/5] pip download --no-deps ${wheelPkg}==${tfVersion} ...`);
  await Deno.mkdir(wheelDir, { recursive: true });
  const pipArgs = [
    "-m",
    "pip",
    "download",
    "--no-deps",
    "-d",
    wheelDir,
    `${wheelPkg}==${tfVersion}`,
  ];
  let dl = await exec(logFile, python, pipArgs);
  if (dl.code !== 0) {
    // The wheel's libraries do not depend on the Python version: ask for a
    // common tag when this interpreter has no matching wheel.
    dl = await exec(logFile, python, [
      ...pipArgs,
      "--only-binary=:all:",
      "--python-version",
      "3.11",
      "--platform",
      "manylinux_2_27_x86_64",
    ]);
  }
  const wheelPrefix = wheelPkg.replace("-", "_") + "-" + tfVersion + "-";
  const wheel = existsSync(wheelDir)
    ? readdirSync(wheelDir).find((f) => f.startsWith(wheelPrefix) && f.endsWith(".whl"))
    : undefined;
  if (dl.code !== 0 || !wheel) {
    throw new SetupError("pip download", dl.tail || `no ${wheelPrefix}*.whl in ${wheelDir}`);
  }

  say(`[offline 3/5] taking libtensorflow and the C API headers out of ${wheel} ...`);
  const depsDir = join(pkgDir, "deps");
  await Deno.remove(depsDir, { recursive: true }).catch(() => {});
  const bindingDir = join(pkgDir, "binding");
  const sources = readdirSync(bindingDir).filter((f) => /\.(cc|h)$/.test(f))
    .map((f) => readFileSync(join(bindingDir, f), "utf8"));
  let extracted;
  try {
    extracted = await extractWheel(python, join(wheelDir, wheel), depsDir, bindingHeaders(sources));
  } catch (e) {
    throw new SetupError("wheel extraction", (e as Error).message);
  }
  const libDir = join(depsDir, "lib");
  // tfjs-node links -ltensorflow -ltensorflow_framework; the wheel's C API lives in _cc.
  await Deno.symlink(WHEEL_LIBRARIES[0], join(libDir, "libtensorflow.so.2"));
  await Deno.symlink("libtensorflow.so.2", join(libDir, "libtensorflow.so"));
  await Deno.symlink(WHEEL_LIBRARIES[1], join(libDir, "libtensorflow_framework.so"));
  say(`[offline 3/5] ${extracted.libraries.join(", ")} + ${extracted.headers.length} headers`);

  const nodeDir = await localNodeDir(logFile);
  const napi = napiBuildVersion(pkgDir);
  say(
    `[offline 4/5] node-gyp rebuild (N-API ${napi}, headers ${
      nodeDir ? join(nodeDir, "include", "node") : "downloaded by node-gyp"
    }) ...`,
  );
  const gypArgs = [
    join(dir, "node_modules", "node-gyp", "bin", "node-gyp.js"),
    "rebuild",
    `--jobs=${Math.max(1, navigator.hardwareConcurrency ?? 1)}`,
    "--module_name=tfjs_binding",
    `--module_path=${join(pkgDir, "lib", `napi-v${napi}`)}`,
    `--napi_build_version=${napi}`,
    ...(nodeDir ? [`--nodedir=${nodeDir}`] : []),
  ];
  const gyp = await exec(logFile, "node", gypArgs, { cwd: pkgDir });
  const addon = addonRel(dir, pkgDir);
  if (gyp.code !== 0 || !existsSync(join(dir, addon))) {
    throw new SetupError("node-gyp build", gyp.tail || `exit ${gyp.code}`);
  }

  say("[offline 5/5] checking the addon loads in Deno and agrees with cpu ...");
  const v = await verifyInChild(logFile, dir, pkg);
  if (!v.ok) throw new SetupError("check", v.error);
  const gypVersion = await toolVersion(logFile, "node", [gypArgs[0], "--version"]);
  const record: InstallRecord = {
    format: 1,
    package: pkg,
    packageVersion: TFJS_NODE_VERSION,
    route: "offline",
    addon,
    libtensorflow: { source: wheel, version: tfVersion },
    tools: {
      node,
      npm,
      "node-gyp": gypVersion ?? NODE_GYP_VERSION,
      pip,
      deno: Deno.version.deno,
      nodeHeaders: nodeDir ? join(nodeDir, "include", "node") : "node-gyp download",
    },
    installedAt: new Date().toISOString(),
    verified: { backend: v.backend, maxAbsDiff: v.maxAbsDiff },
  };
  await Deno.writeTextFile(recordFile, JSON.stringify(record, null, 2) + "\n");
  // The libraries are out of the wheel; it is no longer needed (about 250 MB).
  await Deno.remove(wheelDir, { recursive: true }).catch(() => {});
  return { record, reused: false };
}
