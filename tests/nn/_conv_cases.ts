// The conv and pool shapes of ResNet18 (kernel, stride, padding), at small
// channel counts and the small spatial sizes each one meets on 28×28 and 32×32
// inputs (and odd sizes where a stride does not divide).
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Rng } from "../../src/core/rng.ts";

/** One conv case: input [B, H, W, C], filter [f, f, C, O], stride, padding. */
export interface ConvCase {
  name: string;
  x: [number, number, number, number];
  f: number;
  o: number;
  stride: number;
  pad: number;
}

/** Every ResNet18 conv shape at reduced width. */
export const RESNET_CONV_CASES: ConvCase[] = [
  { name: "conv1 7×7 s2 p3, 28×28, 1 channel", x: [2, 28, 28, 1], f: 7, o: 4, stride: 2, pad: 3 },
  { name: "conv1 7×7 s2 p3, 16×16, 3 channels", x: [2, 16, 16, 3], f: 7, o: 4, stride: 2, pad: 3 },
  { name: "conv1 7×7 s2 p3, 9×9 (odd)", x: [2, 9, 9, 2], f: 7, o: 3, stride: 2, pad: 3 },
  { name: "3×3 s1 p1, 7×7", x: [2, 7, 7, 3], f: 3, o: 4, stride: 1, pad: 1 },
  { name: "3×3 s1 p1, 1×1", x: [3, 1, 1, 4], f: 3, o: 2, stride: 1, pad: 1 },
  { name: "3×3 s2 p1, 7×7 → 4×4", x: [2, 7, 7, 3], f: 3, o: 5, stride: 2, pad: 1 },
  { name: "3×3 s2 p1, 8×8 → 4×4", x: [2, 8, 8, 2], f: 3, o: 3, stride: 2, pad: 1 },
  { name: "3×3 s2 p1, 2×2 → 1×1", x: [2, 2, 2, 3], f: 3, o: 4, stride: 2, pad: 1 },
  { name: "1×1 s2 p0 downsample, 7×7 → 4×4", x: [2, 7, 7, 3], f: 1, o: 4, stride: 2, pad: 0 },
  { name: "1×1 s2 p0 downsample, 2×2 → 1×1", x: [2, 2, 2, 3], f: 1, o: 2, stride: 2, pad: 0 },
  { name: "4×4 s4 p0 patch embedding, 8×8", x: [2, 8, 8, 3], f: 4, o: 6, stride: 4, pad: 0 },
  // not ResNet18's: taps that see only padding on both sides of both axes (conv2d drops them)
  { name: "5×5 s1 p2, 2×3 (taps dropped)", x: [2, 2, 3, 3], f: 5, o: 2, stride: 1, pad: 2 },
];

/** Seeded x, w and an output weighting r for one case. */
export function convTensors(c: ConvCase, seed = 0) {
  const rng = new Rng(seed, "conv-case", c.name);
  const n = (shape: number[]) =>
    tf.tensor(rng.normal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
  const x = n(c.x) as tf.Tensor4D;
  const w = n([c.f, c.f, c.x[3], c.o]) as tf.Tensor4D;
  const oh = Math.floor((c.x[1] + 2 * c.pad - c.f) / c.stride) + 1;
  const ow = Math.floor((c.x[2] + 2 * c.pad - c.f) / c.stride) + 1;
  const r = n([c.x[0], oh, ow, c.o]);
  return { x, w, r };
}

/** The reference: tfjs's own conv2d with explicit padding and its built-in gradient. */
export function referenceConv(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number) {
  return tf.conv2d(x, w, stride, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
}
