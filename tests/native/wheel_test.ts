// Tests for src/native/wheel.ts: header discovery, and extraction from a small
// wheel-shaped zip built here (the real wheel is 250 MB).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bindingHeaders, extractWheel, SEED_HEADERS } from "../../src/native/wheel.ts";

Deno.test("bindingHeaders() adds the TensorFlow headers a binding includes to the seeds", () => {
  const src = [
    '#include "tensorflow/c/c_api.h"\n#include "tfjs_backend.h"\n#include <node_api.h>',
    '#include "tensorflow/core/platform/ctstring_internal.h"',
  ];
  const h = bindingHeaders(src);
  assert.ok(h.includes("tensorflow/core/platform/ctstring_internal.h"));
  assert.ok(!h.includes("tfjs_backend.h"));
  for (const s of SEED_HEADERS) assert.ok(h.includes(s));
});

/** Builds a zip with Python's zipfile (files: name → text). */
async function makeZip(path: string, files: Record<string, string>): Promise<void> {
  const py = "import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],'w')\n" +
    "[z.writestr(k,v) for k,v in json.loads(sys.argv[2]).items()]\nz.close()";
  const out = await new Deno.Command("python3", { args: ["-c", py, path, JSON.stringify(files)] })
    .output();
  assert.ok(out.success);
}

Deno.test("extractWheel() writes both libraries and the transitive header closure, and names what is missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "native_wheel_" });
  try {
    const whl = join(dir, "t.whl");
    await makeZip(whl, {
      "tensorflow/libtensorflow_cc.so.2": "CC",
      "tensorflow/libtensorflow_framework.so.2": "FW",
      "tensorflow/include/tensorflow/c/c_api.h": '#include "tensorflow/c/tf_status.h"\n',
      "tensorflow/include/tensorflow/c/tf_status.h": '#include "xla/tsl/c/tsl_status.h"\n',
      "tensorflow/include/xla/tsl/c/tsl_status.h": "// leaf\n",
      "tensorflow/include/tensorflow/c/unused.h": "// not included\n",
    });
    const deps = join(dir, "deps");
    const r = await extractWheel("python3", whl, deps, ["tensorflow/c/c_api.h"]);
    assert.deepEqual(r.libraries, ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"]);
    assert.deepEqual(r.headers, [
      "tensorflow/c/c_api.h",
      "tensorflow/c/tf_status.h",
      "xla/tsl/c/tsl_status.h",
    ]);
    assert.equal(readFileSync(join(deps, "lib", "libtensorflow_cc.so.2"), "utf8"), "CC");
    assert.ok(existsSync(join(deps, "include", "xla", "tsl", "c", "tsl_status.h")));
    assert.ok(!existsSync(join(deps, "include", "tensorflow", "c", "unused.h")));
    await assert.rejects(
      () => extractWheel("python3", whl, join(dir, "d2"), ["tensorflow/c/absent.h"]),
      /wheel lacks headers: tensorflow\/c\/absent\.h/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
