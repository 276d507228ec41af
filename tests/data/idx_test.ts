import assert, { deepEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { gzipSync } from "node:zlib";
import {
  checkImagesAndLabels,
  checkLabels,
  encodeIdx,
  idxMagic,
  parseIdx,
} from "../../src/data/idx.ts";
import { DatasetError } from "../../src/data/errors.ts";

function rejects(fn: () => unknown, pattern: RegExp): void {
  assertThrows(fn, (e: unknown) => {
    assert(e instanceof DatasetError, `expected DatasetError, got ${e}`);
    assert.match(e.message, pattern);
    assert(!e.message.includes("\n"), "message must be one line");
    return true;
  });
}

Deno.test("encodeIdx() and parseIdx() round-trip 1-, 3- and 4-dimensional arrays", () => {
  for (const dims of [[5], [2, 3, 4], [3, 2, 2, 3]]) {
    const size = dims.reduce((a, b) => a * b, 1);
    const data = Uint8Array.from({ length: size }, (_, i) => (i * 37) % 256);
    const bytes = encodeIdx(dims, data);
    assertEquals(new DataView(bytes.buffer).getUint32(0), idxMagic(dims.length));
    assertEquals(bytes.length, 4 + 4 * dims.length + size);
    const back = parseIdx(bytes, "x.idx", dims.length);
    assertEquals(back.dims, dims);
    assertEquals(Array.from(back.data), Array.from(data));
  }
});

Deno.test("idxMagic() gives the MNIST magic numbers", () => {
  assertEquals(idxMagic(3), 0x00000803);
  assertEquals(idxMagic(1), 0x00000801);
});

Deno.test("parseIdx() reads gzipped IDX files", () => {
  const data = Uint8Array.from([9, 8, 7, 6, 5, 4]);
  const gz = new Uint8Array(gzipSync(encodeIdx([2, 3], data)));
  const back = parseIdx(gz, "x.idx.gz", 2);
  assertEquals(back.dims, [2, 3]);
  assertEquals(Array.from(back.data), [9, 8, 7, 6, 5, 4]);
});

Deno.test("parseIdx() rejects a bad magic number, naming the file and the expected magic", () => {
  const labels = encodeIdx([3], new Uint8Array(3));
  rejects(
    () => parseIdx(labels, "train-images-idx3-ubyte", 3),
    /^Cannot read IDX file train-images-idx3-ubyte: bad magic number 0x00000801, expected 0x00000803/,
  );
  const notIdx = Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]);
  rejects(() => parseIdx(notIdx, "a.zip"), /a\.zip: bad magic number 0x504b0304/);
  const floats = encodeIdx([1], new Uint8Array(1));
  floats[2] = 0x0d;
  rejects(() => parseIdx(floats, "f.idx", 1), /data type 0x0d is not supported/);
});

Deno.test("parseIdx() rejects truncated headers and data and trailing bytes", () => {
  const full = encodeIdx([4, 2, 2], new Uint8Array(16));
  rejects(() => parseIdx(full.subarray(0, 2), "t.idx", 3), /t\.idx: truncated: 2 bytes/);
  rejects(() => parseIdx(full.subarray(0, 10), "t.idx", 3), /truncated: 10 bytes, the header/);
  rejects(
    () => parseIdx(full.subarray(0, full.length - 1), "t.idx", 3),
    /t\.idx: truncated: header says 4×2×2 = 16 data bytes, file has 15/,
  );
  const longer = new Uint8Array(full.length + 3);
  longer.set(full);
  rejects(() => parseIdx(longer, "t.idx", 3), /t\.idx: 3 unexpected bytes after the 4×2×2 data/);
});

Deno.test("parseIdx() rejects corrupt gzip data, naming the file", () => {
  const gz = new Uint8Array(gzipSync(encodeIdx([100], new Uint8Array(100).fill(3))));
  rejects(
    () => parseIdx(gz.subarray(0, gz.length - 10), "l.gz", 1),
    /Cannot read l\.gz: corrupt or truncated gzip/,
  );
});

Deno.test("checkImagesAndLabels() rejects a count mismatch, a wrong image size and a bad label", () => {
  const images = parseIdx(encodeIdx([3, 2, 2], new Uint8Array(12)), "im", 3);
  const names = { images: "im", labels: "lb" };
  const expect = { rows: 2, cols: 2, numClasses: 10 };
  checkImagesAndLabels(
    images,
    parseIdx(encodeIdx([3], Uint8Array.from([0, 9, 5])), "lb"),
    names,
    expect,
  );
  rejects(
    () =>
      checkImagesAndLabels(
        images,
        parseIdx(encodeIdx([2], new Uint8Array(2)), "lb"),
        names,
        expect,
      ),
    /IDX file lb: count mismatch: 2 labels but im has 3 images/,
  );
  rejects(
    () =>
      checkImagesAndLabels(images, parseIdx(encodeIdx([3], new Uint8Array(3)), "lb"), names, {
        ...expect,
        rows: 28,
        cols: 28,
      }),
    /IDX file im: images are 2×2, expected 28×28/,
  );
  rejects(
    () =>
      checkImagesAndLabels(
        images,
        parseIdx(encodeIdx([3], Uint8Array.from([1, 10, 2])), "lb"),
        names,
        expect,
      ),
    /IDX file lb: label 10 at index 1 is out of range, expected 0–9/,
  );
  rejects(() => checkLabels(Uint8Array.from([0, 3]), 3, "x"), /label 3 at index 1/);
});

Deno.test("encodeIdx() rejects data that does not match the dimensions", () => {
  assertThrows(() => encodeIdx([2, 2], new Uint8Array(3)), TypeError);
  assertThrows(() => encodeIdx([], new Uint8Array(0)), TypeError);
});
