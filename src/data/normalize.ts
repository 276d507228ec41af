/**
 * Per-channel normalisation of uint8 NHWC images into float32 batches:
 * `(x / 255 − mean[c]) / std[c]`, the ToTensor + Normalize transform of the
 * reference (spec §4.2).
 *
 * @module
 */
import type { ImageSplit } from "./types.ts";

/** The normalisation facts a batch needs (a prepared dataset's meta.json has them). */
export interface NormalizationMeta {
  /** Image height, width, channels. */
  shape: readonly number[];
  /** Per-channel mean on [0, 1] pixels. */
  mean: readonly number[];
  /** Per-channel standard deviation on [0, 1] pixels. */
  std: readonly number[];
}

const tables = new WeakMap<NormalizationMeta, Float32Array>();

/** The 256·C lookup table of normalised values for each channel and byte. */
function lookup(meta: NormalizationMeta): Float32Array {
  let t = tables.get(meta);
  if (t) return t;
  const c = meta.shape[2];
  if (meta.mean.length !== c || meta.std.length !== c) {
    throw new TypeError(
      `Cannot normalise: mean and std need ${c} values (one per channel), got ${meta.mean.length} and ${meta.std.length}`,
    );
  }
  t = new Float32Array(256 * c);
  for (let ch = 0; ch < c; ch++) {
    for (let v = 0; v < 256; v++) t[ch * 256 + v] = (v / 255 - meta.mean[ch]) / meta.std[ch];
  }
  tables.set(meta, t);
  return t;
}

/**
 * Normalises the images at `indices` into one float32 NHWC batch.
 *
 * @param split images (uint8 NHWC) and labels
 * @param indices which images, in batch order
 * @param meta shape and per-channel mean/std
 * @param out optional buffer of `indices.length · H·W·C` floats to fill (never one backing a live tensor)
 * @returns the batch, `(x/255 − mean)/std`, NHWC
 * @throws {RangeError} for an index outside the split
 *
 * @example Build a batch for the trainer
 * ```ts
 * import { normalizedBatch } from "./normalize.ts";
 * const meta = { shape: [1, 1, 1], mean: [0.5], std: [0.5] };
 * const split = { images: new Uint8Array([0, 255]), labels: new Uint8Array([0, 1]), count: 2 };
 * const x = normalizedBatch(split, [1, 0], meta);
 * console.assert(x[0] === 1 && x[1] === -1);
 * ```
 */
export function normalizedBatch(
  split: ImageSplit,
  indices: ArrayLike<number>,
  meta: NormalizationMeta,
  out?: Float32Array,
): Float32Array {
  const [h, w, c] = meta.shape;
  const size = h * w * c;
  const t = lookup(meta);
  const x = out ?? new Float32Array(indices.length * size);
  if (x.length !== indices.length * size) {
    throw new RangeError(
      `Cannot normalise: out has ${x.length} floats, the batch needs ${indices.length * size}`,
    );
  }
  for (let b = 0; b < indices.length; b++) {
    const j = indices[b];
    if (!Number.isInteger(j) || j < 0 || j >= split.count) {
      throw new RangeError(`Cannot normalise: index ${j} is outside the split of ${split.count}`);
    }
    const src = j * size;
    const dst = b * size;
    if (c === 1) {
      for (let p = 0; p < size; p++) x[dst + p] = t[split.images[src + p]];
    } else {
      for (let p = 0; p < size; p++) x[dst + p] = t[(p % c) * 256 + split.images[src + p]];
    }
  }
  return x;
}

/**
 * Per-channel mean and standard deviation of uint8 NHWC images on the [0, 1]
 * scale (population statistics over all pixels).
 *
 * @param images uint8 NHWC pixels
 * @param channels number of channels
 * @returns mean and std per channel
 */
export function pixelStats(
  images: Uint8Array,
  channels: number,
): { mean: number[]; std: number[] } {
  const hist = new Float64Array(256 * channels);
  for (let ch = 0; ch < channels; ch++) {
    const base = ch * 256;
    for (let i = ch; i < images.length; i += channels) hist[base + images[i]]++;
  }
  const mean: number[] = [], std: number[] = [];
  for (let ch = 0; ch < channels; ch++) {
    let n = 0, s = 0, s2 = 0;
    for (let v = 0; v < 256; v++) {
      const k = hist[ch * 256 + v];
      const x = v / 255;
      n += k;
      s += k * x;
      s2 += k * x * x;
    }
    const m = s / n;
    mean.push(m);
    std.push(Math.sqrt(Math.max(0, s2 / n - m * m)));
  }
  return { mean, std };
}
