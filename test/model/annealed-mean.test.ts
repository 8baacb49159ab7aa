import { describe, expect, it } from "vitest";
import { AB_BINS, NUM_AB_BINS } from "@/lib/model/ab-bins";
import { annealedMean } from "@/lib/model/annealed-mean";
import { seededRandom } from "../support/random";

const Q = NUM_AB_BINS;

/** Random logits for P pixels, planar (bin-major) layout. */
function randomLogits(P: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const v = new Float32Array(P * Q);
  for (let i = 0; i < v.length; i++) v[i] = (rand() - 0.5) * 8;
  return v;
}

/** Straightforward float64 reference: softmax(x/T)-weighted centres. */
function reference(logits: Float32Array, P: number, i: number, T: number): [number, number] {
  let m = -Infinity;
  for (let q = 0; q < Q; q++) m = Math.max(m, logits[q * P + i]! / T);
  let s = 0, a = 0, b = 0;
  for (let q = 0; q < Q; q++) {
    const w = Math.exp(logits[q * P + i]! / T - m);
    s += w;
    a += w * AB_BINS[2 * q]!;
    b += w * AB_BINS[2 * q + 1]!;
  }
  return [a / s, b / s];
}

function toProbabilities(logits: Float32Array, P: number): Float32Array {
  const p = new Float32Array(logits.length);
  for (let i = 0; i < P; i++) {
    let m = -Infinity;
    for (let q = 0; q < Q; q++) m = Math.max(m, logits[q * P + i]!);
    let s = 0;
    for (let q = 0; q < Q; q++) s += Math.exp(logits[q * P + i]! - m);
    for (let q = 0; q < Q; q++) p[q * P + i] = Math.exp(logits[q * P + i]! - m) / s;
  }
  return p;
}

function toInterleaved(planar: Float32Array, P: number): Float32Array {
  const out = new Float32Array(planar.length);
  for (let q = 0; q < Q; q++) for (let i = 0; i < P; i++) out[i * Q + q] = planar[q * P + i]!;
  return out;
}

describe("annealedMean", () => {
  const P = 37;
  const logits = randomLogits(P, 3);
  const probs = toProbabilities(logits, P);

  it("equals the mean of the distribution at T = 1 (logits and probabilities)", () => {
    const fromLogits = annealedMean(logits, P, AB_BINS, { temperature: 1 });
    const fromProbs = annealedMean(probs, P, AB_BINS, { temperature: 1, kind: "probabilities" });
    for (let i = 0; i < P; i++) {
      let a = 0, b = 0;
      for (let q = 0; q < Q; q++) {
        a += probs[q * P + i]! * AB_BINS[2 * q]!;
        b += probs[q * P + i]! * AB_BINS[2 * q + 1]!;
      }
      expect(fromLogits[2 * i]).toBeCloseTo(a, 3);
      expect(fromLogits[2 * i + 1]).toBeCloseTo(b, 3);
      expect(fromProbs[2 * i]).toBeCloseTo(a, 3);
      expect(fromProbs[2 * i + 1]).toBeCloseTo(b, 3);
    }
  });

  it("matches the float64 reference at T = 0.38 in both layouts", () => {
    const planar = annealedMean(logits, P, AB_BINS, { temperature: 0.38 });
    const interleaved = annealedMean(toInterleaved(logits, P), P, AB_BINS, { temperature: 0.38, layout: "interleaved" });
    const fromProbs = annealedMean(toInterleaved(probs, P), P, AB_BINS, { temperature: 0.38, kind: "probabilities", layout: "interleaved" });
    for (let i = 0; i < P; i++) {
      const [a, b] = reference(logits, P, i, 0.38);
      for (const out of [planar, interleaved, fromProbs]) {
        expect(out[2 * i]).toBeCloseTo(a, 3);
        expect(out[2 * i + 1]).toBeCloseTo(b, 3);
      }
    }
  });

  it("tends to the mode's centre as T → 0, and T = 0 is the mode exactly", () => {
    const mode = annealedMean(logits, P, AB_BINS, { temperature: 0 });
    const tiny = annealedMean(logits, P, AB_BINS, { temperature: 1e-6 });
    const tinyProbs = annealedMean(toInterleaved(probs, P), P, AB_BINS, { temperature: 1e-6, kind: "probabilities", layout: "interleaved" });
    for (let i = 0; i < P; i++) {
      let best = 0;
      for (let q = 1; q < Q; q++) if (logits[q * P + i]! > logits[best * P + i]!) best = q;
      expect([mode[2 * i], mode[2 * i + 1]]).toEqual([AB_BINS[2 * best], AB_BINS[2 * best + 1]]);
      expect(tiny[2 * i]).toBeCloseTo(AB_BINS[2 * best]!, 4);
      expect(tiny[2 * i + 1]).toBeCloseTo(AB_BINS[2 * best + 1]!, 4);
      expect(tinyProbs[2 * i]).toBeCloseTo(AB_BINS[2 * best]!, 3);
    }
  });

  it("is stable for huge logits and zero probabilities", () => {
    const v = new Float32Array(Q).fill(-1e30);
    v[10] = 1e30;
    const out = annealedMean(v, 1, AB_BINS, { temperature: 0.38 });
    expect([out[0], out[1]]).toEqual([AB_BINS[20], AB_BINS[21]]);
    const p = new Float32Array(Q);
    p[7] = 0.5;
    p[8] = 0.5;
    const mean = annealedMean(p, 1, AB_BINS, { kind: "probabilities", temperature: 0.01 });
    expect(mean[0]).toBeCloseTo((AB_BINS[14]! + AB_BINS[16]!) / 2, 5);
    expect(mean[1]).toBeCloseTo((AB_BINS[15]! + AB_BINS[17]!) / 2, 5);
  });

  it("decodes one image of a batch at an offset, into a given buffer", () => {
    const two = new Float32Array(2 * P * Q);
    two.set(randomLogits(P, 9));
    two.set(logits, P * Q);
    const out = new Float32Array(2 * P);
    annealedMean(two, P, AB_BINS, { offset: P * Q, out });
    expect(Array.from(out)).toEqual(Array.from(annealedMean(logits, P, AB_BINS)));
  });

  it("rejects bad arguments", () => {
    expect(() => annealedMean(logits, P, AB_BINS, { temperature: -1 })).toThrow(RangeError);
    expect(() => annealedMean(logits, P + 1, AB_BINS)).toThrow(/expected/);
  });
});
