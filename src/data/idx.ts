/**
 * The IDX format of MNIST (and Fashion-MNIST): a 4-byte magic number
 * (0x00, 0x00, data type, number of dimensions), one big-endian uint32 per
 * dimension, then the data in row-major order. Only unsigned bytes (type 0x08)
 * are supported: magic 0x00000801 for label vectors, 0x00000803 for image
 * stacks. Files may be gzipped.
 *
 * @module
 */
import { maybeGunzip } from "./_bytes.ts";
import { DatasetError } from "./errors.ts";

/** An n-dimensional unsigned-byte array read from or written to IDX. */
export interface IdxArray {
  /** Dimension sizes, outermost first (`[count, rows, cols]` for images). */
  dims: number[];
  /** The values in row-major order. */
  data: Uint8Array;
}

/** IDX magic number of an unsigned-byte array with `ndim` dimensions. */
export function idxMagic(ndim: number): number {
  return 0x00000800 + ndim;
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}

/**
 * Parses IDX bytes (gzipped or not), checking the magic number, the header
 * length and that the data length matches the dimensions exactly.
 *
 * @param bytes the file contents
 * @param name the file name, used in error messages
 * @param ndim the expected number of dimensions (1 for labels, 3 for MNIST images), if known
 * @returns the dimensions and a view of the data
 * @throws {DatasetError} naming the file and the problem
 *
 * @example Round trip through IDX
 * ```ts
 * import { encodeIdx, parseIdx } from "./idx.ts";
 * const bytes = encodeIdx([2, 3], new Uint8Array([1, 2, 3, 4, 5, 6]));
 * const { dims, data } = parseIdx(bytes, "tiny.idx", 2);
 * console.assert(dims[0] === 2 && dims[1] === 3 && data[5] === 6);
 * ```
 */
export function parseIdx(bytes: Uint8Array, name: string, ndim?: number): IdxArray {
  const raw = maybeGunzip(bytes, name);
  const fail = (what: string): never => {
    throw new DatasetError(`Cannot read IDX file ${name}: ${what}`);
  };
  if (raw.length < 4) fail(`truncated: ${raw.length} bytes, too short for a magic number`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const expectedText = ndim === undefined
    ? "an unsigned-byte IDX magic 0x000008NN"
    : `${hex(idxMagic(ndim))} (unsigned bytes, ${ndim} dimension${ndim === 1 ? "" : "s"})`;
  if (raw[0] !== 0 || raw[1] !== 0) {
    fail(`bad magic number ${hex(magic)}, expected ${expectedText}`);
  }
  if (raw[2] !== 0x08) {
    fail(
      `bad magic number ${hex(magic)}: data type 0x${
        raw[2].toString(16).padStart(2, "0")
      } is not supported, expected ${expectedText}`,
    );
  }
  const nd = raw[3];
  if (nd === 0 || (ndim !== undefined && nd !== ndim)) {
    fail(`bad magic number ${hex(magic)}, expected ${expectedText}`);
  }
  const headerLength = 4 + 4 * nd;
  if (raw.length < headerLength) {
    fail(`truncated: ${raw.length} bytes, the header of ${nd} dimensions needs ${headerLength}`);
  }
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < nd; i++) {
    const d = view.getUint32(4 + 4 * i);
    dims.push(d);
    size *= d;
  }
  const expected = headerLength + size;
  if (raw.length < expected) {
    fail(
      `truncated: header says ${dims.join("×")} = ${size} data bytes, ` +
        `file has ${raw.length - headerLength} (${raw.length} of ${expected} bytes)`,
    );
  }
  if (raw.length > expected) {
    fail(
      `${raw.length - expected} unexpected bytes after the ${dims.join("×")} data ` +
        `(file has ${raw.length} bytes, expected ${expected})`,
    );
  }
  return { dims, data: raw.subarray(headerLength, expected) };
}

/**
 * Encodes an unsigned-byte array as IDX (uncompressed).
 *
 * @param dims dimension sizes, outermost first
 * @param data row-major values; its length must equal the product of `dims`
 * @returns the file contents
 * @throws {TypeError} when the data length does not match the dimensions
 *
 * @example Encode a label vector
 * ```ts
 * import { encodeIdx } from "./idx.ts";
 * const bytes = encodeIdx([3], new Uint8Array([7, 2, 1]));
 * console.assert(bytes.length === 8 + 3);
 * ```
 */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length === 0 || dims.length > 255) {
    throw new TypeError(`Cannot encode IDX: need 1 to 255 dimensions, got ${dims.length}`);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new TypeError(
      `Cannot encode IDX: dimensions ${
        dims.join("×")
      } hold ${size} values, data has ${data.length}`,
    );
  }
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, idxMagic(dims.length));
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, header);
  return out;
}

/**
 * Checks that an IDX image stack and label vector belong together: equal
 * counts, the expected image size and labels below `numClasses`.
 *
 * @param images parsed images (`[count, rows, cols]` or `[count, rows, cols, channels]`)
 * @param labels parsed labels (`[count]`)
 * @param names file names for messages
 * @param expect expected rows, cols and number of classes
 * @throws {DatasetError} naming the file and the problem
 */
export function checkImagesAndLabels(
  images: IdxArray,
  labels: IdxArray,
  names: { images: string; labels: string },
  expect: { rows: number; cols: number; numClasses: number },
): void {
  const [count, rows, cols] = images.dims;
  if (rows !== expect.rows || cols !== expect.cols) {
    throw new DatasetError(
      `Cannot read IDX file ${names.images}: images are ${rows}×${cols}, expected ${expect.rows}×${expect.cols}`,
    );
  }
  if (labels.dims[0] !== count) {
    throw new DatasetError(
      `Cannot read IDX file ${names.labels}: count mismatch: ${labels.dims[0]} labels but ` +
        `${names.images} has ${count} images`,
    );
  }
  checkLabels(labels.data, expect.numClasses, `IDX file ${names.labels}`);
}

/**
 * Throws when a label is not below `numClasses`.
 *
 * @param labels one byte per example
 * @param numClasses number of classes
 * @param what "IDX file x" or similar, for the message
 */
export function checkLabels(labels: Uint8Array, numClasses: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new DatasetError(
        `Cannot read ${what}: label ${labels[i]} at index ${i} is out of range, expected 0–${
          numClasses - 1
        }`,
      );
    }
  }
}
