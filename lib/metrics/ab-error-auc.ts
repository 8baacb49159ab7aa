/**
 * Raw accuracy (AuC) of predicted colours (Zhang, Isola, Efros 2016, §3.1 "Raw accuracy (AuC)",
 * following Larsson et al. 2016): the share of pixels whose predicted ab lies within Euclidean
 * distance t of the ground-truth ab, swept over thresholds t = 0, 1, …, 150, integrated and
 * normalized so that a perfect prediction scores 100.
 *
 * Definitions (invariants the tests and other code rely on):
 * - error e = √((a − a*)² + (b − b*)²) in CIE Lab units; L is ignored.
 * - CMF(t) = share of pixels with e ≤ t ("within" includes the threshold, so the ground truth has
 *   CMF(0) = 1 and AuC = 100).
 * - AuC = 100 · (1/150) · ∫₀¹⁵⁰ CMF(t) dt by the trapezoidal rule on the integer thresholds:
 *   100/150 · Σ_{t=0}^{149} (CMF(t) + CMF(t+1)) / 2. (The same as scikit-learn's `auc` over the
 *   thresholds 0..150 divided by 150, which colorization evaluation code commonly uses.)
 * - For integer t, e ≤ t ⇔ ⌈e⌉ ≤ t, so a histogram of ⌈e⌉ over 0..150 (plus one overflow bin)
 *   gives the CMF exactly; pooling over many images is adding histograms.
 */

/** Highest threshold of the sweep (paper: 0 to 150). */
export const AUC_MAX_THRESHOLD = 150;
/** Number of error bins: ⌈e⌉ = 0..150, then one bin for e > 150. */
export const AUC_ERROR_BINS = AUC_MAX_THRESHOLD + 2;

/** The histogram bin of an ab error: ⌈e⌉ for e ≤ 150, else the overflow bin 151. */
export function errorBinOf(error: number): number {
  if (!(error >= 0)) throw new RangeError(`ab error must be a non-negative number, got ${error}`);
  const k = Math.ceil(error);
  return k > AUC_MAX_THRESHOLD ? AUC_MAX_THRESHOLD + 1 : k;
}

/**
 * AuC (0..100) from per-error-bin masses (counts or weights; length {@link AUC_ERROR_BINS}).
 * @throws RangeError when the total mass is not positive (no pixels: undefined).
 */
export function aucFromErrorHistogram(mass: ArrayLike<number>): number {
  if (mass.length !== AUC_ERROR_BINS) {
    throw new RangeError(`error histogram must have ${AUC_ERROR_BINS} bins, got ${mass.length}`);
  }
  let total = 0;
  for (let k = 0; k < AUC_ERROR_BINS; k++) total += mass[k]!;
  if (!(total > 0)) throw new RangeError("AuC is undefined without pixels");
  // cmf[t] for t = 0..150; trapezoid: (cmf[0] + cmf[150]) / 2 + Σ_{t=1}^{149} cmf[t].
  let cumulative = 0;
  let area = 0;
  for (let t = 0; t <= AUC_MAX_THRESHOLD; t++) {
    cumulative += mass[t]!;
    const cmf = cumulative / total;
    area += t === 0 || t === AUC_MAX_THRESHOLD ? cmf / 2 : cmf;
  }
  return (100 * area) / AUC_MAX_THRESHOLD;
}

function checkPair(real: Float32Array, fake: Float32Array): number {
  if (real.length % 3 !== 0) throw new RangeError(`Lab array length ${real.length} is not a multiple of 3`);
  if (real.length !== fake.length) {
    throw new RangeError(`Lab arrays differ in length: ${real.length} vs ${fake.length} (resize first)`);
  }
  return real.length / 3;
}

/**
 * Add the ab-error histogram of one image pair to `into` (length {@link AUC_ERROR_BINS}).
 * @param real ground-truth interleaved Lab (L,a,b per pixel)
 * @param fake predicted interleaved Lab, same size
 */
export function addAbErrorHistogram(real: Float32Array, fake: Float32Array, into: Float64Array): void {
  const n = checkPair(real, fake);
  for (let p = 0, i = 0; p < n; p++, i += 3) {
    const da = real[i + 1]! - fake[i + 1]!;
    const db = real[i + 2]! - fake[i + 2]!;
    into[errorBinOf(Math.sqrt(da * da + db * db))]! += 1;
  }
}

/**
 * AuC (0..100) of the per-pixel ab error, pooled over all pixels of all given pairs.
 *
 * @param pairs one or more `[real, fake]` interleaved Lab arrays (each pair the same size)
 * @throws RangeError on mismatched sizes or when there are no pixels
 * @example
 *   // ab errors 0, 5, 50, 100 (one pixel each): CMF 0.25 on [0,5), 0.5 on [5,50), 0.75 on [50,100), 1 after
 *   abErrorAuc([[real, gray]]) // → 74.4166…
 */
export function abErrorAuc(pairs: ReadonlyArray<readonly [Float32Array, Float32Array]>): number {
  const histogram = new Float64Array(AUC_ERROR_BINS);
  for (const [real, fake] of pairs) addAbErrorHistogram(real, fake, histogram);
  return aucFromErrorHistogram(histogram);
}
