import { deepEqual as assertEquals, rejects } from "node:assert/strict";
import { join } from "node:path";
import { writeCsvAtomic } from "../../src/pipeline/csv.ts";

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
