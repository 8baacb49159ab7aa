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

const HUE_CHROMA_MIN_SQUARED = HUE_CHROMA_MIN * HUE_CHROMA_MIN;

/** The sector of a Lab colour's hue (order of {@link HUE_SECTORS}), or −1 when it is neutral (chroma ≤ 10). */
export function chromaticHueSector(a: number, b: number): number {
  if (a * a + b * b <= HUE_CHROMA_MIN_SQUARED) return -1;
  return hueSector((Math.atan2(b, a) * 180) / Math.PI);
}

/** Hue shares from pixel counts per sector (order of {@link HUE_SECTORS}) out of `pixels` in all. */
function huesFromCounts(counts: readonly number[], pixels: number): HueShares {
  const chromatic = counts.reduce((sum, n) => sum + n, 0);
  const share = (k: number) => (chromatic === 0 ? 0 : (100 * counts[k]!) / chromatic);
  return {
    red: share(0),
    yellow: share(1),
    green: share(2),
    blue: share(3),
    chromaticShare: pixels === 0 ? 0 : (100 * chromatic) / pixels,
  };
}

/** The rows and columns of a {@link HueConfusion}: neutral (chroma ≤ 10), then the four sectors. */
export const HUE_CLASSES = ["neutral", "red", "yellow", "green", "blue"] as const;
export type HueClass = (typeof HUE_CLASSES)[number];

/**
 * Where a method's hues come from: `percent[i][j]` is the percent of all pixels whose real colour
 * is in class i and whose fake colour is in class j ({@link HUE_CLASSES}); the 25 cells sum to 100.
 * The diagonal is agreement; a large `neutral → yellow` cell, for example, is a sepia cast on
 * grey surfaces, which the hue shares alone cannot tell apart from yellow painted on the wrong
 * objects.
 */
export interface HueConfusion {
  classes: readonly HueClass[];
  percent: number[][];
}

/** Pools the hue-class confusion of (real, fake) pixel pairs over images added one at a time. */
export class HueConfusionAccumulator {
  private readonly counts = new Float64Array(HUE_CLASSES.length * HUE_CLASSES.length);
  private pixels = 0;

  /** Add one image pair as interleaved Lab buffers of the same length. */
  addLab(realLab: ArrayLike<number>, fakeLab: ArrayLike<number>): void {
    if (realLab.length !== fakeLab.length) throw new RangeError(`Lab buffers differ in length: ${realLab.length} and ${fakeLab.length}`);
    if (realLab.length % 3 !== 0) throw new RangeError(`Lab buffer length ${realLab.length} is not a multiple of 3`);
    const n = HUE_CLASSES.length;
    for (let i = 0; i < realLab.length; i += 3) {
      const real = chromaticHueSector(realLab[i + 1]!, realLab[i + 2]!) + 1;
      const fake = chromaticHueSector(fakeLab[i + 1]!, fakeLab[i + 2]!) + 1;
      this.counts[real * n + fake]! += 1;
    }
    this.pixels += realLab.length / 3;
  }

  /** The hue shares of the real images (the rows' sums), pooled over all images. */
  realHues(): HueShares {
    const n = HUE_CLASSES.length;
    const rows = Array.from({ length: n - 1 }, (_, i) => this.counts.subarray((i + 1) * n, (i + 2) * n).reduce((sum, x) => sum + x, 0));
    return huesFromCounts(rows, this.pixels);
  }

  /** The hue shares of the fakes (the columns' sums), pooled over all images. */
  fakeHues(): HueShares {
    const n = HUE_CLASSES.length;
    const columns = Array.from({ length: n - 1 }, (_, j) => Array.from({ length: n }, (_, i) => this.counts[i * n + j + 1]!).reduce((sum, x) => sum + x, 0));
    return huesFromCounts(columns, this.pixels);
  }

  /** Percent of all pixels per (real, fake) class; all 0 before any pixel was added. */
  result(): HueConfusion {
    const n = HUE_CLASSES.length;
    const percent = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (this.pixels === 0 ? 0 : (100 * this.counts[i * n + j]!) / this.pixels)),
    );
    return { classes: HUE_CLASSES, percent };
  }
}
