/**
 * Colourfulness of an image, Hasler & Süsstrunk (2003), "Measuring colourfulness in natural
 * images", Proc. SPIE 5007, §4 (the metric M^(3) computed in sRGB):
 *
 *   rg = R − G,  yb = ½(R + G) − B   (R, G, B the 8-bit values 0..255)
 *   σ_rgyb = √(σ_rg² + σ_yb²),  μ_rgyb = √(μ_rg² + μ_yb²)
 *   M = σ_rgyb + 0.3 · μ_rgyb
 *
 * σ is the population standard deviation over the image's pixels (divide by n), as in the paper's
 * definition over all pixels. A gray image scores 0; the authors' scale puts "not colourful" at 0,
 * "moderately" at about 33, "extremely colourful" at 109 and above.
 */

/**
 * Colourfulness M of one 8-bit RGB image.
 *
 * @param rgb interleaved 8-bit pixels (RGB, or RGBA with `channels` 4; alpha ignored)
 * @param channels 3 or 4
 * @throws RangeError on an empty image or a length that is not a multiple of `channels`
 * @example
 *   colourfulness(Uint8Array.of(255, 0, 0, 0, 0, 255)) // red and blue: → 272.6186…
 */
export function colourfulness(rgb: Uint8Array | Uint8ClampedArray, channels: 3 | 4 = 3): number {
  if (channels !== 3 && channels !== 4) throw new RangeError(`channels must be 3 or 4, got ${String(channels)}`);
  if (rgb.length === 0 || rgb.length % channels !== 0) {
    throw new RangeError(`colourfulness needs a non-empty image whose length is a multiple of ${channels}, got ${rgb.length}`);
  }
  const n = rgb.length / channels;
  // Two passes (mean, then squared deviations) keep the variance exact for nearly uniform images.
  let sumRg = 0;
  let sumYb = 0;
  for (let i = 0; i < rgb.length; i += channels) {
    const r = rgb[i]!, g = rgb[i + 1]!, b = rgb[i + 2]!;
    sumRg += r - g;
    sumYb += 0.5 * (r + g) - b;
  }
  const meanRg = sumRg / n;
  const meanYb = sumYb / n;
  let ssRg = 0;
  let ssYb = 0;
  for (let i = 0; i < rgb.length; i += channels) {
    const r = rgb[i]!, g = rgb[i + 1]!, b = rgb[i + 2]!;
    const dRg = r - g - meanRg;
    const dYb = 0.5 * (r + g) - b - meanYb;
    ssRg += dRg * dRg;
    ssYb += dYb * dYb;
  }
  const sigma = Math.sqrt(ssRg / n + ssYb / n);
  const mu = Math.sqrt(meanRg * meanRg + meanYb * meanYb);
  return sigma + 0.3 * mu;
}
