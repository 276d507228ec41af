/**
 * Sphere Σ x_i² as typed-array kernels (the op order of `sphere.evaluate`).
 *
 * @module
 */
import { rowSums } from "./linear.ts";
import type { ClosedFormKernels } from "./types.ts";

const fr = Math.fround;

/**
 * Sphere kernels: f = Σ fr(x_i²); ∇f_i = fr(1·fr(2 x_i)) (tfjs's Square
 * gradient); d_j = Σ_i fr(v_ji·fr(2 x_i)) (the Square JVP, then Sum).
 *
 * @example
 * ```ts
 * import { sphereKernels } from "./sphere.ts";
 * const g = new Float32Array(2);
 * sphereKernels.valueAndGradient(new Float32Array([-1, -1]), g); // 2, g = [-2, -2]
 * ```
 */
export const sphereKernels: ClosedFormKernels = {
  value(x) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s = fr(s + fr(x[i] * x[i]));
    return s;
  },
  valueAndGradient(x, g) {
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i];
      s = fr(s + fr(xi * xi));
      g[i] = fr(xi * 2);
    }
    return s;
  },
  valueAndDirectional(x, v, k, d) {
    const n = x.length;
    const c = new Float32Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      s = fr(s + fr(xi * xi));
      c[i] = xi * 2;
    }
    rowSums(k, n, d, (j, i) => fr(v[j * n + i] * c[i]));
    return s;
  },
};
