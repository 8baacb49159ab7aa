import { describe, expect, it } from "vitest";
import {
  chooseRandomSource,
  grayBaseline,
  groundTruthBaseline,
  randomBaseline,
  resizeAbBilinear,
} from "@/lib/methods/baselines";

describe("ground truth and gray baselines", () => {
  it("copies the real Lab, or keeps L with ab = 0, without touching the input", () => {
    const lab = Float32Array.of(50, 10, -20, 80, -5, 7);
    const image = { width: 2, height: 1, lab };
    const gt = groundTruthBaseline(image);
    expect(Array.from(gt.lab)).toEqual(Array.from(lab));
    expect(gt.lab).not.toBe(lab);
    expect(Array.from(grayBaseline(image).lab)).toEqual([50, 0, 0, 80, 0, 0]);
    expect(Array.from(lab)).toEqual([50, 10, -20, 80, -5, 7]);
  });

  it("rejects a Lab array of the wrong length", () => {
    expect(() => grayBaseline({ width: 2, height: 2, lab: new Float32Array(9) })).toThrow(RangeError);
  });
});

describe("resizeAbBilinear", () => {
  it("matches the half-pixel-centre convention (OpenCV INTER_LINEAR) on a hand-computed case", () => {
    // Source a = [0, 10] (2×1) to 4×1: source x = (x + 0.5)/2 − 0.5 = −0.25 → 0 (clamped), 0.25, 0.75,
    // 1.25 → 1 (clamped), so a = 0, 2.5, 7.5, 10 (cv2.resize(np.float32([[0, 10]]), (4, 1)) gives the same).
    // b = [−4, 4] → −4, −2, 2, 4.
    const source = { width: 2, height: 1, lab: Float32Array.of(50, 0, -4, 50, 10, 4) };
    expect(Array.from(resizeAbBilinear(source, 4, 1))).toEqual([0, -4, 2.5, -2, 7.5, 2, 10, 4]);
  });

  it("averages the four neighbours at the centre of a 2×2 → 1×1 reduction", () => {
    // 1×1 target: source (x, y) = (0.5, 0.5): the mean of the four a (1, 2, 3, 4) = 2.5 and b (0, 0, 0, 8) = 2.
    const source = { width: 2, height: 2, lab: Float32Array.of(0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 8) };
    expect(Array.from(resizeAbBilinear(source, 1, 1))).toEqual([2.5, 2]);
  });

  it("is the identity at the same size", () => {
    const lab = Float32Array.from({ length: 3 * 5 * 4 }, (_, i) => (i * 7) % 23);
    const ab = resizeAbBilinear({ width: 5, height: 4, lab }, 5, 4);
    for (let p = 0; p < 20; p++) {
      expect(ab[2 * p]).toBe(lab[3 * p + 1]);
      expect(ab[2 * p + 1]).toBe(lab[3 * p + 2]);
    }
  });
});

describe("randomBaseline", () => {
  it("joins the target's L with the source's ab resized to the target's size", () => {
    const target = { width: 4, height: 1, lab: Float32Array.of(10, 1, 1, 20, 1, 1, 30, 1, 1, 40, 1, 1) };
    const source = { width: 2, height: 1, lab: Float32Array.of(99, 0, -4, 99, 10, 4) };
    const foil = randomBaseline(target, source);
    expect(foil.width).toBe(4);
    expect(Array.from(foil.lab)).toEqual([10, 0, -4, 20, 2.5, -2, 30, 7.5, 2, 40, 10, 4]);
    expect(() => randomBaseline(target, target)).toThrow(RangeError);
  });
});

describe("chooseRandomSource", () => {
  const ids = ["s1", "s2", "s3", "s4", "s5"];

  it("never chooses the target itself", () => {
    for (let seed = 0; seed < 200; seed++) {
      for (const target of ids) expect(chooseRandomSource(ids, target, seed)).not.toBe(target);
    }
  });

  it("is reproducible and independent of the order of the ids", () => {
    const shuffled = ["s4", "s1", "s5", "s3", "s2"];
    for (const target of ids) {
      const first = chooseRandomSource(ids, target, "study-42");
      expect(chooseRandomSource(ids, target, "study-42")).toBe(first);
      expect(chooseRandomSource(shuffled, target, "study-42")).toBe(first);
    }
  });

  it("spreads its choices over the other stimuli", () => {
    // 400 seeds, 4 other stimuli: each expected 100 times (binomial sd ≈ 8.7); SHA-256 makes this
    // deterministic, and 60..140 is more than 4 sd either side.
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 400; seed++) {
      const chosen = chooseRandomSource(ids, "s1", seed);
      counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(["s2", "s3", "s4", "s5"]);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(60);
      expect(count).toBeLessThan(140);
    }
  });

  it("throws with a single stimulus or duplicate ids", () => {
    expect(() => chooseRandomSource(["only"], "only", 1)).toThrow(/at least one other stimulus/);
    expect(() => chooseRandomSource(["a", "a", "b"], "a", 1)).toThrow(/unique/);
  });
});
