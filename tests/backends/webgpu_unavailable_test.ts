// `--backend webgpu` where the runtime has no WebGPU: a one-line usage error, exit 2, nothing written.
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/native/install_record.ts";

Deno.test("--backend webgpu without navigator.gpu: one-line error naming --backend and the allowed values, exit 2, nothing written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "no_webgpu_" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        join(REPO_ROOT, "deno.json"),
        "--preload",
        "tests/fixtures/no_webgpu_preload.ts",
        "tasks/stage.ts",
        "functions",
        "--profile",
        "smoke",
        "--backend",
        "webgpu",
      ],
      cwd: REPO_ROOT,
      env: { FG_RESULTS_DIR: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, stderr);
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], /^error: --backend webgpu: .*no WebGPU/);
    assert.match(lines[0], /--backend auto, wasm, cpu or tensorflow/);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
