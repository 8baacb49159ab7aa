/**
 * The paper's reference "methods" (Zhang, Isola, Efros 2016, Table 1 and §3.1), computed over Lab
 * images so that they go through the same render path as every other candidate:
 * - Ground truth: the real ab (a sanity check: AuC 100, fool rate ≈ 50%).
 * - Gray: ab = 0 everywhere (the paper's lower reference for AuC and classification).
 * - Random: the ab of another, randomly chosen stimulus, resized bilinearly to this one's size and
 *   joined with this stimulus' own L. The protocol uses it as the vigilance foil: "colours copied
 *   from a random other image", which raters called fake 87% of the time.
 *
 * All functions are pure: interleaved Lab Float32Arrays in ([L,a,b] per pixel, row-major, see
 * lib/model/color-space.ts), new arrays out; inputs are never modified.
 */
import { createHash } from "node:crypto";

/** An interleaved Lab image. Invariant: lab.length === 3 · width · height. */
export interface LabImage {
  width: number;
  height: number;
  lab: Float32Array;
}

function checkImage(image: LabImage, what: string): void {
  const { width, height, lab } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`${what}: width and height must be positive integers, got ${width}×${height}`);
  }
  if (lab.length !== 3 * width * height) {
    throw new RangeError(`${what}: ${lab.length} Lab values for ${width}×${height} (expected ${3 * width * height})`);
  }
}

/** Ground truth baseline: a copy of the real image's Lab. */
export function groundTruthBaseline(image: LabImage): LabImage {
  checkImage(image, "groundTruthBaseline");
  return { width: image.width, height: image.height, lab: image.lab.slice() };
}

/** Gray baseline: the real L with a = b = 0. */
export function grayBaseline(image: LabImage): LabImage {
  checkImage(image, "grayBaseline");
  const lab = new Float32Array(image.lab.length);
  for (let i = 0; i < lab.length; i += 3) lab[i] = image.lab[i]!;
  return { width: image.width, height: image.height, lab };
}

/**
 * Resize the ab channels of a Lab image bilinearly to width × height; returns interleaved ab
 * (2 values per pixel). Pixel centres are aligned (source x = (x + ½)·w/W − ½, clamped to the
 * edge), the convention of OpenCV `INTER_LINEAR`, PyTorch `align_corners=False` and libvips.
 */
export function resizeAbBilinear(source: LabImage, width: number, height: number): Float32Array {
  checkImage(source, "resizeAbBilinear");
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`resizeAbBilinear: target must be positive integers, got ${width}×${height}`);
  }
  const { width: w, height: h, lab } = source;
  const out = new Float32Array(2 * width * height);
  const sx = w / width;
  const sy = h / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const i00 = 3 * (y0 * w + x0), i01 = 3 * (y0 * w + x1);
      const i10 = 3 * (y1 * w + x0), i11 = 3 * (y1 * w + x1);
      const o = 2 * (y * width + x);
      for (let c = 1; c <= 2; c++) {
        const top = lab[i00 + c]! * (1 - wx) + lab[i01 + c]! * wx;
        const bottom = lab[i10 + c]! * (1 - wx) + lab[i11 + c]! * wx;
        out[o + c - 1] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/**
 * Random baseline: `target`'s own L with the ab of `source` resized bilinearly to target's size.
 * @throws RangeError when `source` is the very same array as `target` (the foil must differ)
 */
export function randomBaseline(target: LabImage, source: LabImage): LabImage {
  checkImage(target, "randomBaseline target");
  if (source.lab === target.lab) throw new RangeError("randomBaseline: the source must be another stimulus");
  const ab = resizeAbBilinear(source, target.width, target.height);
  const lab = new Float32Array(target.lab.length);
  for (let p = 0, i = 0; i < lab.length; p += 2, i += 3) {
    lab[i] = target.lab[i]!;
    lab[i + 1] = ab[p]!;
    lab[i + 2] = ab[p + 1]!;
  }
  return { width: target.width, height: target.height, lab };
}

/**
 * Choose the stimulus whose colours the Random baseline copies for `targetId`: uniform over the
 * other stimuli, determined by (seed, targetId) alone, so a study is reproducible and the choice does
 * not depend on the order of `stimulusIds` or on which other targets are drawn. Never the target
 * itself.
 *
 * The draw: the first 48 bits of SHA-256(`${seed}\u0000${targetId}`) modulo the number of other
 * stimuli, over the other ids sorted by code unit (modulo bias below 2⁻³⁴ for 10⁴ stimuli).
 *
 * @throws RangeError when there are duplicate ids or no other stimulus (a Random foil equal to the
 *   real image would make the vigilance trial unanswerable)
 * @example chooseRandomSource(["a", "b", "c"], "a", "study-42") // → "b" or "c", always the same one
 */
export function chooseRandomSource(stimulusIds: readonly string[], targetId: string, seed: string | number): string {
  const unique = new Set(stimulusIds);
  if (unique.size !== stimulusIds.length) throw new RangeError("chooseRandomSource: stimulus ids must be unique");
  const others = [...unique].filter((id) => id !== targetId).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  if (others.length === 0) {
    throw new RangeError("chooseRandomSource: the Random baseline needs at least one other stimulus");
  }
  const digest = createHash("sha256").update(`${String(seed)}\u0000${targetId}`, "utf8").digest();
  const index = digest.readUIntBE(0, 6) % others.length;
  return others[index]!;
}
