// Tests for src/native/install_record.ts.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  addonPath,
  type InstallRecord,
  NATIVE_DIR_ENV,
  nativeDir,
  readInstallRecord,
  REPO_ROOT,
} from "../../src/native/install_record.ts";

const RECORD: InstallRecord = {
  format: 1,
  package: "@tensorflow/tfjs-node",
  packageVersion: "4.22.0",
  route: "offline",
  addon: "node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node",
  libtensorflow: { source: "tensorflow_cpu-2.21.0.whl", version: "2.21.0" },
  tools: { node: "v20" },
  installedAt: "2026-01-01T00:00:00.000Z",
  verified: { backend: "tensorflow", maxAbsDiff: 1e-6 },
};

Deno.test("readInstallRecord() reads a valid record and rejects missing, malformed or foreign ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "native_rec_" });
  try {
    assert.equal(readInstallRecord(dir), undefined);
    const file = join(dir, "install.json");
    await Deno.writeTextFile(file, JSON.stringify(RECORD));
    assert.deepEqual(readInstallRecord(dir), RECORD);
    assert.equal(addonPath(dir, RECORD), join(dir, RECORD.addon));
    await Deno.writeTextFile(file, "{ not json");
    assert.equal(readInstallRecord(dir), undefined);
    await Deno.writeTextFile(file, JSON.stringify({ ...RECORD, format: 2 }));
    assert.equal(readInstallRecord(dir), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nativeDir() is <repo>/.native unless FG_NATIVE_DIR moves it", () => {
  const saved = Deno.env.get(NATIVE_DIR_ENV);
  try {
    Deno.env.delete(NATIVE_DIR_ENV);
    assert.equal(nativeDir(), join(REPO_ROOT, ".native"));
    Deno.env.set(NATIVE_DIR_ENV, "/tmp/elsewhere");
    assert.equal(nativeDir(), "/tmp/elsewhere");
  } finally {
    if (saved === undefined) Deno.env.delete(NATIVE_DIR_ENV);
    else Deno.env.set(NATIVE_DIR_ENV, saved);
  }
});
