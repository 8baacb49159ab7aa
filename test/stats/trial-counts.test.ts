import { describe, expect, it } from "vitest";
import { countCells, countTrials, StatsError } from "@/lib/stats";

describe("countTrials", () => {
  it("aggregates trials per rater and per (rater, image) cell, dropping raters without trials", () => {
    // Rater 0: image 5 twice (1 fooled), image 1 once (fooled); rater 1: none; rater 3: image 5 (not fooled).
    const counts = countTrials({
      rater: Int32Array.of(0, 3, 0, 0),
      image: Int32Array.of(5, 5, 1, 5),
      fooled: Uint8Array.of(1, 0, 1, 0),
    });
    expect(counts.raters).toBe(2);
    expect(counts.images).toBe(2);
    expect(counts.trials).toBe(4);
    expect(counts.fooled).toBe(2);
    expect(Array.from(counts.raterIds)).toEqual([0, 3]);
    expect(Array.from(counts.raterTrials)).toEqual([3, 1]);
    expect(Array.from(counts.raterFooled)).toEqual([2, 0]);
    expect(Array.from(counts.cellStart)).toEqual([0, 2, 3]);
    expect(Array.from(counts.cellImage)).toEqual([1, 5, 5]);
    expect(Array.from(counts.cellTrials)).toEqual([1, 2, 1]);
    expect(Array.from(counts.cellFooled)).toEqual([1, 1, 0]);
  });

  it("throws for no trials, mismatched columns, negative indices and non-binary outcomes", () => {
    const empty = { rater: new Int32Array(0), image: new Int32Array(0), fooled: new Uint8Array(0) };
    expect(() => countTrials(empty)).toThrow(expect.objectContaining({ code: "no-data" }));
    expect(() => countTrials({ rater: Int32Array.of(0), image: Int32Array.of(0, 1), fooled: Uint8Array.of(0) })).toThrow(
      StatsError,
    );
    expect(() => countTrials({ rater: Int32Array.of(-1), image: Int32Array.of(0), fooled: Uint8Array.of(0) })).toThrow(
      StatsError,
    );
    expect(() => countTrials({ rater: Int32Array.of(0), image: Int32Array.of(0), fooled: Uint8Array.of(2) })).toThrow(
      StatsError,
    );
  });
});

describe("countCells", () => {
  it("merges duplicate cells and agrees with countTrials on the same data", () => {
    const fromCells = countCells({
      rater: Int32Array.of(2, 0, 2),
      image: Int32Array.of(4, 4, 4),
      trials: Int32Array.of(3, 2, 1),
      fooled: Int32Array.of(1, 2, 1),
    });
    const fromTrials = countTrials({
      rater: Int32Array.of(2, 2, 2, 0, 0, 2),
      image: Int32Array.of(4, 4, 4, 4, 4, 4),
      fooled: Uint8Array.of(1, 0, 0, 1, 1, 1),
    });
    expect(fromCells).toEqual(fromTrials);
    expect(Array.from(fromCells.cellTrials)).toEqual([2, 4]);
  });

  it("rejects cells with no trials or more fooled than trials", () => {
    const cell = (trials: number, fooled: number) => ({
      rater: Int32Array.of(0),
      image: Int32Array.of(0),
      trials: Int32Array.of(trials),
      fooled: Int32Array.of(fooled),
    });
    expect(() => countCells(cell(0, 0))).toThrow(StatsError);
    expect(() => countCells(cell(2, 3))).toThrow(StatsError);
  });
});
