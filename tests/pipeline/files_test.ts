import { deepEqual as assertEquals, rejects } from "node:assert/strict";
import { join } from "node:path";
import {
  exists,
  isFile,
  removeTempFiles,
  TEMP_SUFFIX,
  writeCsvAtomic,
  writeFileAtomic,
  writeJsonAtomic,
} from "../../src/pipeline/files.ts";

Deno.test("writeFileAtomic() creates parents, replaces the file and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "a", "b", "f.txt");
    await writeFileAtomic(path, "one");
    await writeFileAtomic(path, new TextEncoder().encode("two"));
    assertEquals(await Deno.readTextFile(path), "two");
    assertEquals([...Deno.readDirSync(join(dir, "a", "b"))].map((e) => e.name), ["f.txt"]);
    assertEquals(await isFile(path), true);
    assertEquals(await isFile(join(dir, "a")), false);
    assertEquals(await exists(join(dir, "nope")), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeJsonAtomic() writes indented JSON with a final newline", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeJsonAtomic(join(dir, "m.json"), { a: [1] });
    assertEquals(await Deno.readTextFile(join(dir, "m.json")), '{\n  "a": [\n    1\n  ]\n}\n');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeCsvAtomic() follows pandas conventions and checks row lengths", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "t.csv");
    await writeCsvAtomic(path, ["n", "x", "flag", "note"], [
      [1, 0.1, true, "a,b"],
      [2, NaN, false, null],
      [3, -Infinity, false, 'say "hi"'],
    ]);
    assertEquals(
      await Deno.readTextFile(path),
      'n,x,flag,note\n1,0.1,True,"a,b"\n2,NaN,False,\n3,-inf,False,"say ""hi"""\n',
    );
    await rejects(writeCsvAtomic(path, ["a", "b"], [[1]]), /row 0 has 1 cells, the header has 2/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeTempFiles() deletes only leftover temporary files, recursively", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "sub"));
    await Deno.writeTextFile(join(dir, `.x.csv.1-0${TEMP_SUFFIX}`), "half");
    await Deno.writeTextFile(join(dir, "sub", `.y.csv.1-1${TEMP_SUFFIX}`), "half");
    await Deno.writeTextFile(join(dir, "sub", "y.csv"), "whole");
    assertEquals(await removeTempFiles(dir), 2);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["sub"]);
    assertEquals([...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name), ["y.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
