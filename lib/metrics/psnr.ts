/**
 * Peak signal-to-noise ratio between two 8-bit RGB images:
 *   MSE = mean over all pixels and the 3 channels of (x − y)²,  PSNR = 10 · log10(255² / MSE) dB.
 * The same definition as scikit-image `peak_signal_noise_ratio(x, y, data_range=255)` on uint8 RGB.
 * Identical images have MSE 0 and PSNR +∞ (returned as `Infinity`, as scikit-image does).
 */

/** The peak value of 8-bit samples. */
export const PSNR_PEAK_8BIT = 255;

/**
 * Mean squared error over the colour channels of two same-size 8-bit images.
 * @throws RangeError on different lengths, an empty image or a bad length
 */
export function meanSquaredError(
  x: Uint8Array | Uint8ClampedArray,
  y: Uint8Array | Uint8ClampedArray,
  channels: 3 | 4 = 3,
): number {
  if (x.length !== y.length) throw new RangeError(`images differ in length: ${x.length} vs ${y.length} (resize first)`);
  if (x.length === 0 || x.length % channels !== 0) {
    throw new RangeError(`images must be non-empty with a length that is a multiple of ${channels}, got ${x.length}`);
  }
  let sum = 0;
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < 3; c++) {
      const d = x[i + c]! - y[i + c]!;
      sum += d * d;
    }
  }
  return sum / ((x.length / channels) * 3);
}

/**
 * PSNR in dB of `y` against `x` (8-bit RGB or RGBA; alpha ignored); `Infinity` for identical images.
 * @example
 *   psnr(Uint8Array.of(0, 0, 0), Uint8Array.of(255, 0, 0)) // MSE = 255²/3 → 10·log10(3) = 4.7712…
 */
export function psnr(
  x: Uint8Array | Uint8ClampedArray,
  y: Uint8Array | Uint8ClampedArray,
  channels: 3 | 4 = 3,
): number {
  const mse = meanSquaredError(x, y, channels);
  if (mse === 0) return Infinity;
  return 10 * Math.log10((PSNR_PEAK_8BIT * PSNR_PEAK_8BIT) / mse);
}
