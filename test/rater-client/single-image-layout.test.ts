import { describe, expect, it } from "vitest";
import { singleImageFits, singleImageNeed } from "@/lib/rater-client/single-image-layout";
import { chooseStimulusLayout } from "@/lib/rater-client/stimulus-layout";

describe("the window a single-image trial needs", () => {
  it("is the photo at full size with padding, the progress line and the answer row", () => {
    // 256 + 2·8 wide; 40 + 256 + 12 + 56 + 2·8 tall.
    expect(singleImageNeed(256)).toEqual({ minWidth: 272, minHeight: 380 });
    expect(singleImageFits({ width: 272, height: 380 }, 256)).toBe(true);
    expect(singleImageFits({ width: 271, height: 380 }, 256)).toBe(false);
    expect(singleImageFits({ width: 272, height: 379 }, 256)).toBe(false);
  });

  it("fits windows too small for a pair: a 500×400 window holds one 256 px photo but not two", () => {
    const phone = { width: 500, height: 400 };
    expect(chooseStimulusLayout(phone, 256).kind).toBe("too-small");
    expect(singleImageFits(phone, 256)).toBe(true);
  });
});
