// Filter gradient of ResNet18's convolutions on wasm: im2col (stack of strided
// window slices, explicit transpose, one 2-D matMul) vs the dilated convolution
// of the input with the output cotangent. Shapes: ResNet18 on MNIST, batch 64.
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../src/backend.ts";
import { filterGradient, type FilterGradientAlgorithm, padSpatial } from "../src/nn/conv.ts";

await initBackend((Deno.env.get("FG_BENCH_BACKEND") ?? "wasm") as "wasm");

const B = 64;
const cases: [string, number, number, number, number, number, number][] = [
  // name, H, C, O, f, stride, pad
  ["conv1 7x7 s2 28x28 1->64", 28, 1, 64, 7, 2, 3],
  ["layer1 3x3 s1 7x7 64->64", 7, 64, 64, 3, 1, 1],
  ["layer2 3x3 s2 7x7 64->128", 7, 64, 128, 3, 2, 1],
  ["layer2 1x1 s2 7x7 64->128", 7, 64, 128, 1, 2, 0],
  ["layer3 3x3 s1 2x2 256->256", 2, 256, 256, 3, 1, 1],
  ["layer4 3x3 s1 1x1 512->512", 1, 512, 512, 3, 1, 1],
];
for (const [name, h, c, o, f, s, p] of cases) {
  const x = padSpatial(tf.randomNormal([B, h, h, c]) as tf.Tensor4D, p);
  const oh = Math.floor((h + 2 * p - f) / s) + 1;
  const dy = tf.randomNormal([B, oh, oh, o]) as tf.Tensor4D;
  for (const algo of ["im2col", "conv"] as FilterGradientAlgorithm[]) {
    Deno.bench(`${name}, ${algo}`, { group: name, baseline: algo === "im2col" }, () => {
      const g = filterGradient(x, dy, f, f, s, algo);
      g.dataSync();
      g.dispose();
    });
  }
}
