// Tests for src/native/setup.ts through `deno task setup-native`
// (tasks/setup_native.ts): usage errors, a failing step that leaves nothing
// recorded, and, when .native/ holds an install, the quick idempotent rerun.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { nativeDir, readInstallRecord } from "../../src/native/install_record.ts";
import { packageName } from "../../src/native/setup.ts";
import { runChild } from "./_child.ts";

const TASK = "tasks/setup_native.ts";

Deno.test("setup-native rejects a bad --tf-version and unknown flags with exit 2 and one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "native_usage_" });
  try {
    const bad = await runChild(TASK, ["--tf-version", "latest"], { FG_NATIVE_DIR: dir });
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr.trim(),
      'error: --tf-version must be a version like 2.21.0, got "latest"',
    );
    const unknown = await runChild(TASK, ["--cuda"], { FG_NATIVE_DIR: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr.trim(), /^error: .*--cuda/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("setup-native reports the failed step and records nothing when node and npm are missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "native_fail_" });
  try {
    // Only deno's own folder on PATH: node and npm cannot be found.
    const r = await runChild(TASK, [], {
      FG_NATIVE_DIR: dir,
      PATH: dirname(Deno.execPath()),
    });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^setup-native: FAILED at tools: node and npm are needed/m);
    assert.match(r.stderr, /--backend auto keeps using wasm/);
    assert.equal(existsSync(join(dir, "install.json")), false);
    assert.equal(readInstallRecord(dir), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("packageName() picks the CPU or GPU tfjs-node package", () => {
  assert.equal(packageName(false), "@tensorflow/tfjs-node");
  assert.equal(packageName(true), "@tensorflow/tfjs-node-gpu");
});

const installed = readInstallRecord(nativeDir());
if (installed) {
  Deno.test("setup-native finds the working install and changes nothing on a second run", async () => {
    const file = join(nativeDir(), "install.json");
    const before = readFileSync(file, "utf8");
    const r = await runChild(TASK, [], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /working install found \(@tensorflow\/tfjs-node@4\.22\.0, .*\): nothing to do/,
    );
    assert.equal(readFileSync(file, "utf8"), before);
  });
}
