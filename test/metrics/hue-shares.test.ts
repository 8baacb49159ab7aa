import { describe, expect, it } from "vitest";
import { HUE_CLASSES, HueConfusionAccumulator, hueSector } from "@/lib/metrics/hue-shares";

// CIELab of the sRGB primaries and secondaries (D65; Bruce Lindbloom's calculator): hue angles
// red 40.0°, yellow 102.8°, green 136.0°, cyan 196.4°, blue 306.3°, magenta 328.2°.
const LAB = {
  red: [53.24, 80.09, 67.2],
  yellow: [97.14, -21.55, 94.48],
  green: [87.73, -86.18, 83.18],
  cyan: [91.11, -48.09, -14.13],
  blue: [32.3, 79.19, -107.86],
  magenta: [60.32, 98.23, -60.82],
} as const;

describe("hue shares", () => {
  it("puts the sRGB primaries and secondaries in the expected sectors", () => {
    const sector = (lab: readonly number[]) => ["red", "yellow", "green", "blue"][hueSector((Math.atan2(lab[2]!, lab[1]!) * 180) / Math.PI)];
    expect(sector(LAB.red)).toBe("red");
    expect(sector(LAB.yellow)).toBe("yellow");
    expect(sector(LAB.green)).toBe("green");
    expect(sector(LAB.cyan)).toBe("green");
    expect(sector(LAB.blue)).toBe("blue");
    expect(sector(LAB.magenta)).toBe("red");
  });

  it("sector bounds are half-open and wrap around 360°", () => {
    expect([hueSector(326.9), hueSector(327), hueSector(-33), hueSector(56.9), hueSector(57), hueSector(126), hueSector(204), hueSector(720 + 10)]).toEqual([3, 0, 0, 0, 1, 2, 3, 0]);
  });

  it("pools chromatic pixels only, over images", () => {
    const acc = new HueConfusionAccumulator();
    const add = (lab: number[]) => acc.addLab(lab, lab);
    add([50, ...LAB.red.slice(1), 50, ...LAB.blue.slice(1), 50, 3, 4]); // the last is chroma 5: neutral
    add([50, ...LAB.green.slice(1), 50, ...LAB.red.slice(1)]);
    expect(acc.realHues()).toEqual({ red: 50, yellow: 0, green: 25, blue: 25, chromaticShare: 80 });
    expect(acc.fakeHues()).toEqual(acc.realHues());
  });

  it("is all zero without chromatic pixels", () => {
    const acc = new HueConfusionAccumulator();
    acc.addLab([50, 0, 0], [50, 0, 0]);
    expect(acc.realHues()).toEqual({ red: 0, yellow: 0, green: 0, blue: 0, chromaticShare: 0 });
    expect(acc.fakeHues()).toEqual({ red: 0, yellow: 0, green: 0, blue: 0, chromaticShare: 0 });
  });

  it("hue confusion counts each (real, fake) pixel pair once, as a percent of all pixels", () => {
    const acc = new HueConfusionAccumulator();
    const grey = [50, 3, 4] as const; // chroma 5: neutral
    // image 1: grey painted yellow, red kept red, blue painted grey
    acc.addLab([...grey, ...LAB.red, ...LAB.blue], [...LAB.yellow, ...LAB.red, ...grey]);
    // image 2: yellow kept yellow (another yellow), grey kept grey, green painted yellow, cyan painted blue
    acc.addLab([...LAB.yellow, ...grey, ...LAB.green, ...LAB.cyan], [50, -5, 60, ...grey, ...LAB.yellow, ...LAB.blue]);
    const { classes, percent } = acc.result();
    expect(classes).toEqual(HUE_CLASSES);
    const at = (real: string, fake: string) => percent[classes.indexOf(real as never)]![classes.indexOf(fake as never)]!;
    const seventh = 100 / 7;
    expect(at("neutral", "yellow")).toBeCloseTo(seventh, 10);
    expect(at("red", "red")).toBeCloseTo(seventh, 10);
    expect(at("blue", "neutral")).toBeCloseTo(seventh, 10);
    expect(at("yellow", "yellow")).toBeCloseTo(seventh, 10);
    expect(at("neutral", "neutral")).toBeCloseTo(seventh, 10);
    expect(at("green", "yellow")).toBeCloseTo(seventh, 10);
    expect(at("green", "blue")).toBeCloseTo(seventh, 10); // cyan is in the green sector
    expect(percent.flat().reduce((x, y) => x + y, 0)).toBeCloseTo(100, 10);
    expect(percent.flat().filter((x) => x > 0)).toHaveLength(7);
    // The shares of each side are the table's row and column sums. Real: red, blue, yellow, green,
    // cyan (green sector) chromatic, 2 of 7 grey; fake: yellow ×3, red, blue chromatic.
    expect(acc.realHues()).toEqual({ red: 20, yellow: 20, green: 40, blue: 20, chromaticShare: (100 * 5) / 7 });
    expect(acc.fakeHues()).toEqual({ red: 20, yellow: 60, green: 0, blue: 20, chromaticShare: (100 * 5) / 7 });
  });

  it("hue confusion rejects buffers of different lengths and is all zero when empty", () => {
    const acc = new HueConfusionAccumulator();
    expect(acc.result().percent.flat().every((x) => x === 0)).toBe(true);
    expect(() => acc.addLab([50, 0, 0], [50, 0, 0, 50, 0, 0])).toThrow(RangeError);
  });
});
