/**
 * Structural similarity (SSIM) of two single-channel images, Wang, Bovik, Sheikh & Simoncelli
 * (2004), "Image quality assessment: from error visibility to structural similarity", IEEE TIP 13(4),
 * eq. 13 with the paper's settings: an 11×11 circular-symmetric Gaussian window of σ = 1.5,
 * K1 = 0.01, K2 = 0.03, C1 = (K1·R)², C2 = (K2·R)² for the dynamic range R, and the mean SSIM over
 * the positions where the window lies entirely inside the image ("valid" windows, as in the
 * authors' reference MATLAB `ssim_index.m`).
 *
 *   SSIM(x, y) = (2 μx μy + C1)(2 σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2))
 *
 * with μ, σ², σxy the Gaussian-weighted local means, variances and covariance.
 */

/** Settings of Wang et al. 2004. */
export const SSIM_WINDOW_RADIUS = 5;
export const SSIM_WINDOW_SIGMA = 1.5;
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;

function gaussianKernel(radius: number, sigma: number): Float64Array {
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/** "Valid" separable convolution: output (w − 2r) × (h − 2r). */
function filterValid(src: Float64Array, w: number, h: number, kernel: Float64Array): Float64Array {
  const r = (kernel.length - 1) / 2;
  const ow = w - 2 * r;
  const oh = h - 2 * r;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      const base = y * w + x;
      for (let k = 0; k < kernel.length; k++) s += kernel[k]! * src[base + k]!;
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < kernel.length; k++) s += kernel[k]! * tmp[(y + k) * ow + x]!;
      out[y * ow + x] = s;
    }
  }
  return out;
}

/**
 * Mean SSIM of two same-size single-channel images.
 *
 * @param x first image, row-major, `width · height` values (e.g. the L plane)
 * @param y second image, same layout
 * @param dynamicRange R of the values (100 for CIE L, 255 for 8-bit)
 * @returns mean SSIM over valid windows, in [−1, 1]; 1 for identical images
 * @throws RangeError for different sizes or an image smaller than the 11×11 window
 */
export function meanSsim(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  width: number,
  height: number,
  dynamicRange: number,
): number {
  const n = width * height;
  if (x.length !== n || y.length !== n) {
    throw new RangeError(`SSIM: expected ${n} values for ${width}×${height}, got ${x.length} and ${y.length}`);
  }
  const size = 2 * SSIM_WINDOW_RADIUS + 1;
  if (width < size || height < size) throw new RangeError(`SSIM needs at least ${size}×${size} pixels, got ${width}×${height}`);
  if (!(dynamicRange > 0)) throw new RangeError(`SSIM dynamic range must be positive, got ${dynamicRange}`);
  const kernel = gaussianKernel(SSIM_WINDOW_RADIUS, SSIM_WINDOW_SIGMA);
  const xs = Float64Array.from(x);
  const ys = Float64Array.from(y);
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = xs[i]! * xs[i]!;
    yy[i] = ys[i]! * ys[i]!;
    xy[i] = xs[i]! * ys[i]!;
  }
  const mx = filterValid(xs, width, height, kernel);
  const my = filterValid(ys, width, height, kernel);
  const mxx = filterValid(xx, width, height, kernel);
  const myy = filterValid(yy, width, height, kernel);
  const mxy = filterValid(xy, width, height, kernel);
  const c1 = (SSIM_K1 * dynamicRange) ** 2;
  const c2 = (SSIM_K2 * dynamicRange) ** 2;
  let sum = 0;
  for (let i = 0; i < mx.length; i++) {
    const ux = mx[i]!, uy = my[i]!;
    const vx = mxx[i]! - ux * ux;
    const vy = myy[i]! - uy * uy;
    const cxy = mxy[i]! - ux * uy;
    sum += ((2 * ux * uy + c1) * (2 * cxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
  }
  return sum / mx.length;
}
