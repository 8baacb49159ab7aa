/**
 * Bilinear resampling of float images (interleaved channels), separable, with pixel centres at
 * half-integers (the convention of PIL, OpenCV INTER_LINEAR and PyTorch `align_corners=False`).
 * When shrinking, the triangle filter is widened by the scale factor (PIL's BILINEAR), so that a
 * large photo's L reduced to 256×256 is averaged rather than aliased; when enlarging it is plain
 * bilinear interpolation. Edges are handled by renormalizing the weights inside the image.
 */

export interface Taps {
  /** First source index for each output index. */
  start: Int32Array;
  /** Number of taps for each output index. */
  count: Int32Array;
  /** Weights, `maxTaps` per output index. */
  weights: Float32Array;
  maxTaps: number;
}

export function computeTaps(srcSize: number, dstSize: number): Taps {
  const scale = srcSize / dstSize;
  const support = scale > 1 ? scale : 1; // triangle half-width in source pixels
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dstSize);
  const count = new Int32Array(dstSize);
  const weights = new Float32Array(dstSize * maxTaps);
  const invSupport = 1 / support;
  for (let x = 0; x < dstSize; x++) {
    const centre = (x + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support + 0.5));
    const hi = Math.min(srcSize, Math.floor(centre + support + 0.5));
    let total = 0;
    const base = x * maxTaps;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - centre) * invSupport));
      weights[base + i - lo] = w;
      total += w;
    }
    if (total <= 0) {
      // Can only happen at a degenerate edge: fall back to the nearest pixel.
      const nearest = Math.min(srcSize - 1, Math.max(0, Math.floor(centre)));
      start[x] = nearest;
      count[x] = 1;
      weights[base] = 1;
      continue;
    }
    for (let i = 0; i < hi - lo; i++) weights[base + i] = weights[base + i]! / total;
    start[x] = lo;
    count[x] = hi - lo;
  }
  return { start, count, weights, maxTaps };
}

/**
 * Resize an interleaved float image.
 * @param src  `srcW × srcH × channels` values, row-major, channels interleaved.
 * @returns    `dstW × dstH × channels` values.
 */
export function resizeBilinear(
  src: Float32Array,
  srcW: number,
  srcH: number,
  channels: number,
  dstW: number,
  dstH: number,
): Float32Array {
  if (src.length !== srcW * srcH * channels) {
    throw new RangeError(`resizeBilinear: ${src.length} values for ${srcW}×${srcH}×${channels}`);
  }
  if (dstW < 1 || dstH < 1 || !Number.isInteger(dstW) || !Number.isInteger(dstH)) {
    throw new RangeError(`resizeBilinear: bad target size ${dstW}×${dstH}`);
  }
  if (srcW === dstW && srcH === dstH) return src.slice();
  const C = channels;
  const tmp = resizeRows(src, srcW, srcH, C, dstW);
  const rowLen = dstW * C;
  // Vertical pass.
  const v = computeTaps(srcH, dstH);
  const out = new Float32Array(dstW * dstH * C);
  for (let y = 0; y < dstH; y++) {
    const s0 = v.start[y]!, n = v.count[y]!, wb = y * v.maxTaps;
    const rowOut = y * rowLen;
    for (let t = 0; t < n; t++) {
      const w = v.weights[wb + t]!;
      const rowIn = (s0 + t) * rowLen;
      for (let i = 0; i < rowLen; i++) out[rowOut + i] = out[rowOut + i]! + w * tmp[rowIn + i]!;
    }
  }
  return out;
}

/**
 * The horizontal pass of {@link resizeBilinear} alone: each of the `srcH` rows resampled from
 * `srcW` to `dstW` pixels. Callers that consume the vertical pass row by row (the colorizer's
 * fused ab upsampling and colour conversion) start from here.
 */
export function resizeRows(src: Float32Array, srcW: number, srcH: number, channels: number, dstW: number): Float32Array {
  const C = channels;
  const h = computeTaps(srcW, dstW);
  const tmp = new Float32Array(dstW * srcH * C);
  for (let y = 0; y < srcH; y++) {
    const rowIn = y * srcW * C;
    const rowOut = y * dstW * C;
    for (let x = 0; x < dstW; x++) {
      const s0 = h.start[x]!, n = h.count[x]!, wb = x * h.maxTaps;
      for (let c = 0; c < C; c++) {
        let acc = 0;
        for (let t = 0; t < n; t++) acc += h.weights[wb + t]! * src[rowIn + (s0 + t) * C + c]!;
        tmp[rowOut + x * C + c] = acc;
      }
    }
  }
  return tmp;
}
