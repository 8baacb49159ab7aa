/**
 * The automatic metrics of one colorization method over a set of (real, fake) image pairs, as the
 * paper reports them (Zhang, Isola, Efros 2016, Table 1) plus colourfulness and PSNR:
 *
 * | field                      | definition                                                              |
 * |----------------------------|-------------------------------------------------------------------------|
 * | `images`                   | number of pairs                                                         |
 * | `auc`                      | raw AuC of the ab error, pooled over ALL pixels of all images (0..100)  |
 * | `aucRebalanced`            | class-rebalanced AuC, pooled the same way; classes = nearest of the 313 |
 * |                            | bins of the REAL ab; p = pooled class distribution of the real images   |
 * |                            | unless a prior is given                                                 |
 * | `colourfulness`            | mean over images of Hasler–Süsstrunk M of the fake                      |
 * | `colourfulnessGroundTruth` | mean over images of M of the real                                       |
 * | `colourfulnessGap`         | `colourfulness − colourfulnessGroundTruth` (negative: less colourful)   |
 * | `psnr`                     | mean over images of the per-image RGB PSNR in dB (Infinity if any fake  |
 * |                            | equals its real exactly)                                                |
 * | `hues`, `huesGroundTruth`  | hue shares of the fakes' and the reals' chromatic pixels, pooled        |
 * |                            | (red/yellow/green/blue sectors of CIELab hue: lib/metrics/hue-shares.ts)|
 * | `hueConfusion`             | percent of all pixels by (real hue class, fake hue class), neutral      |
 * |                            | included: which real colours the fake's hues were painted over          |
 *
 * Lab comes from the decoded 8-bit sRGB of both images (lib/model/color-space.ts), so the fake's ab
 * is what a rater sees, after its own rounding and gamut clipping.
 */
import { rgb8ToLab } from "@/lib/model/color-space";
import { abBinList, NUM_AB_BINS } from "@/lib/model/ab-bins";
import { createAbClassifier } from "@/lib/metrics/ab-classes";
import type { AbClassifier } from "@/lib/metrics/ab-classes";
import { colourfulness } from "@/lib/metrics/colourfulness";
import { decodeRgb8, resizeRgb8 } from "@/lib/metrics/decode-image";
import type { DecodedRgb } from "@/lib/metrics/decode-image";
import { HueConfusionAccumulator } from "@/lib/metrics/hue-shares";
import type { HueConfusion, HueShares } from "@/lib/metrics/hue-shares";
import { psnr } from "@/lib/metrics/psnr";
import { AbErrorByClass } from "@/lib/metrics/rebalanced-auc";

/** The metrics of one method (see the module comment for the definitions). */
export interface MethodMetrics {
  images: number;
  auc: number;
  aucRebalanced: number;
  colourfulness: number;
  colourfulnessGroundTruth: number;
  colourfulnessGap: number;
  psnr: number;
  hues: HueShares;
  huesGroundTruth: HueShares;
  hueConfusion: HueConfusion;
}

/** An 8-bit RGB image: interleaved R, G, B; pixels.length === 3 · width · height. */
export interface RgbImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

let defaultClassifier: AbClassifier | undefined;
/** The nearest-bin classifier over the 313 bins of lib/model/ab-bins.ts (built once). */
function binClassifier(): AbClassifier {
  defaultClassifier ??= createAbClassifier(abBinList());
  return defaultClassifier;
}

/**
 * Pools the metrics of image pairs added one at a time (memory: one 313 × 152 histogram and a few
 * sums, whatever the number of images).
 */
export class MethodMetricsAccumulator {
  private readonly errors: AbErrorByClass;
  private images = 0;
  private sumColourfulness = 0;
  private sumColourfulnessReal = 0;
  private sumPsnr = 0;
  // Hue shares of both sides are the confusion table's column and row sums: one pass per pixel.
  private readonly hueConfusion = new HueConfusionAccumulator();

  constructor(classifier: AbClassifier = binClassifier(), classes: number = NUM_AB_BINS) {
    this.errors = new AbErrorByClass(classes, classifier);
  }

  /**
   * Add one pair of same-size 8-bit RGB images.
   * @throws RangeError when the sizes differ (resize the fake first) or a buffer has the wrong length
   */
  add(real: RgbImage, fake: RgbImage): void {
    if (real.width !== fake.width || real.height !== fake.height) {
      throw new RangeError(`real is ${real.width}×${real.height} but fake is ${fake.width}×${fake.height} (resize the fake first)`);
    }
    for (const [what, image] of [["real", real], ["fake", fake]] as const) {
      if (image.pixels.length !== 3 * image.width * image.height) {
        throw new RangeError(`${what}: ${image.pixels.length} bytes for ${image.width}×${image.height} RGB`);
      }
    }
    const realLab = rgb8ToLab(real.pixels);
    const fakeLab = rgb8ToLab(fake.pixels);
    this.errors.add(realLab, fakeLab);
    this.hueConfusion.addLab(realLab, fakeLab);
    this.sumColourfulness += colourfulness(fake.pixels);
    this.sumColourfulnessReal += colourfulness(real.pixels);
    this.sumPsnr += psnr(real.pixels, fake.pixels);
    this.images += 1;
  }

  /** Number of pairs added. */
  get count(): number {
    return this.images;
  }

  /**
   * The pooled metrics.
   * @param prior class probabilities for the rebalanced AuC (length 313, order of lib/model/ab-bins.ts);
   *   default: the pooled class distribution of the real images added
   * @throws RangeError when no pair was added
   */
  result(prior?: ArrayLike<number>): MethodMetrics {
    if (this.images === 0) throw new RangeError("method metrics are undefined without images");
    const colourfulnessFake = this.sumColourfulness / this.images;
    const colourfulnessReal = this.sumColourfulnessReal / this.images;
    return {
      images: this.images,
      auc: this.errors.auc(),
      aucRebalanced: this.errors.rebalancedAuc(prior),
      colourfulness: colourfulnessFake,
      colourfulnessGroundTruth: colourfulnessReal,
      colourfulnessGap: colourfulnessFake - colourfulnessReal,
      psnr: this.sumPsnr / this.images,
      hues: this.hueConfusion.fakeHues(),
      huesGroundTruth: this.hueConfusion.realHues(),
      hueConfusion: this.hueConfusion.result(),
    };
  }
}

/** One pair of encoded images (any format sharp reads); `name` only labels notes and errors. */
export interface EncodedPair {
  real: Buffer | Uint8Array;
  fake: Buffer | Uint8Array;
  name?: string;
}

export interface ComputeMethodMetricsOptions {
  /** Class prior for the rebalanced AuC (see {@link MethodMetricsAccumulator.result}). */
  prior?: ArrayLike<number>;
  /** Resize a fake whose size differs from its real (Lanczos-3) instead of throwing. Default false. */
  resizeFakeToReal?: boolean;
  /** Receives one line per resized fake. */
  onNote?: (note: string) => void;
}

/**
 * Decode each (real, fake) pair and compute the method's metrics, pooled as documented above.
 *
 * @param pairs an array or async iterable of encoded pairs (streamed: one pair decoded at a time)
 * @returns `{ images, auc, aucRebalanced, colourfulness, colourfulnessGroundTruth, colourfulnessGap, psnr }`
 * @throws RangeError without pairs, or for a size mismatch unless `resizeFakeToReal`; Error from
 *   sharp for an undecodable image (the message names the pair)
 * @example
 *   await computeMethodMetrics([{ real, fake: real }]) // → { images: 1, auc: 100, aucRebalanced: 100, …, psnr: Infinity }
 */
export async function computeMethodMetrics(
  pairs: AsyncIterable<EncodedPair> | Iterable<EncodedPair>,
  options: ComputeMethodMetricsOptions = {},
): Promise<MethodMetrics> {
  const accumulator = new MethodMetricsAccumulator();
  let index = 0;
  for await (const pair of pairs) {
    const label = pair.name ?? `pair ${index}`;
    index += 1;
    let real: DecodedRgb;
    let fake: DecodedRgb;
    try {
      real = await decodeRgb8(pair.real);
      fake = await decodeRgb8(pair.fake);
    } catch (err) {
      throw new Error(`${label}: cannot decode: ${(err as Error).message}`, { cause: err });
    }
    if (fake.width !== real.width || fake.height !== real.height) {
      if (!options.resizeFakeToReal) {
        throw new RangeError(`${label}: real is ${real.width}×${real.height} but fake is ${fake.width}×${fake.height}`);
      }
      options.onNote?.(`${label}: fake resized from ${fake.width}×${fake.height} to ${real.width}×${real.height}`);
      fake = await resizeRgb8(fake, real.width, real.height);
    }
    accumulator.add(real, fake);
  }
  return accumulator.result(options.prior);
}
