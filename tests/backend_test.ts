// Tests for src/backend.ts that need a fresh tfjs engine run in a child process.
import assert from "node:assert/strict";
import { runChild } from "./native/_child.ts";

const CHILD = "tests/fixtures/backend_banner_child.ts";
const BANNER = /looks like you are running TensorFlow\.js in Node\.js/;

async function runScenario(args: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "no_native_" });
  try {
    // An empty native folder: `auto` takes wasm whatever is installed here.
    return await runChild(CHILD, args, { FG_NATIVE_DIR: dir });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("no tfjs 'install the node backend' banner on cpu or wasm; tfjs's other warnings still print", async () => {
  for (
    const [args, expected] of [
      [["cpu"], { "cpu=cpu": 12 }],
      [["auto", "set:cpu"], { "auto=wasm": 12, "set:cpu=cpu": 12 }],
    ] as const
  ) {
    const r = await runScenario([...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json?.sums, expected, r.stdout);
    assert.doesNotMatch(r.stderr, BANNER, `banner printed for ${args.join(" ")}`);
    assert.match(r.stderr, /fg-probe: a tfjs warning/, "tfjs warnings are not silenced");
  }
});
