// The upload checks' thresholds on real photographs (the BSDS500 test stimuli of ../shared): every
// legitimate recolouring passes, every structural change is caught. Skipped when the shared images
// are absent (set COLORIZATION_STIMULI_DIR to point elsewhere).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { checkUploadedImage, decodeStimulus } from "@/lib/methods/checks";
import type { CheckedImage } from "@/lib/methods/checks";
import { grayBaseline, randomBaseline } from "@/lib/methods/baselines";
import { labToRgb8 } from "@/lib/model/color-space";

const STIMULI =
  process.env.COLORIZATION_STIMULI_DIR ??
  new URL("../../../shared/datasets/stimuli/bsds500-test", import.meta.url).pathname;
const available = existsSync(STIMULI);
const PHOTOS = 10;

const encode = (rgb: Uint8Array, image: CheckedImage) =>
  sharp(rgb, { raw: { width: image.width, height: image.height, channels: 3 } });

describe.skipIf(!available)(`upload checks on ${PHOTOS} BSDS500 photos (${STIMULI})`, () => {
  it("accepts recolourings and rejects shifted, blurred, rescaled and gray uploads", async () => {
    const files = readdirSync(STIMULI).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, PHOTOS);
    expect(files.length).toBe(PHOTOS);
    const photos = await Promise.all(files.map(async (f) => decodeStimulus(readFileSync(`${STIMULI}/${f}`))));
    const outcomes: string[] = [];
    for (let i = 0; i < photos.length; i++) {
      const photo = photos[i]!;
      const other = photos[(i + 1) % photos.length]!;
      const { width, height } = photo;
      const recoloured = labToRgb8(randomBaseline(photo, other).lab);
      const half = await encode(photo.rgb, photo).resize(Math.round(width / 2), Math.round(height / 2)).raw().toBuffer();
      const uploads: Array<[string, Buffer, string]> = [
        ["another photo's ab, JPEG q90", await encode(recoloured, photo).jpeg({ quality: 90 }).toBuffer(), "ok"],
        ["another photo's ab, PNG", await encode(recoloured, photo).png().toBuffer(), "ok"],
        [
          "shifted 2 px",
          await sharp(await encode(photo.rgb, photo).extend({ left: 2, extendWith: "copy" }).png().toBuffer())
            .extract({ left: 0, top: 0, width, height })
            .png()
            .toBuffer(),
          "luminance_mismatch",
        ],
        ["blurred σ = 2", await encode(photo.rgb, photo).blur(2).png().toBuffer(), "luminance_mismatch"],
        [
          "half resolution",
          await sharp(half, { raw: { width: Math.round(width / 2), height: Math.round(height / 2), channels: 3 } })
            .png()
            .toBuffer(),
          "size_mismatch",
        ],
        ["gray", await encode(labToRgb8(grayBaseline(photo).lab), photo).jpeg({ quality: 90 }).toBuffer(), "no_colour"],
      ];
      for (const [what, bytes, expected] of uploads) {
        const result = await checkUploadedImage(photo, bytes);
        const got = result.ok ? "ok" : result.reason;
        if (got !== expected) outcomes.push(`${files[i]} ${what}: expected ${expected}, got ${got} ${JSON.stringify(result.stats)}`);
      }
    }
    expect(outcomes).toEqual([]);
  });
});
