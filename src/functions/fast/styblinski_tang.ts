/**
 * Styblinski–Tang as typed-array kernels (the op order of
 * `styblinskiTang.evaluate`: x2 = x², ½·Σ((x2² − 16·x2) + 5x)).
 *
 * @module
 */
import { rowSums } from "./linear.ts";
import type { ClosedFormKernels } from "./types.ts";

const fr = Math.fround;

/** One coordinate's term e = fr(fr(fr(x2²) − fr(16 x2)) + fr(5x)) with x2 = fr(x²). */
function term(xi: number): number {
  const x2 = fr(xi * xi);
  return fr(fr(fr(x2 * x2) - fr(x2 * 16)) + fr(xi * 5));
}

/**
 * Styblinski–Tang kernels. The gradient is tfjs's backward pass of
 * `evaluate` with seed 1: ∂/∂x2 = fr(fr(0.5·fr(2 x2)) + (−8)),
 * ∇f_i = fr(fr(∂/∂x2 · fr(2 x_i)) + 2.5).
 *
 * @example
 * ```ts
 * import { styblinskiTangKernels } from "./styblinski_tang.ts";
 * styblinskiTangKernels.value(new Float32Array([0, 0])); // 0
 * ```
 */
export const styblinskiTangKernels: ClosedFormKernels = {
  value(x) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s = fr(s + term(x[i]));
    return fr(s * 0.5);
  },
  valueAndGradient(x, g) {
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i];
      const x2 = fr(xi * xi);
      s = fr(s + fr(fr(fr(x2 * x2) - fr(x2 * 16)) + fr(xi * 5)));
      const dx2 = fr(fr(0.5 * fr(x2 * 2)) + -8);
      g[i] = fr(fr(dx2 * fr(xi * 2)) + 2.5);
    }
    return fr(s * 0.5);
  },
  valueAndDirectional(x, v, k, d) {
    const n = x.length;
    const c1 = new Float32Array(n); // fr(2 x)
    const c2 = new Float32Array(n); // fr(2 x2)
    let s = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      const x2 = fr(xi * xi);
      s = fr(s + fr(fr(fr(x2 * x2) - fr(x2 * 16)) + fr(xi * 5)));
      c1[i] = xi * 2;
      c2[i] = x2 * 2;
    }
    rowSums(k, n, d, (j, i) => {
      const t = v[j * n + i];
      const t2 = fr(t * c1[i]);
      return fr(fr(fr(t2 * c2[i]) - fr(t2 * 16)) + fr(t * 5));
    });
    for (let j = 0; j < k; j++) d[j] = d[j] * 0.5;
    return fr(s * 0.5);
  },
};
