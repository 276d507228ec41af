// Tests for src/native/loader.ts that do not need an install (the native
// path itself is covered by load_test.ts when .native/ holds one).
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import assert from "node:assert/strict";
import util from "node:util";
import { join } from "node:path";
import { loadNativeBackend, loadNativePackage, patchNodeUtil } from "../../src/native/loader.ts";

Deno.test("loadNativeBackend() returns false without throwing for a folder with no install record", async () => {
  const dir = await Deno.makeTempDir({ prefix: "native_none_" });
  try {
    // A process that already loaded the backend short-cuts to true; this test
    // file never loads it, so the absent folder must answer false.
    assert.equal(tf.findBackendFactory("tensorflow"), null);
    assert.equal(await loadNativeBackend(dir), false);
    assert.equal(await loadNativeBackend(join(dir, "does", "not", "exist")), false);
    assert.equal(tf.findBackendFactory("tensorflow"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadNativePackage() throws a one-line error naming the missing package", async () => {
  const dir = await Deno.makeTempDir({ prefix: "native_empty_" });
  try {
    assert.throws(
      () => loadNativePackage(dir, "@tensorflow/tfjs-node"),
      (e: Error) =>
        /is incomplete: .*@tensorflow\/tfjs-node\/package\.json is missing$/.test(e.message) &&
        !e.message.includes("\n"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("patchNodeUtil() re-adds isNullOrUndefined and isArray with Node's semantics", () => {
  patchNodeUtil();
  const u = util as unknown as {
    isNullOrUndefined: (x: unknown) => boolean;
    isArray: (x: unknown) => boolean;
  };
  assert.deepEqual([null, undefined, 0, "", false, NaN].map(u.isNullOrUndefined), [
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
  assert.deepEqual([[], [1], {}, "a", new Float32Array(1)].map(u.isArray), [
    true,
    true,
    false,
    false,
    false,
  ]);
  const before = u.isNullOrUndefined;
  patchNodeUtil();
  assert.equal(u.isNullOrUndefined, before);
});
