/**
 * Annealed-mean decoding of a per-pixel distribution over ab bins (Zhang et al., ECCV 2016, Sec. 2.3,
 * Eq. 5): H(Z) = E[f_T(Z)], f_T(z) = exp(log z / T) / Σ_q exp(log z_q / T).
 * T = 1 gives the mean (desaturated), T → 0 the mode (vibrant, spatially noisy); the paper uses
 * T = 0.38.
 *
 * Numerics: with logits x, log z = x − logsumexp(x), so f_T(z) ∝ exp((x − max x) / T): the largest
 * term is exp(0) = 1 and nothing overflows for any T > 0. With probabilities p, f_T ∝
 * exp((log p − log max p) / T) = (p / max p)^(1/T); p = 0 contributes 0. T = 0 is accepted and means
 * the mode exactly (the first maximal bin on ties).
 *
 * Layouts: "planar" (one image of an NCHW tensor: value of bin q at pixel i is at q·P + i) or
 * "interleaved" (NHWC: at i·Q + q). The planar path runs bin-major over contiguous rows of P values
 * with four float64 scratch rows, so there is no allocation per pixel.
 */

export type DistributionKind = "logits" | "probabilities";
export type DistributionLayout = "planar" | "interleaved";

export interface AnnealedMeanOptions {
  /** Temperature T ≥ 0 (default 0.38, the paper's value). */
  temperature?: number;
  /** Whether the values are unnormalized log-probabilities (logits) or probabilities. */
  kind?: DistributionKind;
  /** "planar" = bin-major (NCHW), "interleaved" = pixel-major (NHWC). Default "planar". */
  layout?: DistributionLayout;
  /** Where to write the result (2 × pixels); allocated when absent. */
  out?: Float32Array;
  /** Offset into `values` where this image starts (for one image of a batch). Default 0. */
  offset?: number;
}

export const DEFAULT_TEMPERATURE = 0.38;

/** Reusable per-call scratch rows, grown on demand (module-level: decoding is synchronous). */
let scratch = new Float64Array(0);

function scratchRows(pixels: number): Float64Array {
  if (scratch.length < 4 * pixels) scratch = new Float64Array(4 * pixels);
  return scratch;
}

/**
 * Decode `pixels` pixels of a distribution over `centres.length / 2` bins into interleaved ab
 * (2 values per pixel).
 *
 * @param values the distribution, `pixels × Q` values in the given layout (from `offset`).
 * @param pixels number of pixels P.
 * @param centres interleaved bin centres [a0, b0, a1, b1, …] (Q bins).
 * @throws RangeError on a negative or non-finite temperature or too few values.
 */
export function annealedMean(
  values: Float32Array,
  pixels: number,
  centres: Float32Array,
  options: AnnealedMeanOptions = {},
): Float32Array {
  const T = options.temperature ?? DEFAULT_TEMPERATURE;
  const kind = options.kind ?? "logits";
  const layout = options.layout ?? "planar";
  const offset = options.offset ?? 0;
  const Q = centres.length / 2;
  if (!(T >= 0) || !Number.isFinite(T)) throw new RangeError(`temperature must be a finite number ≥ 0, got ${T}`);
  if (!Number.isInteger(Q) || Q < 1) throw new RangeError("centres must hold at least one [a, b] pair");
  if (values.length < offset + pixels * Q) {
    throw new RangeError(`distribution has ${values.length - offset} values, expected ${pixels * Q} (${pixels} pixels × ${Q} bins)`);
  }
  const out = options.out ?? new Float32Array(2 * pixels);
  if (out.length < 2 * pixels) throw new RangeError(`out has ${out.length} values, expected ${2 * pixels}`);

  const isLogits = kind === "logits";
  if (layout === "interleaved") {
    decodeInterleaved(values, offset, pixels, Q, centres, T, isLogits, out);
  } else {
    decodePlanar(values, offset, pixels, Q, centres, T, isLogits, out);
  }
  return out;
}

function decodePlanar(
  v: Float32Array,
  off: number,
  P: number,
  Q: number,
  centres: Float32Array,
  T: number,
  isLogits: boolean,
  out: Float32Array,
): void {
  const s = scratchRows(P);
  // Row 0: per-pixel maximum (of logits, or of probabilities), row 1: Σw, row 2: Σw·a, row 3: Σw·b.
  for (let i = 0; i < P; i++) s[i] = v[off + i]!;
  for (let q = 1; q < Q; q++) {
    const base = off + q * P;
    for (let i = 0; i < P; i++) {
      const x = v[base + i]!;
      if (x > s[i]!) s[i] = x;
    }
  }
  if (T === 0) {
    // Mode: first bin attaining the maximum.
    for (let i = 0; i < P; i++) s[P + i] = -1;
    for (let q = 0; q < Q; q++) {
      const base = off + q * P;
      for (let i = 0; i < P; i++) if (s[P + i]! < 0 && v[base + i]! === s[i]!) s[P + i] = q;
    }
    for (let i = 0; i < P; i++) {
      const q = s[P + i]!;
      out[2 * i] = centres[2 * q]!;
      out[2 * i + 1] = centres[2 * q + 1]!;
    }
    return;
  }
  const invT = 1 / T;
  const sumW = P, sumA = 2 * P, sumB = 3 * P;
  for (let i = 0; i < P; i++) {
    s[sumW + i] = 0;
    s[sumA + i] = 0;
    s[sumB + i] = 0;
    if (!isLogits) s[i] = s[i]! > 0 ? Math.log(s[i]!) : 0;
  }
  for (let q = 0; q < Q; q++) {
    const base = off + q * P;
    const ca = centres[2 * q]!, cb = centres[2 * q + 1]!;
    if (isLogits) {
      for (let i = 0; i < P; i++) {
        const d = (v[base + i]! - s[i]!) * invT;
        // exp(−40) < 5e−18: with ≤ 10⁴ bins such terms change Σw by < 1e−13 relative; skip the exp.
        if (d < -40) continue;
        const w = Math.exp(d);
        s[sumW + i] = s[sumW + i]! + w;
        s[sumA + i] = s[sumA + i]! + w * ca;
        s[sumB + i] = s[sumB + i]! + w * cb;
      }
    } else {
      for (let i = 0; i < P; i++) {
        const p = v[base + i]!;
        if (p <= 0) continue;
        const w = Math.exp((Math.log(p) - s[i]!) * invT);
        s[sumW + i] = s[sumW + i]! + w;
        s[sumA + i] = s[sumA + i]! + w * ca;
        s[sumB + i] = s[sumB + i]! + w * cb;
      }
    }
  }
  for (let i = 0; i < P; i++) {
    const w = s[sumW + i]!;
    out[2 * i] = w > 0 ? s[sumA + i]! / w : 0;
    out[2 * i + 1] = w > 0 ? s[sumB + i]! / w : 0;
  }
}

function decodeInterleaved(
  v: Float32Array,
  off: number,
  P: number,
  Q: number,
  centres: Float32Array,
  T: number,
  isLogits: boolean,
  out: Float32Array,
): void {
  const invT = T > 0 ? 1 / T : 0;
  for (let i = 0; i < P; i++) {
    const base = off + i * Q;
    let m = v[base]!;
    let argmax = 0;
    for (let q = 1; q < Q; q++) {
      const x = v[base + q]!;
      if (x > m) {
        m = x;
        argmax = q;
      }
    }
    if (T === 0) {
      out[2 * i] = centres[2 * argmax]!;
      out[2 * i + 1] = centres[2 * argmax + 1]!;
      continue;
    }
    let sw = 0, sa = 0, sb = 0;
    if (isLogits) {
      for (let q = 0; q < Q; q++) {
        const d = (v[base + q]! - m) * invT;
        if (d < -40) continue;
        const w = Math.exp(d);
        sw += w;
        sa += w * centres[2 * q]!;
        sb += w * centres[2 * q + 1]!;
      }
    } else {
      const lm = m > 0 ? Math.log(m) : 0;
      for (let q = 0; q < Q; q++) {
        const p = v[base + q]!;
        if (p <= 0) continue;
        const w = Math.exp((Math.log(p) - lm) * invT);
        sw += w;
        sa += w * centres[2 * q]!;
        sb += w * centres[2 * q + 1]!;
      }
    }
    out[2 * i] = sw > 0 ? sa / sw : 0;
    out[2 * i + 1] = sw > 0 ? sb / sw : 0;
  }
}
