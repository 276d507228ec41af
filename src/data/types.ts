/**
 * Shared shapes of in-memory image data.
 *
 * @module
 */

/**
 * A set of images with labels: `images` holds `count` images as uint8 NHWC
 * (row-major, channels last), `labels` one class index per image.
 */
export interface ImageSplit {
  /** uint8 pixels, `count · H · W · C` bytes, NHWC. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
}
