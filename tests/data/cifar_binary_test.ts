import assert, {
  deepEqual as assertEquals,
  rejects as assertRejects,
  throws as assertThrows,
} from "node:assert/strict";
import { join } from "node:path";
import {
  CIFAR_RECORD_BYTES,
  CIFAR_TEST_BATCH,
  CIFAR_TRAIN_BATCHES,
  parseCifarBatch,
  readCifarBinaryArchive,
  readCifarBinaryFolder,
} from "../../src/data/cifar_binary.ts";
import { DatasetError } from "../../src/data/errors.ts";
import { cifarRecords, makeTar } from "./_fixtures.ts";

Deno.test("parseCifarBatch() turns channel-major records into NHWC images", () => {
  const bytes = cifarRecords([3, 9]);
  assertEquals(bytes.length, 2 * CIFAR_RECORD_BYTES);
  const { images, labels, count } = parseCifarBatch(bytes, "tiny.bin");
  assertEquals(count, 2);
  assertEquals(Array.from(labels), [3, 9]);
  assertEquals(images.length, 2 * 32 * 32 * 3);
  for (let r = 0; r < 2; r++) {
    for (const [y, x] of [[0, 0], [0, 31], [5, 7], [31, 31]]) {
      const p = y * 32 + x;
      for (let c = 0; c < 3; c++) {
        assertEquals(
          images[r * 3072 + p * 3 + c],
          (r + 7 * c + p) % 256,
          `r=${r} y=${y} x=${x} c=${c}`,
        );
      }
    }
  }
});

Deno.test("parseCifarBatch() rejects a partial record and an out-of-range label", () => {
  const bytes = cifarRecords([1, 2]);
  assertThrows(
    () => parseCifarBatch(bytes.subarray(0, bytes.length - 1), "cut.bin"),
    (e: unknown) =>
      e instanceof DatasetError &&
      /^Cannot read CIFAR-10 batch cut\.bin: 6145 bytes is not a whole number of 3073-byte records/
        .test(e.message),
  );
  assertThrows(() => parseCifarBatch(new Uint8Array(0), "empty.bin"), DatasetError);
  assertThrows(
    () => parseCifarBatch(cifarRecords([1, 10]), "bad.bin"),
    /CIFAR-10 batch bad\.bin: label 10 at index 1 is out of range, expected 0–9/,
  );
});

function batches(): { name: string; data: Uint8Array; labels: number[] }[] {
  return [...CIFAR_TRAIN_BATCHES, CIFAR_TEST_BATCH].map((name, i) => {
    const labels = [i % 10, (i + 1) % 10];
    return { name, data: cifarRecords(labels), labels };
  });
}

Deno.test("readCifarBinaryArchive() reads the six batches from a tar.gz in batch order", async () => {
  const b = batches();
  const tgz = await makeTar([
    { name: "cifar-10-batches-bin/batches.meta.txt", data: new TextEncoder().encode("airplane\n") },
    ...[...b].reverse().map((x) => ({ name: `cifar-10-batches-bin/${x.name}`, data: x.data })),
  ]);
  const data = await readCifarBinaryArchive(tgz, "c.tar.gz", false);
  assertEquals(data.train.count, 10);
  assertEquals(data.test.count, 2);
  assertEquals(Array.from(data.train.labels), b.slice(0, 5).flatMap((x) => x.labels));
  assertEquals(Array.from(data.test.labels), b[5].labels);
  assertEquals(data.files.map((f) => f.name), [...CIFAR_TRAIN_BATCHES, CIFAR_TEST_BATCH]);
  // The official release has 10000 records per batch; strict mode says so.
  await assertRejects(
    () => readCifarBinaryArchive(tgz, "c.tar.gz"),
    /CIFAR-10 batch c\.tar\.gz\/data_batch_1\.bin: 2 records, expected 10000/,
  );
});

Deno.test("readCifarBinaryFolder() reads batches from a folder or its cifar-10-batches-bin subfolder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sub = join(dir, "cifar-10-batches-bin");
    await Deno.mkdir(sub);
    for (const x of batches()) await Deno.writeFile(join(sub, x.name), x.data);
    const a = await readCifarBinaryFolder(dir, false);
    const b = await readCifarBinaryFolder(sub, false);
    assertEquals(a.train.count, 10);
    assertEquals(Array.from(a.train.images), Array.from(b.train.images));
    await Deno.remove(join(sub, "data_batch_3.bin"));
    await assertRejects(
      () => readCifarBinaryFolder(dir, false),
      (e: unknown) => e instanceof DatasetError && /data_batch_3\.bin is missing/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readCifarBinaryArchive() names the archive when it is not a tar", async () => {
  await assertRejects(
    () => readCifarBinaryArchive(new Uint8Array(1024).fill(7), "junk.tar"),
    (e: unknown) => {
      assert(e instanceof DatasetError);
      assert.match(e.message, /junk\.tar/);
      return true;
    },
  );
});
