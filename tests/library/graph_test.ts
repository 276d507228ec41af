// The library's module graph (`deno info --json`): what `mod.ts` reaches must
// not include the pipeline (src/pipeline, src/stages, src/report, src/lrs,
// tasks/) or a package only the pipeline needs, and the core and the JVP
// engine stay free of Node built-ins and `Deno.*` so they bundle for a browser.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** npm packages only the pipeline, the tables and the report use. */
const PIPELINE_ONLY = ["csv-parse", "csv-stringify", "vega", "vega-lite", "cli-progress"];
/** Project folders the library must not reach. */
const PIPELINE_DIRS = /^(src\/(pipeline|stages|report|lrs)\/|tasks\/)/;

interface Graph {
  /** Project files reached, relative to the checkout (`src/core/rng.ts`). */
  files: string[];
  /** Names of every npm package reached, directly or through other packages. */
  packages: Set<string>;
  /** Names of the npm packages the project files import themselves. */
  direct: string[];
  /** Node built-ins imported (`node:fs`). */
  builtins: string[];
}

interface InfoModule {
  kind: string;
  specifier: string;
  npmPackage?: string;
}
interface InfoJson {
  modules: InfoModule[];
  npmPackages: Record<string, { name: string; dependencies: string[] }>;
}

async function graphOf(entry: string): Promise<Graph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as InfoJson;
  const rootUrl = new URL("../../", import.meta.url).href;
  const files = info.modules.filter((m) => m.specifier.startsWith(rootUrl))
    .map((m) => m.specifier.slice(rootUrl.length));
  const builtins = info.modules.filter((m) => m.kind === "node").map((m) => m.specifier);
  // npmPackages holds the whole resolution snapshot; walk it from the
  // packages the graph imports. Ids look like `name@1.2.3` or
  // `name@1.2.3_peer@4.5.6`.
  const ids = Object.keys(info.npmPackages);
  const packages = new Set<string>();
  const seen = new Set<string>();
  const todo = info.modules.flatMap((m) => m.npmPackage ? [m.npmPackage] : [])
    .flatMap((p) => ids.filter((id) => id === p || id.startsWith(`${p}_`)));
  assert.ok(todo.length > 0 || !files.length, `no npm package found for ${entry}`);
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const pkg = info.npmPackages[id];
    packages.add(pkg.name);
    todo.push(...pkg.dependencies);
  }
  const direct = [
    ...new Set(
      info.modules.filter((m) => m.kind === "npm" && m.npmPackage)
        .map((m) => m.npmPackage!.match(/^@?[^@]+/)![0]),
    ),
  ];
  return { files, packages, direct, builtins };
}

function pipelineReach(g: Graph): string[] {
  return [
    ...g.files.filter((f) => PIPELINE_DIRS.test(f)),
    ...PIPELINE_ONLY.filter((p) => g.packages.has(p)).map((p) => `npm:${p}`),
  ];
}

Deno.test("mod.ts reaches no pipeline module and no pipeline-only package", async () => {
  const g = await graphOf("mod.ts");
  // The graph is really the library's: the core, the engine and tfjs are in it.
  assert.ok(g.files.includes("src/core/forward_gradient.ts"), g.files.join(", "));
  assert.ok(g.files.includes("src/jvp/jvp.ts"));
  assert.ok(g.packages.has("@tensorflow/tfjs"));
  assert.deepEqual(pipelineReach(g), []);
});

Deno.test("the graph check sees a pipeline-only package and a pipeline module when they are reached", async () => {
  // src/stages/train.ts writes CSV through src/pipeline/csv.ts (csv-stringify).
  const g = await graphOf("src/stages/train.ts");
  const bad = pipelineReach(g);
  assert.ok(bad.includes("npm:csv-stringify"), bad.join(", "));
  assert.ok(bad.includes("src/pipeline/csv.ts"), bad.join(", "));
});

for (const entry of ["src/core/mod.ts", "src/jvp/mod.ts"]) {
  Deno.test(`${entry} imports only tfjs: no Node built-in, no Deno API, no other package`, async () => {
    const g = await graphOf(entry);
    assert.deepEqual(g.builtins, []);
    assert.deepEqual(g.direct, ["@tensorflow/tfjs"]);
    for (const f of g.files) {
      const text = await Deno.readTextFile(`${ROOT}${f}`);
      assert.doesNotMatch(text, /\bDeno\.\w/, `${f} uses the Deno namespace`);
      assert.ok(!/^(src\/data|src\/nn|src\/native)\//.test(f), `${entry} reaches ${f}`);
    }
  });
}
