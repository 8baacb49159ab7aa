/**
 * Class-rebalanced AuC (Zhang et al. 2016 §3.1, Table 1 "AuC: rebal"): the raw accuracy AuC of
 * lib/metrics/ab-error-auc.ts with each pixel weighted by the inverse of the probability of its
 * ground-truth ab class (its nearest of the 313 bins), so that rare, saturated colours count as much
 * as common, desaturated ones. The paper reports 89.5 raw / 67.3 rebalanced for its full method.
 *
 *   CMF_w(t) = Σ_i w_i [e_i ≤ t] / Σ_i w_i,   w_i = 1 / p(c_i),
 *
 * then the same trapezoid over t = 0..150 as the raw AuC.
 *
 * The class distribution p is, unless a prior is given, the pooled empirical distribution of the
 * ground-truth pixels being evaluated: p(c) = n_c / N. Then every class present contributes total
 * weight N, and CMF_w is the unweighted mean over the present classes of their own CMFs. With a
 * prior (e.g. the ImageNet class prior of the released model), classes absent from the images simply
 * contribute nothing; a present class with prior probability 0 has an undefined weight and throws.
 *
 * The accumulator keeps a (class × error bin) histogram: 313 × 152 numbers, however many pixels,
 * and pooling images is adding histograms.
 */
import { AUC_ERROR_BINS, aucFromErrorHistogram, errorBinOf } from "@/lib/metrics/ab-error-auc";
import type { AbClassifier } from "@/lib/metrics/ab-classes";

/** Per-class ab-error histograms, pooled over all pixels added. */
export class AbErrorByClass {
  /** counts[c · AUC_ERROR_BINS + k]: pixels of ground-truth class c whose error falls in bin k. */
  readonly counts: Float64Array;
  private pixels = 0;

  /**
   * @param classes the number of classes (313)
   * @param classify maps a ground-truth (a, b) to its class index in 0..classes−1
   */
  constructor(
    readonly classes: number,
    private readonly classify: AbClassifier,
  ) {
    if (!(Number.isInteger(classes) && classes > 0)) throw new RangeError(`classes must be a positive integer, got ${classes}`);
    this.counts = new Float64Array(classes * AUC_ERROR_BINS);
  }

  /** Number of pixels added so far. */
  get pixelCount(): number {
    return this.pixels;
  }

  /**
   * Add one image pair (interleaved Lab, same size; L is ignored).
   * @throws RangeError on different sizes, or when the classifier returns an out-of-range class
   */
  add(real: Float32Array, fake: Float32Array): void {
    if (real.length % 3 !== 0 || real.length !== fake.length) {
      throw new RangeError(`Lab arrays must be the same size (a multiple of 3): ${real.length} vs ${fake.length}`);
    }
    for (let i = 0; i < real.length; i += 3) {
      const a = real[i + 1]!;
      const b = real[i + 2]!;
      const da = a - fake[i + 1]!;
      const db = b - fake[i + 2]!;
      const c = this.classify(a, b);
      if (!(c >= 0 && c < this.classes)) throw new RangeError(`class ${c} out of range for ab (${a}, ${b})`);
      this.counts[c * AUC_ERROR_BINS + errorBinOf(Math.sqrt(da * da + db * db))]! += 1;
    }
    this.pixels += real.length / 3;
  }

  /** Pixels per ground-truth class. */
  classCounts(): Float64Array {
    const out = new Float64Array(this.classes);
    for (let c = 0; c < this.classes; c++) {
      let n = 0;
      for (let k = 0; k < AUC_ERROR_BINS; k++) n += this.counts[c * AUC_ERROR_BINS + k]!;
      out[c] = n;
    }
    return out;
  }

  /**
   * Raw AuC (0..100), pooled over all pixels.
   * @throws RangeError without pixels
   */
  auc(): number {
    const mass = new Float64Array(AUC_ERROR_BINS);
    for (let c = 0; c < this.classes; c++) {
      for (let k = 0; k < AUC_ERROR_BINS; k++) mass[k]! += this.counts[c * AUC_ERROR_BINS + k]!;
    }
    return aucFromErrorHistogram(mass);
  }

  /**
   * Class-rebalanced AuC (0..100).
   * @param prior class probabilities (length `classes`, summing to about 1), or undefined for the
   *   pooled ground-truth distribution of the pixels added
   * @throws RangeError without pixels, for a prior of the wrong length, or a present class whose
   *   prior probability is not positive
   */
  rebalancedAuc(prior?: ArrayLike<number>): number {
    if (prior !== undefined && prior.length !== this.classes) {
      throw new RangeError(`prior has ${prior.length} classes, expected ${this.classes}`);
    }
    const perClass = this.classCounts();
    const total = this.pixels;
    const mass = new Float64Array(AUC_ERROR_BINS);
    for (let c = 0; c < this.classes; c++) {
      const n = perClass[c]!;
      if (n === 0) continue;
      const p = prior === undefined ? n / total : prior[c]!;
      if (!(p > 0)) throw new RangeError(`class ${c} occurs in the ground truth but has prior probability ${p}`);
      const w = 1 / p;
      for (let k = 0; k < AUC_ERROR_BINS; k++) mass[k]! += w * this.counts[c * AUC_ERROR_BINS + k]!;
    }
    return aucFromErrorHistogram(mass);
  }
}
