/**
 * Takes libtensorflow out of a TensorFlow Python wheel for the offline route of
 * `deno task setup-native`: `libtensorflow_cc.so.2`, `libtensorflow_framework.so.2`
 * and the C API headers the tfjs-node binding includes (followed transitively),
 * laid out as tfjs-node's `deps/` folder expects (`deps/lib`, `deps/include`).
 *
 * A wheel is a zip file; Python's `zipfile` (Python is there, pip needs it)
 * streams the 800 MB library out without holding it in memory.
 *
 * @module
 */

/** The shared libraries taken from the wheel (inside its `tensorflow/` folder). */
export const WHEEL_LIBRARIES = ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"] as const;

/** Headers the binding needs at least; the extractor adds what they include. */
export const SEED_HEADERS = [
  "tensorflow/c/c_api.h",
  "tensorflow/c/eager/c_api.h",
  "tensorflow/c/tf_datatype.h",
  "tensorflow/c/tf_status.h",
  "tensorflow/c/tf_tensor.h",
] as const;

/**
 * Python program: argv = wheel, deps folder, then seed headers. Prints one JSON
 * line with the extracted headers and libraries.
 */
const EXTRACT_PY = String.raw`
import json, os, re, shutil, sys, zipfile
whl, deps, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
z = zipfile.ZipFile(whl)
names = set(z.namelist())
libs = []
for lib in ${JSON.stringify(WHEEL_LIBRARIES)}:
    src = "tensorflow/" + lib
    if src not in names:
        sys.exit("wheel has no " + src)
    os.makedirs(os.path.join(deps, "lib"), exist_ok=True)
    with z.open(src) as s, open(os.path.join(deps, "lib", lib), "wb") as d:
        shutil.copyfileobj(s, d, 1 << 22)
    libs.append(lib)
prefix = "tensorflow/include/"
todo, seen, missing = list(seeds), set(), []
while todo:
    h = todo.pop()
    if h in seen:
        continue
    seen.add(h)
    if prefix + h not in names:
        missing.append(h)
        continue
    data = z.read(prefix + h)
    out = os.path.join(deps, "include", h)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "wb") as d:
        d.write(data)
    todo.extend(m.decode() for m in re.findall(rb'#include\s+"([^"]+)"', data))
if missing:
    sys.exit("wheel lacks headers: " + ", ".join(sorted(missing)))
print(json.dumps({"libraries": libs, "headers": sorted(seen)}))
`;

/** What {@link extractWheel} wrote. */
export interface WheelExtract {
  /** Library file names written to `deps/lib`. */
  libraries: string[];
  /** Header paths written under `deps/include`. */
  headers: string[];
}

/**
 * Extracts the libraries and the header closure of `seeds` from `wheel` into
 * `depsDir` (`lib/` and `include/`).
 *
 * @param python Python interpreter to run (`python3`).
 * @param wheel Path of the `.whl` file.
 * @param depsDir tfjs-node's `deps` folder.
 * @param seeds Header paths relative to the wheel's include folder.
 * @throws Error naming what is missing when the wheel lacks a library or header.
 */
export async function extractWheel(
  python: string,
  wheel: string,
  depsDir: string,
  seeds: readonly string[] = SEED_HEADERS,
): Promise<WheelExtract> {
  const out = await new Deno.Command(python, {
    args: ["-c", EXTRACT_PY, wheel, depsDir, ...seeds],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    throw new Error(`cannot extract ${wheel}: ${err || `exit ${out.code}`}`);
  }
  return JSON.parse(stdout.split("\n").at(-1)!) as WheelExtract;
}

/**
 * Header paths a tfjs-node binding source includes from TensorFlow
 * (`#include "tensorflow/…"`), to seed {@link extractWheel}.
 *
 * @param sources Texts of `binding/*.cc` and `binding/*.h`.
 */
export function bindingHeaders(sources: readonly string[]): string[] {
  const found = new Set<string>(SEED_HEADERS);
  for (const text of sources) {
    for (const m of text.matchAll(/#include\s+"((?:tensorflow|tsl|xla)\/[^"]+)"/g)) found.add(m[1]);
  }
  return [...found].sort();
}
