import { describe, expect, it } from "vitest";
import { deltaE2000, deltaE76, imageDeltaE } from "@/lib/metrics/delta-e";

// Test pairs and ΔE00 values from Sharma, Wu & Dalal (2005), Table 1 (published to 4 decimals).
const SHARMA: [number, number, number, number, number, number, number][] = [
  [50, 2.6772, -79.7751, 50, 0, -82.7485, 2.0425],
  [50, 3.1571, -77.2803, 50, 0, -82.7485, 2.8615],
  [50, 2.8361, -74.02, 50, 0, -82.7485, 3.4412],
  [50, -1.3802, -84.2814, 50, 0, -82.7485, 1.0],
  [50, 0, 0, 50, -1, 2, 2.3669],
  [50, 2.49, -0.001, 50, -2.49, 0.0009, 7.1792],
  [50, 2.5, 0, 50, 0, -2.5, 4.3065],
  [50, 2.5, 0, 73, 25, -18, 27.1492],
  [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
  [22.7233, 20.0904, -46.694, 23.0331, 14.973, -42.5619, 2.0373],
  [90.8027, -2.0831, 1.441, 91.1528, -1.6435, 0.0447, 1.4441],
  [2.0776, 0.0795, -1.135, 0.9033, -0.0636, -0.5514, 0.9082],
];

describe("colour differences", () => {
  it.each(SHARMA)("CIEDE2000 of (%f, %f, %f) and (%f, %f, %f) is %f", (L1, a1, b1, L2, a2, b2, expected) => {
    expect(deltaE2000([L1, a1, b1], [L2, a2, b2])).toBeCloseTo(expected, 4);
    expect(deltaE2000([L2, a2, b2], [L1, a1, b1])).toBeCloseTo(expected, 4);
  });

  it("CIE76 is the Lab distance, and identical images differ by zero", () => {
    expect(deltaE76([50, 3, 4], [50, 0, 0])).toBe(5);
    const rgb = new Uint8Array([10, 200, 30, 255, 255, 255]);
    expect(imageDeltaE(rgb, rgb)).toEqual({ meanDeltaE2000: 0, p99DeltaE2000: 0, meanDeltaE76: 0 });
  });
});
