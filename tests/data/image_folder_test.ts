import assert, { deepEqual as assertEquals, rejects as assertRejects } from "node:assert/strict";
import { join } from "node:path";
import { DatasetError } from "../../src/data/errors.ts";
import {
  buildImageFolder,
  isImagePath,
  readImageFolderArchive,
  readImageFolderDir,
} from "../../src/data/image_folder.ts";
import { makeTar, patternPng, patternValue, solidJpeg } from "./_fixtures.ts";

const enc = new TextEncoder();

/** Class "cat" is red-ish, "ant" green-ish; file names out of order on purpose. */
function tinyFolder(): { name: string; data: Uint8Array }[] {
  return [
    { name: "data/train/cat/02.jpg", data: solidJpeg(4, 3, [200, 20, 20]) },
    { name: "data/train/cat/01.jpg", data: solidJpeg(4, 3, [180, 40, 40]) },
    { name: "data/train/ant/10.jpg", data: solidJpeg(4, 3, [10, 220, 30]) },
    { name: "data/test/ant/5.jpg", data: solidJpeg(4, 3, [30, 200, 50]) },
    { name: "data/test/cat/7.png", data: patternPng(4, 3) },
    { name: "data/README.txt", data: enc.encode("not an image") },
    { name: "data/train/cat/.hidden.jpg", data: enc.encode("ignored") },
  ];
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} ± ${tol}`);
}

Deno.test("readImageFolderArchive() numbers classes alphabetically and sorts files by name", async () => {
  const data = await readImageFolderArchive(await makeTar(tinyFolder()), "tiny.tar.gz");
  assertEquals(data.classes, ["ant", "cat"]);
  assertEquals(data.shape, [3, 4, 3]);
  assertEquals(Object.keys(data.splits).sort(), ["test", "train"]);
  assertEquals(data.fileCount, 5);
  const train = data.splits.train;
  assertEquals(train.count, 3);
  assertEquals(Array.from(train.labels), [0, 1, 1]);
  // ant/10, cat/01, cat/02: the first pixel of each (JPEG quality 100: within a few units).
  const first = [[10, 220, 30], [180, 40, 40], [200, 20, 20]];
  first.forEach((rgb, i) =>
    rgb.forEach((v, c) => near(train.images[i * 36 + c], v, 4, `img ${i} c ${c}`))
  );
  // The PNG is lossless: every pixel exact.
  const test = data.splits.test;
  assertEquals(Array.from(test.labels), [0, 1]);
  for (let p = 0; p < 12; p++) {
    for (let c = 0; c < 3; c++) assertEquals(test.images[36 + 3 * p + c], patternValue(p, c));
  }
});

Deno.test("readImageFolderDir() reads the same folder from disk identically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const f of tinyFolder()) {
      const path = join(dir, f.name);
      await Deno.mkdir(join(path, ".."), { recursive: true });
      await Deno.writeFile(path, f.data);
    }
    const a = await readImageFolderDir(join(dir, "data"));
    const b = await readImageFolderArchive(await makeTar(tinyFolder(), false), "tiny.tar");
    assertEquals(a.classes, b.classes);
    assertEquals(Array.from(a.splits.train.images), Array.from(b.splits.train.images));
    assertEquals(Array.from(a.splits.test.labels), Array.from(b.splits.test.labels));
    assertEquals(a.treeSha256, b.treeSha256);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildImageFolder() keeps one channel of grayscale images when asked", () => {
  const gray = solidJpeg(2, 2, [90, 90, 90]);
  const data = buildImageFolder([{ path: "train/a/x.jpg", data: gray }], "g", { channels: 1 });
  assertEquals(data.shape, [2, 2, 1]);
  for (const v of data.splits.train.images) near(v, 90, 2, "gray");
  assert.throws(
    () =>
      buildImageFolder([{ path: "train/a/x.jpg", data: solidJpeg(2, 2, [200, 0, 0]) }], "g", {
        channels: 1,
      }),
    /g: train\/a\/x\.jpg: image is in colour, expected grayscale/,
  );
});

Deno.test("image-folder import rejects bad layouts and files with a message naming the file", async () => {
  const ok = solidJpeg(4, 4, [1, 2, 3]);
  const cases: [{ name: string; data: Uint8Array }[], RegExp][] = [
    [
      [{ name: "cat/1.jpg", data: ok }],
      /bad\.tar: cat\/1\.jpg is not inside a <split>\/<class>\/ folder/,
    ],
    [
      [
        { name: "train/a/1.jpg", data: ok },
        { name: "train/b/1.jpg", data: ok },
        { name: "test/a/1.jpg", data: ok },
      ],
      /bad\.tar: split test has no images of class b/,
    ],
    [
      [{ name: "train/a/1.jpg", data: ok }, {
        name: "train/a/2.jpg",
        data: solidJpeg(5, 4, [0, 0, 0]),
      }],
      /bad\.tar: train\/a\/2\.jpg: image is 4×5, expected 4×4/,
    ],
    [
      [{ name: "train/a/1.jpg", data: ok }, { name: "train/a/2.jpg", data: ok.subarray(0, 40) }],
      /bad\.tar: train\/a\/2\.jpg: /,
    ],
    [
      [{ name: "train/a/1.png", data: enc.encode("not a png at all") }],
      /train\/a\/1\.png: Cannot decode/,
    ],
    [
      [{ name: "train/a/notes.txt", data: enc.encode("x") }],
      /bad\.tar: no \.jpg\/\.jpeg\/\.png images found/,
    ],
  ];
  for (const [files, pattern] of cases) {
    const tar = await makeTar(files);
    await assertRejects(
      () => readImageFolderArchive(tar, "bad.tar"),
      (e: unknown) => {
        assert(e instanceof DatasetError, `expected DatasetError, got ${e}`);
        assert.match(e.message, pattern);
        assert(!e.message.includes("\n"));
        return true;
      },
    );
  }
});

Deno.test("readImageFolderArchive() requires the expected image size when given", async () => {
  const tgz = await makeTar([{ name: "train/a/1.jpg", data: solidJpeg(4, 4, [1, 2, 3]) }]);
  await assertRejects(
    () => readImageFolderArchive(tgz, "s.tar.gz", { size: [32, 32] }),
    /s\.tar\.gz: train\/a\/1\.jpg: image is 4×4, expected 32×32/,
  );
});

Deno.test("readImageFolderArchive() rejects a truncated archive, naming it", async () => {
  const tar = await makeTar(tinyFolder(), false);
  await assertRejects(
    () => readImageFolderArchive(tar.subarray(0, 700), "cut.tar"),
    (e: unknown) => e instanceof DatasetError && /cut\.tar/.test(e.message),
  );
  const tgz = await makeTar(tinyFolder());
  await assertRejects(
    () => readImageFolderArchive(tgz.subarray(0, tgz.length - 20), "cut.tar.gz"),
    /Cannot read cut\.tar\.gz: corrupt or truncated gzip data/,
  );
});

Deno.test("isImagePath() accepts .jpg, .jpeg and .png in any case, not hidden files", () => {
  assert(isImagePath("a/b/c.JPG") && isImagePath("x.jpeg") && isImagePath("y.png"));
  assert(!isImagePath("a/.c.jpg") && !isImagePath("a.gif") && !isImagePath("jpg"));
});
