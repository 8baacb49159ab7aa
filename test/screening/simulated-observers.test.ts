import { beforeAll, describe, expect, it } from "vitest";
import {
  CONFUSION_AXES,
  generateColourScreening,
  judgePlate,
  NO_FIGURE,
  READABLE_CONTRAST,
  relativeLuminance,
  renderPlate,
  simulateDichromat,
  SRGB8_TO_LINEAR,
  scoreColourScreening,
  type ObserverVision,
} from "@/lib/screening";

// The objective observer of lib/screening/simulated-observer.ts looks at the rendered pixels —
// what the page draws — through Machado et al.'s (2009) dichromat simulation, an independent
// model of dichromacy, and reads a figure when its chromatic contrast reaches one JND (Δu′v′ 0.004).
describe("simulated observers on the screening plates", () => {
  const visions: readonly ObserverVision[] = ["normal", ...CONFUSION_AXES];
  const sessions = [11, 12].map((seed) => generateColourScreening(seed));
  const contrastOfFigure = new Map<string, number[]>();
  const answersBy = new Map<ObserverVision, string[][]>();
  beforeAll(() => {
    for (const vision of visions) answersBy.set(vision, []);
    for (const plates of sessions) {
      for (const vision of visions) answersBy.get(vision)!.push([]);
      for (const plate of plates) {
        const image = renderPlate(plate);
        for (const vision of visions) {
          const judgement = judgePlate(plate, image, vision);
          answersBy.get(vision)!.at(-1)!.push(judgement.answer);
          const key = `${plate.axis} plate, ${vision} observer`;
          contrastOfFigure.set(key, [...(contrastOfFigure.get(key) ?? []), judgement.contrasts.get(plate.figure)!]);
        }
      }
    }
  });

  it("prints the figure contrast each observer keeps, per plate axis", () => {
    const lines = [...contrastOfFigure].sort().map(([key, values]) => `${key}: Δu′v′ ${Math.min(...values).toFixed(4)}–${Math.max(...values).toFixed(4)}`);
    console.log(`figure contrast (threshold ${READABLE_CONTRAST}):\n${lines.join("\n")}`);
    expect(lines).toHaveLength(16);
  });

  it("normal vision reads every plate", () => {
    sessions.forEach((plates, s) => {
      expect(answersBy.get("normal")![s]).toEqual(plates.map((plate) => plate.figure));
      expect(scoreColourScreening(plates, plates.map((plate) => plate.figure)).passed).toBe(true);
    });
  });

  it("each dichromat sees nothing on its own axis, reads the other axes and the control plate", () => {
    for (const axis of CONFUSION_AXES) {
      sessions.forEach((plates, s) => {
        const answers = answersBy.get(axis)![s]!;
        plates.forEach((plate, index) => {
          expect(answers[index], `${axis} observer on a ${plate.axis} plate`).toBe(plate.axis === axis ? NO_FIGURE : plate.figure);
        });
        const outcome = scoreColourScreening(plates, answers as never);
        expect(outcome.passed).toBe(false);
        expect(outcome.failedAxes).toEqual([axis]);
        expect(outcome.controlFailed).toBe(false);
      });
    }
  });

  it("has a margin: own-axis contrast at most 2/3 of the threshold, other axes at least 1.5 times it", () => {
    for (const [key, values] of contrastOfFigure) {
      const [plateAxis, , vision] = key.split(/[ ,]+/);
      if (plateAxis === vision) expect(Math.max(...values), key).toBeLessThan((2 / 3) * READABLE_CONTRAST);
      else expect(Math.min(...values), key).toBeGreaterThan(1.5 * READABLE_CONTRAST);
    }
  });

  it("gives a dichromat no brightness cue on its own axis: figure and background dots are equally bright", () => {
    // Under the dichromat's own simulation the two colours are confusions; only the shared
    // intensity noise is left, so the mean luminance of figure and background dots differs by no
    // more than sampling error (|Welch t| < 4 on every plate).
    for (const plates of sessions) {
      for (const plate of plates) {
        if (plate.axis === "control") continue;
        const luminance = (onFigure: boolean) =>
          plate.dots
            .filter((dot) => dot.onFigure === onFigure)
            .map((dot) => relativeLuminance(simulateDichromat(plate.axis as (typeof CONFUSION_AXES)[number], [SRGB8_TO_LINEAR[dot.rgb[0]]!, SRGB8_TO_LINEAR[dot.rgb[1]]!, SRGB8_TO_LINEAR[dot.rgb[2]]!])));
        const moments = (values: number[]) => {
          const mean = values.reduce((a, b) => a + b, 0) / values.length;
          const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
          return { mean, variance, n: values.length };
        };
        const a = moments(luminance(true));
        const b = moments(luminance(false));
        const t = (a.mean - b.mean) / Math.sqrt(a.variance / a.n + b.variance / b.n);
        expect(Math.abs(t), `${plate.axis} plate`).toBeLessThan(4);
      }
    }
  });
});
