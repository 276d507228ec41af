/**
 * Decoding one JPEG (npm `jpeg-js`) or PNG (npm `pngjs`) file to 8-bit RGB.
 *
 * @module
 */
import jpeg from "npm:jpeg-js@0.4.4";
import { PNG } from "npm:pngjs@7.0.0";
import { Buffer } from "node:buffer";

/** A decoded image: `height · width · 3` bytes, row-major RGB. */
export interface RgbImage {
  /** Image width in pixels. */
  width: number;
  /** Image height in pixels. */
  height: number;
  /** Pixels, RGB interleaved. */
  rgb: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes a JPEG or PNG (recognised by its signature) to 8-bit RGB. Grayscale
 * images come back with three equal channels; PNG alpha is dropped.
 *
 * @param bytes the file contents
 * @param name the file name for messages
 * @returns width, height and RGB pixels
 * @throws {Error} when the data is neither a JPEG nor a PNG, or cannot be decoded
 *
 * @example Decode a file
 * ```ts
 * import { decodeImage } from "./decode.ts";
 * const img = decodeImage(await Deno.readFile("cat.jpg"), "cat.jpg");
 * console.log(img.width, img.height, img.rgb.length);
 * ```
 */
export function decodeImage(bytes: Uint8Array, name: string): RgbImage {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    const rgb = img.data as Uint8Array;
    if (rgb.length !== img.width * img.height * 3) {
      throw new Error(`Cannot decode JPEG ${name}: decoder returned ${rgb.length} bytes`);
    }
    return { width: img.width, height: img.height, rgb };
  }
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const n = png.width * png.height;
    const rgba = png.data;
    if (rgba.length !== n * 4) {
      throw new Error(`Cannot decode PNG ${name}: decoder returned ${rgba.length} bytes`);
    }
    const rgb = new Uint8Array(n * 3);
    for (let p = 0; p < n; p++) {
      rgb[3 * p] = rgba[4 * p];
      rgb[3 * p + 1] = rgba[4 * p + 1];
      rgb[3 * p + 2] = rgba[4 * p + 2];
    }
    return { width: png.width, height: png.height, rgb };
  }
  throw new Error(`Cannot decode ${name}: not a JPEG or PNG file (unknown signature)`);
}
