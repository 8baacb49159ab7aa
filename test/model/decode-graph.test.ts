import { describe, expect, it } from "vitest";
import { AB_BINS, NUM_AB_BINS } from "@/lib/model/ab-bins";
import { annealedMean } from "@/lib/model/annealed-mean";
import { getAnnealedMeanDecoder } from "@/lib/model/decode-graph";
import { seededRandom } from "../support/random";

const Q = NUM_AB_BINS;

describe("annealed mean as an onnxruntime graph", () => {
  const N = 2, H = 3, W = 5, P = H * W;
  const rand = seededRandom(11);
  const logits = new Float32Array(N * Q * P).map(() => (rand() - 0.5) * 12);

  function toNhwc(planar: Float32Array): Float32Array {
    const out = new Float32Array(planar.length);
    for (let n = 0; n < N; n++) for (let q = 0; q < Q; q++) for (let i = 0; i < P; i++) out[n * P * Q + i * Q + q] = planar[n * Q * P + q * P + i]!;
    return out;
  }

  it("agrees with the float64 JS decoder for logits (NCHW and NHWC) and probabilities, at several T", async () => {
    const nchw = await getAnnealedMeanDecoder(AB_BINS, "NCHW", "logits", 1);
    const nhwc = await getAnnealedMeanDecoder(AB_BINS, "NHWC", "logits", 1);
    const probs = await getAnnealedMeanDecoder(AB_BINS, "NCHW", "probabilities", 1);
    // Probabilities: softmax of the logits, per pixel.
    const p = new Float32Array(logits.length);
    for (let n = 0; n < N; n++)
      for (let i = 0; i < P; i++) {
        let m = -Infinity, s = 0;
        for (let q = 0; q < Q; q++) m = Math.max(m, logits[n * Q * P + q * P + i]!);
        for (let q = 0; q < Q; q++) s += Math.exp(logits[n * Q * P + q * P + i]! - m);
        for (let q = 0; q < Q; q++) p[n * Q * P + q * P + i] = Math.exp(logits[n * Q * P + q * P + i]! - m) / s;
      }
    for (const T of [1, 0.38, 0.05]) {
      const a = await nchw.decode(logits, [N, Q, H, W], T);
      const b = await nhwc.decode(toNhwc(logits), [N, H, W, Q], T);
      const c = await probs.decode(p, [N, Q, H, W], T);
      for (let n = 0; n < N; n++) {
        const ref = annealedMean(logits, P, AB_BINS, { temperature: T, offset: n * Q * P });
        for (let k = 0; k < 2 * P; k++) {
          expect(Math.abs(a[n * 2 * P + k]! - ref[k]!)).toBeLessThan(2e-3);
          expect(Math.abs(b[n * 2 * P + k]! - ref[k]!)).toBeLessThan(2e-3);
          expect(Math.abs(c[n * 2 * P + k]! - ref[k]!)).toBeLessThan(2e-3);
        }
      }
    }
  });

  it("handles zero probabilities and refuses T = 0 (the JS decoder gives the exact mode)", async () => {
    const probs = await getAnnealedMeanDecoder(AB_BINS, "NHWC", "probabilities", 1);
    const p = new Float32Array(Q);
    p[3] = 1;
    const ab = await probs.decode(p, [1, 1, 1, Q], 0.38);
    expect(ab[0]).toBeCloseTo(AB_BINS[6]!, 4);
    expect(ab[1]).toBeCloseTo(AB_BINS[7]!, 4);
    await expect(probs.decode(p, [1, 1, 1, Q], 0)).rejects.toThrow(RangeError);
  });
});
