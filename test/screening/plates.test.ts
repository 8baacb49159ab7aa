import { describe, expect, it } from "vitest";
import {
  applyMatrix,
  generateColourScreening,
  generatePlate,
  LINEAR_SRGB_TO_LMS,
  NO_FIGURE,
  renderPlate,
  SHAPES,
  DIGITS,
  SRGB8_TO_LINEAR,
  ScreeningError,
  type ScreeningPlate,
} from "@/lib/screening";

function linear(rgb: readonly [number, number, number]): [number, number, number] {
  return [SRGB8_TO_LINEAR[rgb[0]]!, SRGB8_TO_LINEAR[rgb[1]]!, SRGB8_TO_LINEAR[rgb[2]]!];
}

describe("generateColourScreening", () => {
  const plates = generateColourScreening(20261129);

  it("makes one control plate first and three plates per axis, the same for the same seed", () => {
    expect(plates).toHaveLength(10);
    expect(plates[0]!.axis).toBe("control");
    for (const axis of ["protan", "deutan", "tritan"]) expect(plates.filter((p) => p.axis === axis)).toHaveLength(3);
    expect(generateColourScreening(20261129)).toEqual(plates);
    expect(generateColourScreening(20261130)).not.toEqual(plates);
    expect(generateColourScreening(5, { platesPerAxis: 2, controlPlates: 0, figures: "shapes", size: 160 })).toHaveLength(6);
    expect(() => generateColourScreening(5, { platesPerAxis: 0 })).toThrow(ScreeningError);
    expect(() => generatePlate(5, 0, "protan", "digit", 64)).toThrow(ScreeningError);
  });

  it("offers the figure once among four figures of its kind, then Nothing", () => {
    for (const plate of plates) {
      expect(plate.options).toHaveLength(5);
      expect(plate.options.at(-1)!.id).toBe(NO_FIGURE);
      const figures = plate.options.slice(0, 4).map((option) => option.id);
      expect(new Set(figures).size).toBe(4);
      expect(figures.filter((id) => id === plate.figure)).toHaveLength(1);
      const kind: readonly string[] = (DIGITS as readonly string[]).includes(plate.figure) ? DIGITS : SHAPES;
      for (const id of figures) expect(kind).toContain(id);
    }
  });

  it("fills the disc with hundreds of non-overlapping dots of varied size, some on the figure", () => {
    for (const plate of plates) {
      expect(plate.dots.length).toBeGreaterThan(400);
      const onFigure = plate.dots.filter((dot) => dot.onFigure).length;
      expect(onFigure).toBeGreaterThan(40);
      expect(onFigure).toBeLessThan(plate.dots.length / 2);
      const radii = plate.dots.map((dot) => dot.r);
      expect(Math.max(...radii) / Math.min(...radii)).toBeGreaterThan(2);
    }
    const dots = plates[1]!.dots;
    let closest = Infinity; // smallest clearance between two dots, pixels
    for (let a = 0; a < dots.length; a++) {
      for (let b = a + 1; b < dots.length; b++) {
        closest = Math.min(closest, Math.hypot(dots[a]!.x - dots[b]!.x, dots[a]!.y - dots[b]!.y) - dots[a]!.r - dots[b]!.r);
      }
    }
    expect(closest).toBeGreaterThanOrEqual(1.2); // the packing's gap
  });

  it("separates figure and background only in the missing cone's excitation (up to 8-bit rounding)", () => {
    // On a protan plate every dot's M:S ratio is the base colour's (L moves, and the intensity
    // noise scales all three); on a deutan plate L:S; on a tritan plate L:M. The tested ratio
    // (e.g. L:M on a protan plate) differs between figure and background.
    const ratio = (plate: ScreeningPlate, a: number, b: number, onFigure: boolean) =>
      plate.dots.filter((dot) => dot.onFigure === onFigure).map((dot) => {
        const lms = applyMatrix(LINEAR_SRGB_TO_LMS, linear(dot.rgb));
        return lms[a]! / lms[b]!;
      });
    const spread = (values: number[]) => (Math.max(...values) - Math.min(...values)) / (values.reduce((s, v) => s + v, 0) / values.length);
    const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
    const kept = { protan: [1, 2], deutan: [0, 2], tritan: [0, 1] } as const;
    const tested = { protan: [0, 1], deutan: [1, 0], tritan: [2, 0] } as const;
    for (const plate of plates) {
      if (plate.axis === "control") continue;
      const [a, b] = kept[plate.axis];
      const all = [...ratio(plate, a, b, true), ...ratio(plate, a, b, false)];
      expect(spread(all)).toBeLessThan(0.06); // 8-bit rounding only
      const [c, d] = tested[plate.axis];
      const figure = mean(ratio(plate, c, d, true));
      const ground = mean(ratio(plate, c, d, false));
      expect(Math.abs(figure / ground - 1)).toBeGreaterThan(plate.axis === "tritan" ? 0.1 : 0.05);
    }
  });

  it("gives figure and background dots the same spread of brightness", () => {
    for (const plate of plates) {
      const luminance = (onFigure: boolean) =>
        plate.dots.filter((dot) => dot.onFigure === onFigure).map((dot) => {
          const [r, g, b] = linear(dot.rgb);
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        });
      const range = (values: number[]) => Math.max(...values) / Math.min(...values);
      // Intensity factors span 0.75–1.25 (ratio 1.67) in both groups, far more than the figure's shift.
      expect(range(luminance(true))).toBeGreaterThan(1.4);
      expect(range(luminance(false))).toBeGreaterThan(1.5);
    }
  });
});

describe("renderPlate", () => {
  it("draws each dot in its colour over the gap colour, size × size RGBA", () => {
    const plate = generatePlate(3, 0, "deutan", "digit", 200);
    const image = renderPlate(plate);
    expect(image.width).toBe(200);
    expect(image.data).toHaveLength(200 * 200 * 4);
    expect([...image.data.subarray(0, 4)]).toEqual([...plate.gapRgb, 255]); // a corner: outside the disc
    for (const dot of plate.dots.slice(0, 50)) {
      const o = 4 * (Math.floor(dot.y) * 200 + Math.floor(dot.x));
      expect([image.data[o], image.data[o + 1], image.data[o + 2]]).toEqual([...dot.rgb]);
    }
  });
});
