import assert, { deepEqual as assertEquals, notEqual, rejects, throws } from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  cacheKey,
  canonicalJson,
  hashFile,
  hashSources,
  hashTree,
  sha256Hex,
} from "../../src/pipeline/hash.ts";

Deno.test("canonicalJson() sorts keys at every level and keeps array order", () => {
  assertEquals(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}');
  assertEquals(canonicalJson({ x: 1, y: undefined }), '{"x":1}');
  assertEquals(canonicalJson([3, 1, 2]), "[3,1,2]");
  assertEquals(canonicalJson("é\n"), '"é\\n"');
  notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: "1" }));
});

Deno.test("canonicalJson() rejects values JSON cannot represent, naming the path", () => {
  throws(() => canonicalJson({ a: [1, NaN] }), /\$\.a\[1\]: NaN/);
  throws(() => canonicalJson({ f: () => 1 }), /\$\.f: a function/);
  throws(() => canonicalJson({ big: 1n }), /bigint/);
});

Deno.test("sha256Hex() and hashFile() agree with node:crypto", async () => {
  assertEquals(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  const dir = await Deno.makeTempDir();
  try {
    const bytes = new Uint8Array(3 * (1 << 20) + 17).map((_, i) => (i * 31) & 255);
    await Deno.writeFile(join(dir, "f.bin"), bytes);
    const h = await hashFile(join(dir, "f.bin"));
    assertEquals(h.size, bytes.length);
    assertEquals(h.sha256, createHash("sha256").update(bytes).digest("hex"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hashSources() covers paths and contents of files and folders, sorted", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "src", "z", "deep"), { recursive: true });
    await Deno.writeTextFile(join(root, "src", "z", "b.ts"), "b");
    await Deno.writeTextFile(join(root, "src", "z", "deep", "a.ts"), "a");
    await Deno.writeTextFile(join(root, "one.ts"), "1");
    const h0 = await hashSources(root, ["src/z", "./one.ts"]);
    assertEquals(Object.keys(h0.files), ["one.ts", "src/z/b.ts", "src/z/deep/a.ts"]);
    assertEquals((await hashSources(root, ["one.ts", "src/z/"])).hash, h0.hash);
    await Deno.writeTextFile(join(root, "src", "z", "deep", "a.ts"), "A");
    const h1 = await hashSources(root, ["src/z", "one.ts"]);
    notEqual(h1.hash, h0.hash);
    await Deno.rename(join(root, "src", "z", "b.ts"), join(root, "src", "z", "c.ts"));
    notEqual((await hashSources(root, ["src/z", "one.ts"])).hash, h1.hash);
    await rejects(hashSources(root, ["missing.ts"]), /"missing.ts" does not exist/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("hashTree() lists nested files with forward slashes and honours skip", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "x"));
    await Deno.writeTextFile(join(dir, "x", "f.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "manifest.json"), "{}");
    const t = await hashTree(dir, (rel) => rel === "manifest.json");
    assertEquals(Object.keys(t), ["x/f.csv"]);
    assertEquals(t["x/f.csv"], { sha256: sha256Hex("a\n"), size: 2 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cacheKey() changes with each part and ignores key order", () => {
  const base = {
    stage: "s",
    params: { a: 1, b: [1, 2] },
    inputs: { u: "k" },
    sources: "h",
    backend: "cpu",
  };
  const k = cacheKey(base);
  assert.match(k, /^[0-9a-f]{64}$/);
  assertEquals(cacheKey({ ...base, params: { b: [1, 2], a: 1 } }), k);
  for (
    const changed of [
      { ...base, stage: "t" },
      { ...base, params: { a: 2, b: [1, 2] } },
      { ...base, params: { a: 1, b: [2, 1] } },
      { ...base, inputs: { u: "k2" } },
      { ...base, sources: "h2" },
      { ...base, backend: "wasm" },
      { ...base, backend: null },
    ]
  ) notEqual(cacheKey(changed), k);
});
