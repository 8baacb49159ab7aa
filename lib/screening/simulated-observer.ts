import { applyMatrix, LINEAR_SRGB_TO_XYZ, SRGB8_TO_LINEAR } from "./colour-science";
import { MACHADO_2009_DICHROMAT, type ConfusionAxis } from "./dichromat-simulation";
import { figureMask, isFigureName, type FigureName } from "./figures";
import type { PlateDrawing } from "./plate-view";
import { NO_FIGURE, type PlateAnswer } from "./plates";
import type { RgbaImage } from "./render-plate";

/** Normal trichromatic vision, or a dichromacy simulated with Machado et al. (2009). */
export type ObserverVision = "normal" | ConfusionAxis;

/**
 * Chromaticity difference an observer needs to read a figure: Δu′v′ = 0.004, about one
 * just-noticeable difference between large uniform fields (the order of MacAdam's 1942
 * discrimination ellipses, and the tolerance colour-matching practice uses for Δu′v′).
 */
export const READABLE_CONTRAST = 0.004;

// The option masks depend only on the plate, not on the observer: computed once per plate.
const maskCache = new WeakMap<PlateDrawing, Map<FigureName, Uint8Array>>();

function optionMask(plate: PlateDrawing, name: FigureName, width: number, height: number): Uint8Array {
  let masks = maskCache.get(plate);
  if (masks === undefined) {
    masks = new Map();
    maskCache.set(plate, masks);
  }
  let mask = masks.get(name);
  if (mask === undefined || mask.length !== width * height) {
    mask = figureMask(name, plate.placement, width, height);
    masks.set(name, mask);
  }
  return mask;
}

export interface ObserverJudgement {
  readonly answer: PlateAnswer;
  /** Per figure option: |mean u′v′ on the figure's strokes − mean u′v′ elsewhere on the dots|. */
  readonly contrasts: ReadonlyMap<FigureName, number>;
}

/**
 * An objective observer of a rendered plate. It sees the image through `vision` (the pixels'
 * linear sRGB passed through Machado's dichromat matrix, or unchanged), takes each dot pixel's
 * u′v′ chromaticity — which ignores luminance, so the plate's brightness noise is no help — and,
 * for each figure offered as an answer, compares the mean chromaticity of the dot pixels under
 * that figure's strokes with the mean over the other dot pixels. It answers the figure with the
 * largest contrast if that contrast reaches `threshold`, and "Nothing" otherwise: an ideal
 * template matcher limited only by a chromatic discrimination threshold. It needs the plate's
 * drawing only (placement and options), not its answer, so it can judge what a page drew.
 */
export function judgePlate(plate: PlateDrawing, image: RgbaImage, vision: ObserverVision, threshold = READABLE_CONTRAST): ObserverJudgement {
  const { width, height, data } = image;
  const pixels = width * height;
  const u = new Float64Array(pixels);
  const v = new Float64Array(pixels);
  const dotted = new Uint8Array(pixels);
  const matrix = vision === "normal" ? null : MACHADO_2009_DICHROMAT[vision];
  const [gr, gg, gb] = plate.gapRgb;
  for (let p = 0; p < pixels; p++) {
    const r8 = data[4 * p] as number;
    const g8 = data[4 * p + 1] as number;
    const b8 = data[4 * p + 2] as number;
    if (r8 === gr && g8 === gg && b8 === gb) continue;
    let rgb: [number, number, number] = [SRGB8_TO_LINEAR[r8] as number, SRGB8_TO_LINEAR[g8] as number, SRGB8_TO_LINEAR[b8] as number];
    if (matrix !== null) {
      rgb = applyMatrix(matrix, rgb).map((c) => (c < 0 ? 0 : c > 1 ? 1 : c)) as [number, number, number];
    }
    const [x, y, z] = applyMatrix(LINEAR_SRGB_TO_XYZ, rgb);
    const denominator = x + 15 * y + 3 * z;
    if (!(denominator > 0)) continue;
    u[p] = (4 * x) / denominator;
    v[p] = (9 * y) / denominator;
    dotted[p] = 1;
  }
  const contrasts = new Map<FigureName, number>();
  let best: FigureName | null = null;
  let bestContrast = -Infinity;
  for (const option of plate.options) {
    if (option.id === NO_FIGURE || !isFigureName(option.id)) continue;
    const mask = optionMask(plate, option.id, width, height);
    let inside = 0;
    let insideU = 0;
    let insideV = 0;
    let outside = 0;
    let outsideU = 0;
    let outsideV = 0;
    for (let p = 0; p < pixels; p++) {
      if (dotted[p] === 0) continue;
      if (mask[p] === 1) {
        inside++;
        insideU += u[p] as number;
        insideV += v[p] as number;
      } else {
        outside++;
        outsideU += u[p] as number;
        outsideV += v[p] as number;
      }
    }
    const contrast = inside === 0 || outside === 0 ? 0 : Math.hypot(insideU / inside - outsideU / outside, insideV / inside - outsideV / outside);
    contrasts.set(option.id, contrast);
    if (contrast > bestContrast) {
      bestContrast = contrast;
      best = option.id;
    }
  }
  return { answer: best !== null && bestContrast >= threshold ? best : NO_FIGURE, contrasts };
}
