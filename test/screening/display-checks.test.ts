import { singleImageFits } from "@/lib/rater-client/single-image-layout";
import { describe, expect, it } from "vitest";
import {
  applyMatrix,
  checkWindowSize,
  DISPLAY_CHECK_KINDS,
  generateDisplayChecks,
  LINEAR_SRGB_TO_XYZ,
  luminanceOf,
  renderDisplayCheck,
  scoreDisplayChecks,
  ScreeningError,
  SRGB8_TO_LINEAR,
  uvPrime,
} from "@/lib/screening";

describe("generateDisplayChecks", () => {
  it("makes one check of each kind, three tiles alike and one odd, reproducibly from the seed", () => {
    const checks = generateDisplayChecks(99);
    expect(checks.map((c) => c.kind)).toEqual(DISPLAY_CHECK_KINDS);
    expect(generateDisplayChecks(99)).toEqual(checks);
    for (const item of checks) {
      const odd = item.tiles[item.oddTile]!;
      const others = item.tiles.filter((_, index) => index !== item.oddTile);
      for (const tile of others) expect(tile).toEqual(others[0]);
      expect(odd).not.toEqual(others[0]);
    }
    const positions = new Set(Array.from({ length: 40 }, (_, seed) => generateDisplayChecks(seed)[0]!.oddTile));
    expect(positions).toEqual(new Set([0, 1, 2, 3]));
  });

  it("uses a dark step of code 14 on black and a light step of 240 on white", () => {
    const [dark, light] = generateDisplayChecks(1);
    expect(dark!.backgroundRgb).toEqual([0, 0, 0]);
    expect(dark!.tiles[dark!.oddTile]).toEqual([14, 14, 14]);
    expect(light!.backgroundRgb).toEqual([255, 255, 255]);
    expect(light!.tiles[light!.oddTile]).toEqual([240, 240, 240]);
  });

  it("separates saturated from half-saturated tiles by colour alone (same luminance, half the chroma)", () => {
    const white = uvPrime(applyMatrix(LINEAR_SRGB_TO_XYZ, [1, 1, 1]));
    for (const item of generateDisplayChecks(5).slice(2)) {
      const odd = item.tiles[item.oddTile]!;
      const full = item.tiles[(item.oddTile + 1) % 4]!;
      // Same luminance to 8-bit rounding: a grayscale screen shows both as the same grey.
      expect(Math.abs(luminanceOf(odd) / luminanceOf(full) - 1)).toBeLessThan(0.02);
      const chroma = (rgb: readonly number[]) => {
        const [u, v] = uvPrime(applyMatrix(LINEAR_SRGB_TO_XYZ, [SRGB8_TO_LINEAR[rgb[0]!]!, SRGB8_TO_LINEAR[rgb[1]!]!, SRGB8_TO_LINEAR[rgb[2]!]!]));
        return Math.hypot(u - white[0], v - white[1]);
      };
      // Mixing ½ primary with ½ its luminance in grey: the u′v′ distance from white drops a lot
      // (not exactly half: u′v′ is a projective, not linear, function of the mixture).
      expect(chroma(odd)).toBeLessThan(0.75 * chroma(full));
      expect(chroma(full) - chroma(odd)).toBeGreaterThan(0.05);
    }
  });
});

describe("scoreDisplayChecks and renderDisplayCheck", () => {
  it("passes only when every odd tile is found", () => {
    const checks = generateDisplayChecks(3);
    const right = checks.map((c) => c.oddTile);
    expect(scoreDisplayChecks(checks, right)).toEqual({ passed: true, failed: [] });
    const wrong = right.slice() as (number | null)[];
    wrong[0] = null;
    wrong[3] = ((right[3]! + 1) % 4);
    expect(scoreDisplayChecks(checks, wrong)).toEqual({ passed: false, failed: ["dark-step", "saturated-green"] });
    expect(() => scoreDisplayChecks(checks, right.slice(1))).toThrow(ScreeningError);
  });

  it("draws the tiles in a 2×2 grid on the background", () => {
    const item = generateDisplayChecks(8)[0]!;
    const image = renderDisplayCheck(item, 10, 4); // 2·10 + 3·4 = 32 px square
    expect(image.width).toBe(32);
    const at = (i: number, j: number) => [...image.data.subarray(4 * (j * 32 + i), 4 * (j * 32 + i) + 3)];
    expect(at(0, 0)).toEqual([...item.backgroundRgb]);
    const centres = [[9, 9], [23, 9], [9, 23], [23, 23]] as const;
    centres.forEach(([i, j], index) => expect(at(i, j)).toEqual([...item.tiles[index]!]));
  });
});

describe("checkWindowSize", () => {
  it("needs room for the photos at full size, paired or single", () => {
    // Spacing of the trial stage: padding 8, gap 12, label 24, header 40, answer row 56.
    // Paired, 256 px: side by side 2·256 + 12 + 16 = 540 × (40 + 56 + 16 + 24 + 256) = 392;
    // stacked 24 + 256 + 16 = 296 × (40 + 56 + 16 + 512 + 12) = 636. Single, as the single-image
    // stage waits for it (singleImageNeed: no label, a 12 px gap above the answer row): 272 × 380.
    expect(checkWindowSize({ width: 1280, height: 720 }, 256, "paired").fits).toBe(true);
    const small = checkWindowSize({ width: 500, height: 500 }, 256, "paired");
    expect(small.fits).toBe(false);
    expect(small.needs.map((n) => [n.minWidth, n.minHeight])).toEqual([[296, 636], [540, 392]]);
    expect(checkWindowSize({ width: 500, height: 500 }, 256, "single")).toEqual({
      fits: true,
      needs: [{ kind: "column", minWidth: 272, minHeight: 380 }],
    });
    expect(checkWindowSize({ width: 271, height: 900 }, 256, "single").fits).toBe(false);
    expect(checkWindowSize({ width: 272, height: 380 }, 256, "single").fits).toBe(singleImageFits({ width: 272, height: 380 }, 256));
    expect(checkWindowSize({ width: 272, height: 379 }, 256, "single").fits).toBe(false);
    expect(() => checkWindowSize({ width: 1, height: 1 }, 0, "single")).toThrow(ScreeningError);
  });
});
