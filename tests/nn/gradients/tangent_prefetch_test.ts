import { assert, assertEquals } from "../_assert.ts";
import { Rng } from "../../../src/core/rng.ts";
import { WeightTangentPrefetcher } from "../../../src/nn/gradients/tangent_prefetch.ts";
import { gramOfBlocks } from "../../../src/nn/gradients/weight_gram.ts";

Deno.test("WeightTangentPrefetcher hands out consecutive blocks of the generator's stream, with their Gram", () => {
  const k = 3, sizes = [5, 2];
  const size = k * 7;
  const p = new WeightTangentPrefetcher(11, ["tangents"], size, { k, sizes });
  try {
    assert(p.waitReady(), "worker started");
    const ref = new Rng(11, "tangents");
    for (let step = 0; step < 5; step++) {
      const want = ref.zigguratNormal(new Float32Array(size));
      const { values, gram } = p.next();
      assertEquals(Array.from(values), Array.from(want), `step ${step}`);
      const g = gramOfBlocks(want, k, sizes);
      assertEquals(Array.from(gram!), Array.from(g), `gram of step ${step}`);
      p.release();
    }
  } finally {
    p.close();
  }
});

Deno.test("WeightTangentPrefetcher refuses a second block before release()", () => {
  const p = new WeightTangentPrefetcher(1, ["t"], 4);
  try {
    p.next();
    let threw = false;
    try {
      p.next();
    } catch (e) {
      threw = /before release/.test((e as Error).message);
    }
    assert(threw, "second next() throws");
  } finally {
    p.close();
  }
});
