import { describe, expect, it } from "vitest";
import { chooseStimulusLayout, layoutNeeds, sideWords } from "@/lib/rater-client/stimulus-layout";

describe("layoutNeeds", () => {
  // Hand computation with padding 8, gap 12, label 24, header 40, answer row 56 and 256 px photos:
  // row 2·256 + 12 + 2·8 = 540 wide, 40 + 56 + 16 + 24 + 256 = 392 high;
  // column 24 + 256 + 16 = 296 wide, 40 + 56 + 16 + 2·256 + 12 = 636 high.
  it("computes the smallest viewport for each layout", () => {
    expect(layoutNeeds(256)).toEqual([
      { kind: "row", minWidth: 540, minHeight: 392 },
      { kind: "column", minWidth: 296, minHeight: 636 },
    ]);
  });
});

describe("chooseStimulusLayout", () => {
  it("puts the photos side by side where they fit, else stacks them", () => {
    expect(chooseStimulusLayout({ width: 1280, height: 720 }, 256)).toEqual({ kind: "row" });
    expect(chooseStimulusLayout({ width: 540, height: 392 }, 256)).toEqual({ kind: "row" });
    expect(chooseStimulusLayout({ width: 540, height: 391 }, 256)).toEqual({ kind: "too-small", needs: layoutNeeds(256) });
    expect(chooseStimulusLayout({ width: 539, height: 900 }, 256)).toEqual({ kind: "column" });
    expect(chooseStimulusLayout({ width: 390, height: 664 }, 256)).toEqual({ kind: "column" });
    expect(chooseStimulusLayout({ width: 360, height: 640 }, 256)).toEqual({ kind: "column" });
  });

  it("never shrinks the photos: a window too small for both layouts is too small", () => {
    // A 360×640 phone with its browser's toolbars: 560 px of viewport left.
    const tooSmall = chooseStimulusLayout({ width: 360, height: 560 }, 256);
    expect(tooSmall.kind).toBe("too-small");
    // Landscape phone: wide enough for a row but 300 px high.
    expect(chooseStimulusLayout({ width: 740, height: 300 }, 256).kind).toBe("too-small");
    // The same phone passes for a study with 128 px stimuli (row: 284 × 264).
    expect(chooseStimulusLayout({ width: 360, height: 560 }, 128)).toEqual({ kind: "row" });
  });
});

describe("side words", () => {
  it("says left and right side by side, top and bottom when stacked, with the matching arrow keys", () => {
    expect(sideWords("row")).toEqual({
      left: { name: "Left", word: "left", key: "ArrowLeft", arrow: "←" },
      right: { name: "Right", word: "right", key: "ArrowRight", arrow: "→" },
    });
    expect(sideWords("column")).toEqual({
      left: { name: "Top", word: "top", key: "ArrowUp", arrow: "↑" },
      right: { name: "Bottom", word: "bottom", key: "ArrowDown", arrow: "↓" },
    });
  });
});
