import { describe, expect, it } from "vitest";
import { generateColourScreening, NO_FIGURE, scoreColourScreening, ScreeningError, type PlateAnswer } from "@/lib/screening";

describe("scoreColourScreening", () => {
  const plates = generateColourScreening(77);
  const correct = plates.map((plate) => plate.figure as PlateAnswer);

  it("forgives one miss per axis, fails an axis at two, and fails on a wrong control answer", () => {
    const firstProtan = plates.findIndex((plate) => plate.axis === "protan");
    const protans = plates.flatMap((plate, index) => (plate.axis === "protan" ? [index] : []));
    const oneMiss = correct.slice();
    oneMiss[firstProtan] = NO_FIGURE;
    expect(scoreColourScreening(plates, oneMiss)).toMatchObject({ passed: true, failedAxes: [], controlFailed: false });
    const twoMisses = oneMiss.slice();
    twoMisses[protans[1]!] = NO_FIGURE;
    const outcome = scoreColourScreening(plates, twoMisses);
    expect(outcome).toMatchObject({ passed: false, failedAxes: ["protan"], controlFailed: false });
    expect(outcome.perAxis.protan).toEqual({ shown: 3, correct: 1 });
    expect(scoreColourScreening(plates, oneMiss, { maxMissesPerAxis: 0 }).failedAxes).toEqual(["protan"]);
    const controlWrong = correct.slice();
    controlWrong[0] = NO_FIGURE;
    expect(scoreColourScreening(plates, controlWrong)).toMatchObject({ passed: false, failedAxes: [], controlFailed: true });
  });

  it("rejects an answer list of the wrong length", () => {
    expect(() => scoreColourScreening(plates, correct.slice(1))).toThrow(ScreeningError);
  });
});
