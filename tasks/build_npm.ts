/**
 * `deno task build-npm [--pack]`: builds the library (`mod.ts` and every
 * module it reaches) as an npm package for Node in the git-ignored `dist/npm/`.
 *
 * 1. `deno info --json mod.ts` lists the library's modules (plus the worker
 *    modules they start by URL); they are copied to `dist/npm-build/ts/`
 *    with `npm:name@version` specifiers made bare (tasks/npm/specifiers.ts).
 * 2. `npm install` there fetches the pinned compiler (typescript 5.9.3), the
 *    Node type declarations and the packages the sources import, at the
 *    versions the sources pin.
 * 3. tsc compiles to ES2022 modules with `.d.ts` declarations into
 *    `dist/npm/esm/`, rewriting relative `.ts` imports to `.js`.
 * 4. `dist/npm/package.json` gets `exports` (`.`, `./core`, `./jvp`) and the
 *    pinned dependencies; `--pack` runs `npm pack` into `dist/`.
 *
 * Needs `node` and `npm` on PATH, and the npm registry (or npm's cache).
 *
 * @module
 */
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runMain, UsageError } from "../src/cli/args.ts";
import { mergeDependencies, toNodeSource } from "./npm/specifiers.ts";

/** The package's name and version. */
export const NPM_PACKAGE = { name: "multi-tangent-fg", version: "0.1.0" } as const;
/** The compiler and Node declarations the build uses (exact versions). */
const BUILD_TOOLS = { typescript: "5.9.3", "@types/node": "20.19.43" };
/** Entry points: subpath → source module. */
const ENTRIES: Record<string, string> = {
  ".": "mod.ts",
  "./core": "src/core/mod.ts",
  "./jvp": "src/jvp/mod.ts",
};

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DIST = join(ROOT, "dist");
const WORK = join(DIST, "npm-build");
const OUT = join(DIST, "npm");

/** Runs a command and returns its stdout, failing with its output when it exits non-zero. */
async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr);
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${stdout}${stderr}`);
  }
  return stdout;
}

/** The project files (relative paths) reached from `entry` by `deno info`. */
async function moduleFiles(entry: string): Promise<string[]> {
  const json = await run(Deno.execPath(), ["info", "--json", entry], ROOT);
  const info = JSON.parse(json) as { modules: { specifier: string }[] };
  const root = pathToFileURL(ROOT).href;
  return info.modules.map((m) => m.specifier).filter((s) => s.startsWith(root))
    .map((s) => fileURLToPath(s)).map((p) => relative(ROOT, p));
}

/** Every library file: the entries' graphs and the graphs of workers started by URL. */
async function libraryFiles(): Promise<string[]> {
  const files = new Set<string>();
  const todo = Object.values(ENTRIES);
  while (todo.length > 0) {
    const entry = todo.pop()!;
    if (files.has(entry)) continue;
    for (const f of await moduleFiles(entry)) {
      if (files.has(f)) continue;
      files.add(f);
      const text = await readFile(join(ROOT, f), "utf8");
      for (const m of text.matchAll(/new URL\(\s*"(\.\.?\/[^"]+\.ts)"\s*,\s*import\.meta\.url/g)) {
        const worker = relative(ROOT, join(dirname(join(ROOT, f)), m[1]));
        if (!files.has(worker)) todo.push(worker);
      }
    }
  }
  return [...files].sort();
}

/** `declare module "x";` for dependencies that ship no types (Deno treats them as any too). */
async function untypedShims(deps: string[]): Promise<string> {
  const lines: string[] = [];
  for (const name of deps) {
    const dir = join(WORK, "node_modules", name);
    const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    const typed = pkg.types ?? pkg.typings ??
      (await readFile(join(dir, "index.d.ts")).then(() => "index.d.ts", () => undefined));
    if (!typed) lines.push(`declare module "${name}";`);
  }
  return lines.join("\n") + "\n";
}

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2023", "DOM"],
    types: ["node"],
    strict: true,
    declaration: true,
    rewriteRelativeImportExtensions: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    rootDir: "ts",
    outDir: "../npm/esm",
  },
  include: ["ts/**/*.ts"],
};

function packageJson(dependencies: Record<string, string>): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const [sub, src] of Object.entries(ENTRIES)) {
    const base = `./esm/${src.replace(/\.ts$/, "")}`;
    exports[sub] = { types: `${base}.d.ts`, default: `${base}.js` };
  }
  return {
    name: NPM_PACKAGE.name,
    version: NPM_PACKAGE.version,
    description:
      "Multi-tangent forward gradients (Flügel et al., arXiv 2410.17764) on TensorFlow.js: " +
      "tangent samplers, aggregations incl. frog, a forward-mode AD engine, models",
    type: "module",
    exports,
    types: "./esm/mod.d.ts",
    files: ["esm/", "README.md"],
    engines: { node: ">=20" },
    dependencies,
  };
}

const PACKAGE_README = `# ${NPM_PACKAGE.name}

Multi-tangent forward gradients (Flügel et al., "Beyond Backpropagation: Optimization with
Multi-Tangent Forward Gradients", arXiv 2410.17764) on TensorFlow.js, for Node ≥ 20.
Built by \`deno task build-npm\` from the same sources as the Deno library (\`mod.ts\`).

\`\`\`js
import * as tf from "@tensorflow/tfjs";
import { directionalDerivatives, forwardGradient, initBackend, Rng, sampleTangents } from "${NPM_PACKAGE.name}";

await initBackend("cpu");
const n = 16, k = 4;
const x = tf.ones([n]);
const v = tf.tensor2d(sampleTangents(new Rng(0, "tangents"), "normal", k, n), [k, n]);
const d = directionalDerivatives((x) => tf.sum(tf.square(x)), [x], [v]);
const frog = forwardGradient(v, d, "orthogonal_projection"); // projection of ∇f onto span(V)
\`\`\`

Subpaths \`${NPM_PACKAGE.name}/core\` and \`${NPM_PACKAGE.name}/jvp\` import only tfjs.
\`initBackend("tensorflow")\` uses \`@tensorflow/tfjs-node\` when you have imported it yourself.
`;

/** Builds the package; returns its folder (and the tarball with `pack`). */
export async function buildNpm(pack: boolean): Promise<{ dir: string; tarball?: string }> {
  const files = await libraryFiles();
  await rm(join(WORK, "ts"), { recursive: true, force: true }); // node_modules is kept: npm install only updates it
  await rm(OUT, { recursive: true, force: true });
  const deps: Record<string, string>[] = [];
  for (const f of files) {
    const { text, dependencies } = toNodeSource(await readFile(join(ROOT, f), "utf8"), f);
    deps.push(dependencies);
    await mkdir(dirname(join(WORK, "ts", f)), { recursive: true });
    await writeFile(join(WORK, "ts", f), text);
  }
  const dependencies = mergeDependencies(deps);
  await writeFile(
    join(WORK, "package.json"),
    JSON.stringify(
      { private: true, type: "module", devDependencies: { ...BUILD_TOOLS, ...dependencies } },
      null,
      2,
    ),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts"], WORK);
  await writeFile(
    join(WORK, "ts", "_untyped.d.ts"),
    await untypedShims(Object.keys(dependencies)),
  );
  await writeFile(join(WORK, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
  await run("node", [join(WORK, "node_modules", "typescript", "bin", "tsc"), "-p", "."], WORK);
  await writeFile(
    join(OUT, "package.json"),
    JSON.stringify(packageJson(dependencies), null, 2) + "\n",
  );
  await writeFile(join(OUT, "README.md"), PACKAGE_README);
  if (!pack) return { dir: OUT };
  const name = (await run("npm", ["pack", "--pack-destination", DIST], OUT)).trim().split("\n")
    .pop()!;
  const tarball = join(DIST, name);
  if (!(await stat(tarball).then((s) => s.isFile(), () => false))) {
    throw new Error(`npm pack did not write ${tarball}`);
  }
  return { dir: OUT, tarball };
}

if (import.meta.main) {
  await runMain(async () => {
    let values;
    try {
      ({ values } = parseArgs({ args: Deno.args, options: { pack: { type: "boolean" } } }));
    } catch (e) {
      throw new UsageError((e as Error).message.split("\n")[0]);
    }
    const t0 = performance.now();
    const r = await buildNpm(values.pack === true);
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    process.stdout.write(
      `npm package ${NPM_PACKAGE.name}@${NPM_PACKAGE.version} in ${
        relative(ROOT, r.dir)
      }/ (${s} s)` +
        (r.tarball ? `; packed: ${relative(ROOT, r.tarball)}` : "") + "\n",
    );
  });
}
