/**
 * Hue shares: which hues a method paints, over its chromatic pixels.
 *
 * A pixel is chromatic when its CIELab chroma C = √(a² + b²) exceeds 10. Its hue angle
 * h = atan2(b, a) (degrees, 0..360) falls in one of four sectors bounded half-way between the
 * angles of the unique hues in CIELab (red 24°, yellow 90°, green 162°, blue 246°):
 *
 * | sector | h from | h to  | holds                                     |
 * |--------|--------|-------|-------------------------------------------|
 * | red    | 327°   | 57°   | reds, pinks, the red side of orange/skin |
 * | yellow | 57°    | 126°  | yellows, browns, the rest of orange       |
 * | green  | 126°   | 204°  | greens, teals                             |
 * | blue   | 204°   | 327°  | blues, violets                            |
 *
 * Shares are pooled over all pixels of all images (percent of the chromatic pixels, summing to
 * 100); `chromaticShare` is the percent of all pixels that are chromatic. A method that learned
 * only the blue–yellow axis shows almost no red or green here even when its colourfulness is
 * right. (training/metrics.py uses the same sectors for its validation log.)
 */

export const HUE_CHROMA_MIN = 10;
export const HUE_SECTORS = [
  { name: "red", from: 327, to: 57 },
  { name: "yellow", from: 57, to: 126 },
  { name: "green", from: 126, to: 204 },
  { name: "blue", from: 204, to: 327 },
] as const;

export interface HueShares {
  red: number;
  yellow: number;
  green: number;
  blue: number;
  /** Percent of all pixels with chroma above {@link HUE_CHROMA_MIN}. */
  chromaticShare: number;
}

/** The sector index (order of {@link HUE_SECTORS}) of a hue angle in degrees, any real value. */
export function hueSector(degrees: number): number {
  const h = ((degrees % 360) + 360) % 360;
  if (h >= 327 || h < 57) return 0;
  if (h < 126) return 1;
  if (h < 204) return 2;
  return 3;
}

/** Pools hue counts over images added one at a time. */
export class HueShareAccumulator {
  private readonly counts = [0, 0, 0, 0];
  private chromatic = 0;
  private pixels = 0;

  /** Add the pixels of one image as interleaved Lab (L, a, b per pixel). */
  addLab(lab: ArrayLike<number>): void {
    if (lab.length % 3 !== 0) throw new RangeError(`Lab buffer length ${lab.length} is not a multiple of 3`);
    const minSquared = HUE_CHROMA_MIN * HUE_CHROMA_MIN;
    for (let i = 0; i < lab.length; i += 3) {
      const a = lab[i + 1]!;
      const b = lab[i + 2]!;
      if (a * a + b * b <= minSquared) continue;
      this.counts[hueSector((Math.atan2(b, a) * 180) / Math.PI)]! += 1;
      this.chromatic += 1;
    }
    this.pixels += lab.length / 3;
  }

  /** Percent shares; all 0 when no pixel was chromatic. */
  result(): HueShares {
    const share = (k: number) => (this.chromatic === 0 ? 0 : (100 * this.counts[k]!) / this.chromatic);
    return {
      red: share(0),
      yellow: share(1),
      green: share(2),
      blue: share(3),
      chromaticShare: this.pixels === 0 ? 0 : (100 * this.chromatic) / this.pixels,
    };
  }
}
