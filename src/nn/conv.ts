/**
 * 2-D convolution (NHWC, filter `[fh, fw, C, O]`) with PyTorch's explicit
 * symmetric zero padding and a custom gradient that works on every tfjs
 * backend.
 *
 * Why: tfjs-wasm has no `Conv2DBackpropFilter` kernel, so `tf.grad` through
 * `tf.conv2d` fails there; and the native backend accepts only `valid`/`same`
 * padding, whose `same` pads asymmetrically (extra row at the bottom), unlike
 * PyTorch's `padding=p`. Here the input is padded explicitly (`tf.pad`, whose
 * gradient is a slice) and the convolution itself runs `valid`:
 * - input gradient: the transposed convolution (`Conv2DBackpropInput`, present
 *   on every backend);
 * - filter gradient: either the dilated convolution of the input (batch as
 *   channels, `[C, Hp, Wp, B]`) with the output cotangent as the filter
 *   (`[oh, ow, B, O]`, dilation = stride), or `im2col`: the fh·fw strided window
 *   slices of the padded input stacked into patches `[B·oh·ow, fh·fw·C]`, then
 *   one 2-D matMul `patchesᵀ · dy`. bench/conv_bench.ts (wasm, ResNet18 on
 *   MNIST, batch 64, 2-core machine under load) measured: conv1 7×7 s2 on 28×28
 *   40 ms by conv vs 381 ms by im2col; layer2 3×3 s2 7×7→4×4 18 vs 107 ms;
 *   layer1 3×3 on 7×7 17 vs 26 ms; but layer3 3×3 on 2×2 52 vs 23 ms and layer4
 *   3×3 on 1×1 118 vs 83 ms. So `auto` (the default) takes the convolution when
 *   the output map has at least 16 positions and im2col below; on the native
 *   `tensorflow` backend it takes TensorFlow's own `Conv2DBackpropFilter`.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { DenseGradients } from "./dense.ts";

/** Filter-gradient algorithms of {@link filterGradient}. */
export type FilterGradientAlgorithm = "auto" | "im2col" | "conv" | "kernel";

/**
 * The filter gradient by the backend's own `Conv2DBackpropFilter` kernel
 * (native TensorFlow, cpu, webgl have one; wasm does not).
 *
 * @throws Error when the running backend has no such kernel
 */
export function filterGradientByKernel(
  xp: tf.Tensor4D,
  dy: tf.Tensor4D,
  fh: number,
  fw: number,
  stride: number,
): tf.Tensor4D {
  if (!hasFilterGradientKernel()) {
    throw new Error(
      `Cannot compute the filter gradient by kernel: backend "${tf.getBackend()}" has no Conv2DBackpropFilter`,
    );
  }
  return tf.engine().runKernel("Conv2DBackpropFilter", { x: xp, dy }, {
    strides: [stride, stride],
    pad: "valid",
    dataFormat: "NHWC",
    filterShape: [fh, fw, xp.shape[3], dy.shape[3]],
  }) as tf.Tensor4D;
}

/** Whether the running backend has a `Conv2DBackpropFilter` kernel. */
export function hasFilterGradientKernel(): boolean {
  return tf.getKernel("Conv2DBackpropFilter", tf.getBackend()) !== undefined;
}

function checkConv(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number): void {
  if (x.rank !== 4 || w.rank !== 4) {
    throw new TypeError(
      `Cannot apply conv2d: expected x [B, H, W, C] and w [fh, fw, C, O], got ${
        JSON.stringify([x.shape, w.shape])
      }`,
    );
  }
  if (x.shape[3] !== w.shape[2]) {
    throw new TypeError(
      `Cannot apply conv2d: input has ${x.shape[3]} channels, the filter expects ${w.shape[2]}`,
    );
  }
  if (!Number.isInteger(stride) || stride < 1 || !Number.isInteger(pad) || pad < 0) {
    throw new RangeError(
      `Cannot apply conv2d: stride must be a positive and pad a non-negative integer, got ${stride}, ${pad}`,
    );
  }
  const hp = x.shape[1] + 2 * pad, wp = x.shape[2] + 2 * pad;
  if (hp < w.shape[0] || wp < w.shape[1]) {
    throw new TypeError(
      `Cannot apply conv2d: padded input ${hp}×${wp} is smaller than the filter ${w.shape[0]}×${
        w.shape[1]
      }`,
    );
  }
}

/** Zero-pads the spatial axes of an NHWC tensor by `pad` on every side (PyTorch `padding=pad`). */
export function padSpatial(x: tf.Tensor4D, pad: number, value = 0): tf.Tensor4D {
  if (pad === 0) return x;
  return tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]], value);
}

/**
 * The filter gradient of a `valid` convolution by im2col: dW[i, j, c, o] =
 * Σ_{b,p,q} xp[b, s·p + i, s·q + j, c] · dy[b, p, q, o].
 *
 * @param xp the (already padded) input [B, Hp, Wp, C]
 * @param dy the output cotangent [B, oh, ow, O]
 * @param fh filter height
 * @param fw filter width
 * @param stride the stride s
 */
export function filterGradientIm2col(
  xp: tf.Tensor4D,
  dy: tf.Tensor4D,
  fh: number,
  fw: number,
  stride: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, , , c] = xp.shape;
    const [, oh, ow, o] = dy.shape;
    const slices: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        slices.push(
          tf.stridedSlice(
            xp,
            [0, i, j, 0],
            [b, i + stride * (oh - 1) + 1, j + stride * (ow - 1) + 1, c],
            [1, stride, stride, 1],
          ),
        );
      }
    }
    const m = b * oh * ow;
    const patches = slices.length === 1
      ? tf.reshape(slices[0], [m, c])
      : tf.reshape(tf.stack(slices, 3), [m, fh * fw * c]);
    // Explicit transpose, then an untransposed 2-D matMul (the fast path on wasm).
    const g = tf.matMul(
      tf.transpose(patches) as tf.Tensor2D,
      tf.reshape(dy, [m, o]) as tf.Tensor2D,
    );
    return tf.reshape(g, [fh, fw, c, o]) as tf.Tensor4D;
  });
}

/**
 * The filter gradient of a `valid` convolution as a convolution: the input
 * with batch and channels swapped `[C, Hp, Wp, B]`, convolved (dilation s) with
 * the cotangent as a filter `[oh, ow, B, O]`, gives `[C, fh', fw', O]` with
 * fh' ≥ fh; its first fh × fw positions are dW.
 */
export function filterGradientByConv(
  xp: tf.Tensor4D,
  dy: tf.Tensor4D,
  fh: number,
  fw: number,
  stride: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [C, Hp, Wp, B]
    const dt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, B, O]
    const g = tf.conv2d(xt, dt, 1, "valid", "NHWC", stride); // [C, fh', fw', O]
    const s = g.shape[1] === fh && g.shape[2] === fw
      ? g
      : tf.slice(g, [0, 0, 0, 0], [-1, fh, fw, -1]);
    return tf.transpose(s, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * The filter gradient of a `valid` convolution: `conv`
 * ({@link filterGradientByConv}), `im2col` ({@link filterGradientIm2col}),
 * `kernel` ({@link filterGradientByKernel}) or `auto`: the kernel on the
 * native `tensorflow` backend (TensorFlow's own), elsewhere conv when the
 * output map has at least 16 positions and im2col below (see the module doc).
 */
export function filterGradient(
  xp: tf.Tensor4D,
  dy: tf.Tensor4D,
  fh: number,
  fw: number,
  stride: number,
  algorithm: FilterGradientAlgorithm = "auto",
): tf.Tensor4D {
  if (
    algorithm === "kernel" ||
    (algorithm === "auto" && tf.getBackend() === "tensorflow" && hasFilterGradientKernel())
  ) {
    return filterGradientByKernel(xp, dy, fh, fw, stride);
  }
  const useConv = algorithm === "conv" ||
    (algorithm === "auto" && dy.shape[1] * dy.shape[2] >= 16);
  return useConv
    ? filterGradientByConv(xp, dy, fh, fw, stride)
    : filterGradientIm2col(xp, dy, fh, fw, stride);
}

/** Input-gradient algorithms of {@link inputGradient}. */
export type InputGradientAlgorithm = "auto" | "kernel" | "conv";

/**
 * Zero padding of the spatial axes, `[top, bottom, left, right]`, all ≥ 0: the
 * convolution's input is the unpadded input padded by these.
 */
export type SpatialPads = readonly [number, number, number, number];

const NO_PADS: SpatialPads = [0, 0, 0, 0];

/**
 * The input gradient of a `valid` convolution of an input padded by `pads` by
 * the backend's transposed convolution kernel (`Conv2DBackpropInput`, present
 * on every backend): the padded input's gradient, cut to the unpadded input.
 *
 * @param inShape the padded input's shape [B, Hp, Wp, C]
 */
export function inputGradientByKernel(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  inShape: readonly number[],
  stride: number,
  pads: SpatialPads = NO_PADS,
): tf.Tensor4D {
  return tf.tidy(() => {
    const full = tf.conv2dTranspose(
      dy,
      w,
      inShape as [number, number, number, number],
      stride,
      "valid",
    );
    return pads.every((p) => p === 0) ? full : tf.slice(full, [0, pads[0], pads[2], 0], [
      -1,
      inShape[1] - pads[0] - pads[1],
      inShape[2] - pads[2] - pads[3],
      -1,
    ]);
  });
}

/**
 * The input gradient of a `valid` convolution as a forward convolution:
 * dxp[i] = Σ_a dyd[i − a] · w[a], where dyd is dy with s − 1 zeros inserted
 * after every row and column (stride s); that is a `valid` convolution of dyd,
 * zero-padded by fh − 1 before and up to the input length after, with the
 * filter flipped in space and its channel axes swapped ({@link flipFilter}).
 * Only the unpadded input's rows and columns are computed (the padded dyd is
 * cut to the windows they need), so padding costs nothing; rows that no window
 * reads get zeros, as from the kernel.
 *
 * Why: tfjs-wasm's `Conv2DBackpropInput` is a plain loop (≈ 2 GFLOPS here), its
 * `Conv2D` runs on XNNPACK; on ResNet18 (MNIST, batch 64) the kernel took 1.5 s
 * of a 2.2 s bp step.
 *
 * @param inShape the padded input's shape [B, Hp, Wp, C]
 * @param pads the padding of the input inside `inShape`
 */
export function inputGradientByConv(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  inShape: readonly number[],
  stride: number,
  pads: SpatialPads = NO_PADS,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, oh, ow, o] = dy.shape;
    const [fh, fw] = w.shape;
    const [, hp, wp] = inShape;
    let d: tf.Tensor4D = dy;
    if (stride > 1) {
      const spread = tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, o]), [
        [0, 0],
        [0, 0],
        [0, stride - 1],
        [0, 0],
        [0, stride - 1],
        [0, 0],
      ]);
      d = tf.reshape(spread, [b, oh * stride, ow * stride, o]);
    }
    // Padded dyd: fh − 1 zeros before, up to hp + fh − 1 rows in all; output row i (of hp) reads
    // rows i … i + fh − 1. The unpadded input's rows [top, hp − bottom) read [top, hp − bottom +
    // fh − 1): take those rows of dyd (zeros where they fall outside it).
    const window = (len: number, f: number, size: number, lo: number, hi: number) => {
      const start = lo - (f - 1), end = size - hi; // in dyd's coordinates, end exclusive
      return { start, end, before: Math.max(0, -start), after: Math.max(0, end - len) };
    };
    const r = window(d.shape[1], fh, hp, pads[0], pads[1]);
    const c = window(d.shape[2], fw, wp, pads[2], pads[3]);
    const r0 = Math.max(0, r.start), r1 = Math.min(d.shape[1], r.end);
    const c0 = Math.max(0, c.start), c1 = Math.min(d.shape[2], c.end);
    if (r1 <= r0 || c1 <= c0) { // no window of the unpadded input reads an output
      return tf.zeros([b, hp - pads[0] - pads[1], wp - pads[2] - pads[3], inShape[3]]);
    }
    if (r0 > 0 || c0 > 0 || r1 < d.shape[1] || c1 < d.shape[2]) {
      d = tf.slice(d, [0, r0, c0, 0], [-1, r1 - r0, c1 - c0, -1]);
    }
    const padded = r.before || r.after || c.before || c.after
      ? tf.pad(d, [[0, 0], [r.before, r.after], [c.before, c.after], [0, 0]]) as tf.Tensor4D
      : d;
    return tf.conv2d(padded, flipFilter(w), 1, "valid");
  });
}

/**
 * The filter flipped in space with its channel axes swapped: `[fh, fw, C, O]` →
 * `[fh, fw, O, C]`, out[i, j, o, c] = w[fh − 1 − i, fw − 1 − j, c, o]. The taps
 * are reversed by slices and a concat (tfjs-wasm's Reverse and GatherV2
 * kernels are element loops, several times slower).
 */
export function flipFilter(w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw, c, o] = w.shape;
    const taps = fh * fw;
    const flat = tf.reshape(w, [taps, c, o]);
    const flipped = taps === 1
      ? flat
      : tf.concat(Array.from({ length: taps }, (_, t) => tf.slice(flat, [taps - 1 - t], [1])), 0);
    return tf.reshape(tf.transpose(flipped, [0, 2, 1]), [fh, fw, o, c]) as tf.Tensor4D;
  });
}

/**
 * The input gradient of a `valid` convolution of an input padded by `pads`,
 * cut to the unpadded input: `kernel` ({@link inputGradientByKernel}), `conv`
 * ({@link inputGradientByConv}) or `auto`: conv on wasm (whose
 * transposed-convolution kernel is slow), the kernel elsewhere.
 *
 * @param inShape the padded input's shape [B, Hp, Wp, C]
 */
export function inputGradient(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  inShape: readonly number[],
  stride: number,
  algorithm: InputGradientAlgorithm = "auto",
  pads: SpatialPads = NO_PADS,
): tf.Tensor4D {
  const useConv = algorithm === "conv" || (algorithm === "auto" && tf.getBackend() === "wasm");
  return useConv
    ? inputGradientByConv(dy, w, inShape, stride, pads)
    : inputGradientByKernel(dy, w, inShape, stride, pads);
}

function validConv(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.conv2d(x, w, stride, "valid");
}

/**
 * A 2-D convolution with PyTorch semantics (`Conv2d(C, O, (fh, fw), stride,
 * padding=pad, bias=False)`) on NHWC tensors, with a custom gradient that every
 * backend can run.
 *
 * @param x input [B, H, W, C]
 * @param w filter [fh, fw, C, O]
 * @param stride the stride (both axes)
 * @param pad zero padding on every side (both axes)
 * @param wrt which inputs get gradients: `all`, `input`, `params` (only w) or
 *   `none` (plain ops, which the JVP engine differentiates)
 * @returns [B, ⌊(H + 2·pad − fh)/stride⌋ + 1, …, O]
 *
 * @example The filter gradient on any backend
 * ```ts
 * import * as tf from "npm:@tensorflow/tfjs@4.22.0";
 * import { conv2d } from "./conv.ts";
 * const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
 * const w = tf.ones([3, 3, 2, 4]) as tf.Tensor4D;
 * const [gw] = tf.grads((w: tf.Tensor) => conv2d(x, w as tf.Tensor4D, 2, 1, "params").sum())([w]);
 * console.assert(gw.shape.join() === "3,3,2,4");
 * ```
 */
export function conv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride = 1,
  pad = 0,
  wrt: DenseGradients = "all",
): tf.Tensor4D {
  checkConv(x, w, stride, pad);
  const rows = usedTaps(x.shape[1], w.shape[0], stride, pad);
  const cols = usedTaps(x.shape[2], w.shape[1], stride, pad);
  const all = (t: UsedTaps, f: number) => t.first === 0 && t.last === f - 1;
  const none = (t: UsedTaps) => t.first > t.last; // every output reads padding only
  if ((all(rows, w.shape[0]) && all(cols, w.shape[1])) || none(rows) || none(cols)) {
    return tf.tidy(() => convWithGradient(x, w, stride, wrt, [pad, pad, pad, pad]));
  }
  // Some filter taps only ever see padding (ResNet18's layer4 on MNIST: a 3×3 filter over a 1×1
  // map padded to 3×3 uses its centre alone): convolve with the taps that see data, over the
  // input padded (or cropped) to match. The dropped taps' products are exact zeros, so the
  // values and the gradients of the kept taps are the same sums; the dropped taps' gradient is 0
  // as before (the slice's gradient pads it back).
  return tf.tidy(() => {
    const wq = tf.slice(w, [rows.first, cols.first, 0, 0], [
      rows.last - rows.first + 1,
      cols.last - cols.first + 1,
      -1,
      -1,
    ]) as tf.Tensor4D;
    const [xc, pads] = cropForTaps(x, rows, cols);
    return convWithGradient(xc, wq, stride, wrt, pads);
  });
}

/**
 * The filter taps along one axis that touch the input (not only padding) for
 * some output position, and the padding before/after (negative: a crop) that
 * a convolution with only those taps needs for the same output length.
 */
export interface UsedTaps {
  /** First tap index that sees data. */
  first: number;
  /** Last tap index that sees data. */
  last: number;
  /** Padding before the input (negative: rows cropped). */
  before: number;
  /** Padding after the input (negative: rows cropped). */
  after: number;
}

/**
 * {@link UsedTaps} of a filter of length `f` over an input of length `n` with
 * stride `s` and symmetric padding `pad`: output p reads input s·p + i − pad
 * through tap i.
 */
export function usedTaps(n: number, f: number, s: number, pad: number): UsedTaps {
  const out = Math.floor((n + 2 * pad - f) / s) + 1;
  let first = f, last = -1;
  for (let i = 0; i < f; i++) {
    // tap i reads input s·p + i − pad for outputs p = 0 … out − 1: inside [0, n) for some p?
    const pMin = Math.max(0, Math.ceil((pad - i) / s));
    const pMax = Math.min(out - 1, Math.floor((n - 1 + pad - i) / s));
    const touches = pMin <= pMax;
    if (touches) {
      first = Math.min(first, i);
      last = Math.max(last, i);
    }
  }
  const before = pad - first;
  const after = s * (out - 1) + (last - first + 1) - before - n;
  return { first, last, before, after };
}

/**
 * The input cropped where the kept taps need fewer rows or columns (a tfjs
 * slice, whose gradient pads back with zeros) and the padding they still need.
 */
function cropForTaps(x: tf.Tensor4D, rows: UsedTaps, cols: UsedTaps): [tf.Tensor4D, SpatialPads] {
  const [b, h, w, c] = x.shape;
  const crop = [
    Math.max(0, -rows.before),
    Math.max(0, -rows.after),
    Math.max(0, -cols.before),
    Math.max(0, -cols.after),
  ];
  const xc = crop.every((v) => v === 0) ? x : tf.slice(x, [0, crop[0], crop[2], 0], [
    b,
    h - crop[0] - crop[1],
    w - crop[2] - crop[3],
    c,
  ]) as tf.Tensor4D;
  const pads = [rows.before, rows.after, cols.before, cols.after].map((v) => Math.max(0, v));
  return [xc, pads as unknown as SpatialPads];
}

function padBy(x: tf.Tensor4D, pads: SpatialPads): tf.Tensor4D {
  return pads.every((p) => p === 0)
    ? x
    : tf.pad(x, [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]]) as tf.Tensor4D;
}

/**
 * The `valid` convolution of x zero-padded by `pads`, with a custom gradient:
 * the padding is part of the op, so the input gradient is computed for the
 * unpadded input only ({@link inputGradient}).
 */
function convWithGradient(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  wrt: DenseGradients,
  pads: SpatialPads,
): tf.Tensor4D {
  const [fh, fw] = w.shape;
  switch (wrt) {
    case "none":
      return validConv(padBy(x, pads), w, stride);
    case "all":
      return tf.customGrad((xi, wi, save) => {
        const xp = padBy(xi as tf.Tensor4D, pads);
        (save as tf.GradSaveFunc)([xp, wi as tf.Tensor]);
        return {
          value: validConv(xp, wi as tf.Tensor4D, stride),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [xs, ws] = saved as tf.Tensor4D[];
            return [
              inputGradient(dy as tf.Tensor4D, ws, xs.shape, stride, "auto", pads),
              filterGradient(xs, dy as tf.Tensor4D, fh, fw, stride),
            ];
          },
        };
      })(x, w) as tf.Tensor4D;
    case "input":
      return tf.customGrad((xi, save) => {
        const xp = padBy(xi as tf.Tensor4D, pads);
        (save as tf.GradSaveFunc)([w]);
        return {
          value: validConv(xp, w, stride),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
            inputGradient(
              dy as tf.Tensor4D,
              saved[0] as tf.Tensor4D,
              xp.shape,
              stride,
              "auto",
              pads,
            ),
        };
      })(x) as tf.Tensor4D;
    case "params": {
      const xp = padBy(x, pads);
      return tf.customGrad((wi, save) => {
        (save as tf.GradSaveFunc)([xp]);
        return {
          value: validConv(xp, wi as tf.Tensor4D, stride),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
            filterGradient(saved[0] as tf.Tensor4D, dy as tf.Tensor4D, fh, fw, stride),
        };
      })(w) as tf.Tensor4D;
    }
    default:
      throw new RangeError(
        `Cannot apply conv2d: wrt must be one of all, input, params, none, got "${wrt}"`,
      );
  }
}

/**
 * Max pooling with PyTorch semantics (`MaxPool2d(size, stride, padding=pad)`):
 * the input is padded with −∞ (so padding never wins), then pooled `valid`.
 * tfjs's `MaxPoolGrad` exists on every backend.
 *
 * @param x input [B, H, W, C]
 */
export function maxPool2d(x: tf.Tensor4D, size: number, stride: number, pad: number): tf.Tensor4D {
  if (pad * 2 > size) {
    throw new RangeError(
      `Cannot apply maxPool2d: pad must be at most half the window, got pad ${pad}, size ${size}`,
    );
  }
  return tf.tidy(() => tf.maxPool(padSpatial(x, pad, -Infinity), size, stride, "valid"));
}
