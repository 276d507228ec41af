import assert, { deepEqual as assertEquals, rejects as assertRejects } from "node:assert/strict";
import { join } from "node:path";
import { DatasetError } from "../../src/data/errors.ts";
import { parseIdx } from "../../src/data/idx.ts";
import {
  type PreparedMetaInput,
  readPreparedDataset,
  writePreparedDataset,
} from "../../src/data/prepared.ts";
import type { ImageSplit } from "../../src/data/types.ts";

const info: PreparedMetaInput = {
  name: "toy",
  title: "Toy",
  shape: [2, 2, 3],
  classes: ["a", "b", "c"],
  mean: [0.5, 0.5, 0.5],
  std: [0.25, 0.25, 0.25],
  split: { seed: 0, stream: ["split", "toy"], of: 5, train: 3, val: 2, method: "test" },
  source: { kind: "flag", location: "/x", format: "idx", files: [] },
  sourceAttempts: [{ kind: "flag", location: "/x", outcome: "used" }],
};

function split(count: number, offset: number): ImageSplit {
  return {
    images: Uint8Array.from({ length: count * 12 }, (_, i) => (i + offset) % 256),
    labels: Uint8Array.from({ length: count }, (_, i) => (i + offset) % 3),
    count,
  };
}

Deno.test("writePreparedDataset() and readPreparedDataset() round-trip splits and meta", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const splits = { train: split(3, 0), val: split(2, 50), test: split(4, 100) };
    const written = await writePreparedDataset(dir, info, splits);
    assertEquals(written.counts, { train: 3, val: 2, test: 4 });
    assertEquals(written.labelCounts.test, [1, 2, 1]); // labels 1, 2, 0, 1
    assertEquals(written.files.train.images, "train-images.idx");
    const names = [...Deno.readDirSync(join(dir, "toy"))].map((e) => e.name).sort();
    assertEquals(names, [
      "meta.json",
      "test-images.idx",
      "test-labels.idx",
      "train-images.idx",
      "train-labels.idx",
      "val-images.idx",
      "val-labels.idx",
    ]);
    const images = parseIdx(await Deno.readFile(join(dir, "toy", "val-images.idx")), "v", 4);
    assertEquals(images.dims, [2, 2, 2, 3]);
    const back = await readPreparedDataset(dir, "toy", { verify: true });
    assertEquals(back.meta, written);
    for (const s of ["train", "val", "test"] as const) {
      assertEquals(back[s].count, splits[s].count);
      assertEquals(Array.from(back[s].images), Array.from(splits[s].images));
      assertEquals(Array.from(back[s].labels), Array.from(splits[s].labels));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readPreparedDataset() names the file that is missing, truncated, altered or inconsistent", async () => {
  const dir = await Deno.makeTempDir();
  const is = (pattern: RegExp) => (e: unknown) => {
    assert(e instanceof DatasetError, `expected DatasetError, got ${e}`);
    assert.match(e.message, pattern);
    return true;
  };
  try {
    await assertRejects(() => readPreparedDataset(dir, "toy"), is(/toy\/meta\.json: /));
    await writePreparedDataset(dir, info, {
      train: split(3, 0),
      val: split(2, 1),
      test: split(4, 2),
    });
    const file = join(dir, "toy", "test-images.idx");
    const good = await Deno.readFile(file);
    await Deno.writeFile(file, good.subarray(0, good.length - 1));
    await assertRejects(() => readPreparedDataset(dir, "toy"), is(/test-images\.idx: truncated/));
    const altered = good.slice();
    altered[altered.length - 1] ^= 1;
    await Deno.writeFile(file, altered);
    await readPreparedDataset(dir, "toy"); // sizes still fine
    await assertRejects(
      () => readPreparedDataset(dir, "toy", { verify: true }),
      is(/test-images\.idx: SHA-256 differs from meta\.json/),
    );
    await Deno.writeFile(file, good);
    const metaPath = join(dir, "toy", "meta.json");
    const meta = JSON.parse(await Deno.readTextFile(metaPath));
    meta.counts.test = 5;
    await Deno.writeTextFile(metaPath, JSON.stringify(meta));
    await assertRejects(
      () => readPreparedDataset(dir, "toy"),
      is(/test-images\.idx: dimensions 4×2×2×3, meta\.json says 5×2×2×3/),
    );
    meta.counts.test = 4;
    meta.classes = ["a", "b"];
    await Deno.writeTextFile(metaPath, JSON.stringify(meta));
    await assertRejects(() => readPreparedDataset(dir, "toy"), is(/labels\.idx: label 2 at index/));
    await Deno.remove(join(dir, "toy", "val-labels.idx"));
    meta.classes = ["a", "b", "c"];
    await Deno.writeTextFile(metaPath, JSON.stringify(meta));
    await assertRejects(() => readPreparedDataset(dir, "toy"), is(/val-labels\.idx: /));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
