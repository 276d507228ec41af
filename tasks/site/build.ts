/**
 * Building the interactive page (site/) into static files with esbuild.
 *
 * The page imports the library's public `mod.ts`, which is written for Deno:
 * its npm dependencies are `npm:name@version` specifiers and a few modules
 * (dataset readers, the tangent-prefetch worker) use Node built-ins. The
 * bundle is made browser-ready by one esbuild plugin:
 *
 * - `npm:name@version/sub` resolves to `name/sub` in the project's
 *   `node_modules/` (Deno fills it: `"nodeModulesDir": "auto"`), so the page
 *   runs the very tfjs version the library pins.
 * - Node built-ins (`node:fs`, `zlib`, …) and the library's Node-only npm
 *   packages ({@link NODE_ONLY_PACKAGES}) resolve to generated stand-ins with
 *   the real module's export names, each of which throws "… is not available
 *   in a browser" when used — the role of package.json's `"browser": { "fs":
 *   false }` field. The library never touches them at import time (the
 *   browser test loads the whole of `mod.ts` in Chromium), only inside the
 *   functions that read datasets or start workers.
 *
 * tfjs's wasm binaries are copied next to the bundle (the page calls
 * `setWasmPaths` with its own folder: no CDN).
 *
 * @module
 */
import { builtinModules } from "node:module";
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "npm:esbuild@0.28.2";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
/** The default output folder of `deno task site` (git-ignored). */
export const SITE_OUT: string = join(ROOT, "dist", "site");
/** The page's sources. */
export const SITE_SRC: string = join(ROOT, "site");

/** npm packages the library uses only for Node work (decoding datasets, reading tar files). */
export const NODE_ONLY_PACKAGES: readonly string[] = ["jpeg-js", "pngjs", "tar-stream"];

/** Static files copied verbatim from site/. */
const STATIC_FILES = ["index.html", "style.css"];

const NPM = /^npm:((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(\/.*)?$/;
const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));

/** The bare package name and subpath of an `npm:` specifier, or null. */
export function parseNpmSpecifier(spec: string): { name: string; subpath: string } | null {
  const m = NPM.exec(spec);
  return m ? { name: m[1], subpath: m[2] ?? "" } : null;
}

/** Whether a bare or `node:` specifier names a Node built-in module. */
export function isNodeBuiltin(spec: string): boolean {
  if (spec.startsWith("node:")) return true;
  return BUILTINS.has(spec) || BUILTINS.has(spec.split("/")[0]);
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * The source of a stand-in for a Node-only module: the real module's export
 * names (read by importing it here, in Deno), each bound to a value that
 * throws when called, constructed or read into.
 */
export async function standInSource(spec: string, label: string): Promise<string> {
  const real = await import(spec) as Record<string, unknown>;
  const names = Object.keys(real).filter((n) => n !== "default" && IDENT.test(n)).sort();
  const lines = [
    `const message = (what) => what + " is not available in a browser: it belongs to the Node-only part of the library";`,
    `const unavailable = (what) => new Proxy(function () {}, {`,
    `  get: (_t, p) => p === "prototype" ? {} : typeof p === "symbol" ? undefined : unavailable(what + "." + p),`,
    `  apply: () => { throw new Error(message(what)); },`,
    `  construct: () => { throw new Error(message(what)); },`,
    `});`,
    `export default unavailable(${JSON.stringify(label)});`,
    ...names.map((n) => `export const ${n} = unavailable(${JSON.stringify(`${label}.${n}`)});`),
  ];
  return lines.join("\n") + "\n";
}

/** The esbuild plugin that resolves `npm:` specifiers and stands in for Node-only modules. */
export function denoBrowserPlugin(root: string = ROOT): esbuild.Plugin {
  return {
    name: "deno-browser",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        const npm = parseNpmSpecifier(args.path);
        if (npm && NODE_ONLY_PACKAGES.includes(npm.name)) {
          return { path: args.path, namespace: "node-only" };
        }
        if (npm) {
          return await build.resolve(npm.name + npm.subpath, {
            kind: args.kind,
            resolveDir: root,
            importer: args.importer,
          });
        }
        if (args.kind !== "entry-point" && isNodeBuiltin(args.path)) {
          const name = args.path.startsWith("node:") ? args.path : `node:${args.path}`;
          return { path: name, namespace: "node-only" };
        }
        return undefined;
      });
      build.onLoad({ filter: /.*/, namespace: "node-only" }, async (args) => ({
        contents: await standInSource(args.path, args.path),
        loader: "js",
      }));
    },
  };
}

/** What {@link buildSite} wrote. */
export interface SiteBuild {
  /** The output folder. */
  out: string;
  /** Files written (relative to `out`). */
  files: string[];
  /** Size of the JavaScript in bytes. */
  jsBytes: number;
}

/** Fills node_modules/ with the npm packages the page imports (Deno's `nodeModulesDir`). */
export async function installPageDependencies(): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--entrypoint", "site/src/main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`deno install failed: ${new TextDecoder().decode(out.stderr).slice(-800)}`);
  }
}

/**
 * Bundles TypeScript that imports the library for the browser: ES modules
 * with lazy chunks, `npm:` specifiers resolved and Node-only modules stood in
 * for (see the module comment). Returns the bytes written.
 *
 * @param entryPoints output name → source file
 * @param out output folder
 */
export async function bundleForBrowser(
  entryPoints: Record<string, string>,
  out: string,
): Promise<number> {
  try {
    const result = await esbuild.build({
      entryPoints,
      bundle: true,
      format: "esm",
      splitting: true,
      platform: "browser",
      target: "es2022",
      outdir: out,
      minify: true,
      metafile: true,
      logLevel: "silent",
      plugins: [denoBrowserPlugin()],
    });
    return Object.values(result.metafile.outputs).reduce((s, o) => s + o.bytes, 0);
  } finally {
    await esbuild.stop();
  }
}

/**
 * Builds the page into `out` (emptied first): the bundle `main.js` (+ lazy
 * chunks), index.html, style.css and tfjs's wasm binaries.
 *
 * @example Build into the default folder
 * ```ts ignore
 * import { buildSite, SITE_OUT } from "./build.ts";
 * const { files } = await buildSite(SITE_OUT);
 * ```
 */
export async function buildSite(out: string = SITE_OUT): Promise<SiteBuild> {
  await installPageDependencies();
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const jsBytes = await bundleForBrowser({ main: join(SITE_SRC, "src", "main.ts") }, out);
  for (const f of STATIC_FILES) await copyFile(join(SITE_SRC, f), join(out, f));
  const wasmDir = join(ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  const wasm = (await readdir(wasmDir)).filter((f) => f.endsWith(".wasm"));
  if (wasm.length === 0) throw new Error(`Cannot build the site: no .wasm files in ${wasmDir}`);
  for (const f of wasm) await copyFile(join(wasmDir, f), join(out, f));
  return { out, files: (await readdir(out)).sort(), jsBytes };
}
