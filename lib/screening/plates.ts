import { SeededRandom, type Seed } from "../stats/seeded-random";
import {
  applyMatrix,
  LINEAR_SRGB_TO_LMS,
  LINEAR_SRGB_TO_XYZ,
  linearToSrgb8,
  LMS_TO_LINEAR_SRGB,
  uvPrime,
  type Vector3,
} from "./colour-science";
import { CONFUSION_AXES, type ConfusionAxis } from "./dichromat-simulation";
import { packDots, type Dot } from "./dot-packing";
import { figureKindOf, figuresOfKind, isOnFigure, type FigureKind, type FigureName, type FigurePlacement } from "./figures";
import { ScreeningError } from "./screening-error";

/**
 * What a plate tests: a dichromacy (`protan`, `deutan`, `tritan`: figure and background differ
 * only along that confusion line) or `control` (a difference every observer can see, so a wrong
 * answer means inattention or an unusable display, not a colour-vision deficiency).
 */
export type PlateAxis = ConfusionAxis | "control";

/** The answer meaning "I see no figure". */
export const NO_FIGURE = "none";
export type PlateAnswer = FigureName | typeof NO_FIGURE;

export interface PlateOption {
  readonly id: PlateAnswer;
  /** What the button says: the digit itself, the shape's name, or "Nothing". */
  readonly label: string;
}

/** A plate's dot, with its colour as 8-bit sRGB code values (what the page paints). */
export interface PlateDot extends Dot {
  readonly rgb: readonly [number, number, number];
  /** Whether the dot belongs to the figure (kept for tests and for checking a rendering). */
  readonly onFigure: boolean;
}

export interface ScreeningPlate {
  readonly axis: PlateAxis;
  readonly figure: FigureName;
  readonly placement: FigurePlacement;
  /** Options in the order the page shows them; exactly one is `figure`, the last is NO_FIGURE. */
  readonly options: readonly PlateOption[];
  /** Width and height of the square plate image, pixels. */
  readonly size: number;
  /** The colour between the dots (8-bit sRGB), a light neutral like the paper of a printed plate. */
  readonly gapRgb: readonly [number, number, number];
  readonly dots: readonly PlateDot[];
  /** Chromaticity distance Δu′v′ between figure and background colour for a normal observer. */
  readonly normalContrast: number;
}

export interface ColourScreeningOptions {
  /** Plates per dichromacy axis (protan, deutan, tritan); default 3. */
  readonly platesPerAxis?: number;
  /** Control plates (shown first); default 1. */
  readonly controlPlates?: number;
  /** Plate image size in pixels (CSS pixels on the page); default 320. */
  readonly size?: number;
  /** Which figures plates hide; default both digits and shapes. */
  readonly figures?: "digits" | "shapes" | "mixed";
}

/**
 * Background chromaticities the plates are built around, as linear sRGB: muted colours near the
 * middle of the gamut, so every confusion-line shift with its luminance noise stays displayable
 * (generatePlate checks it). Varying them keeps plates from looking alike without changing what
 * they test.
 */
export const PLATE_BASE_COLOURS: readonly Vector3[] = [
  [0.3, 0.2, 0.1], // ochre
  [0.2, 0.22, 0.08], // olive
  [0.2, 0.2, 0.2], // grey
  [0.28, 0.16, 0.16], // dusty rose
  [0.16, 0.22, 0.16], // sage
];

/**
 * Figure–background chromaticity distance Δu′v′ each axis is given for a normal observer. A
 * just-noticeable difference between large fields is about Δu′v′ = 0.004; red–green plates are
 * made clearly visible (about 9 of those); the tritan line is short inside the sRGB gamut (the
 * S cones see little of what a display can vary), so tritan plates are made less salient (3.5).
 * test/screening/simulated-observers.test.ts shows that each dichromat, simulated by an
 * independent model, keeps less than the threshold on its own axis and more on the others.
 */
export const AXIS_CONTRAST: Readonly<Record<PlateAxis, number>> = {
  protan: 0.05,
  deutan: 0.05,
  tritan: 0.014,
  control: 0.06,
};

/** Luminance noise: each dot's cone excitations are scaled by a factor uniform in 1 ± this. */
export const LUMINANCE_NOISE = 0.25;
/** Jitter of a dot's position along the confusion line, as a fraction of the figure–background step. */
export const LINE_JITTER = 0.2;

const STREAM_ORDER = 1;
const STREAM_PLATE = 2;

/** Unit shift in LMS for an axis: only the missing cone's excitation changes (a confusion line). */
function coneShift(axis: PlateAxis, base: Vector3): Vector3 {
  switch (axis) {
    case "protan":
      return [base[0], 0, 0];
    case "deutan":
      return [0, base[1], 0];
    case "tritan":
      return [0, 0, base[2]];
    case "control":
      // L and S together: a protanope or deuteranope still sees the S part, a tritanope the L part.
      return [base[0], 0, 3 * base[2]];
  }
}

function lmsToLinearRgb(lms: Vector3): [number, number, number] {
  return applyMatrix(LMS_TO_LINEAR_SRGB, lms);
}

function chromaticityDistance(a: Vector3, b: Vector3): number {
  const [ua, va] = uvPrime(applyMatrix(LINEAR_SRGB_TO_XYZ, a));
  const [ub, vb] = uvPrime(applyMatrix(LINEAR_SRGB_TO_XYZ, b));
  return Math.hypot(ua - ub, va - vb);
}

/** The step s along `shift` whose two ends c0 ∓ s/2·shift are `contrast` apart in u′v′ (bisection). */
function stepForContrast(baseLms: Vector3, shift: Vector3, contrast: number): number {
  const ends = (s: number): [Vector3, Vector3] => [
    lmsToLinearRgb([baseLms[0] - (s / 2) * shift[0], baseLms[1] - (s / 2) * shift[1], baseLms[2] - (s / 2) * shift[2]]),
    lmsToLinearRgb([baseLms[0] + (s / 2) * shift[0], baseLms[1] + (s / 2) * shift[1], baseLms[2] + (s / 2) * shift[2]]),
  ];
  let lo = 0;
  let hi = 1.5;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    const [a, b] = ends(mid);
    if (chromaticityDistance(a, b) < contrast) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function labelOf(answer: PlateAnswer): string {
  if (answer === NO_FIGURE) return "Nothing";
  return figureKindOf(answer) === "digit" ? answer : answer[0]!.toUpperCase() + answer.slice(1);
}

function shuffle<T>(items: readonly T[], rng: SeededRandom): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.nextBelow(i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * One pseudo-isochromatic plate. Dots of random size fill a disc; dots whose centre lies on the
 * figure's strokes take the figure colour, the others the background colour. The two colours sit
 * on one confusion line of `axis`, either side of a base colour drawn from PLATE_BASE_COLOURS: in LMS cone space
 * they differ only in the excitation of the cone the dichromat lacks, so for that dichromat they
 * are the same colour, while a normal observer sees them AXIS_CONTRAST[axis] apart in u′v′. Each
 * dot is also moved a little along the line (LINE_JITTER) and scaled in intensity (LUMINANCE_NOISE)
 * — the same scaling for figure and background dots, so brightness tells nobody where the figure
 * is, in particular not the luminance step that an L- or M-cone shift makes for a normal eye.
 *
 * @throws {ScreeningError} when a dot's colour would leave the sRGB gamut (a base colour too
 *   close to the gamut's edge), or for a size below 96 px.
 */
export function generatePlate(seed: Seed, index: number, axis: PlateAxis, figureKind: FigureKind, size = 320): ScreeningPlate {
  if (!Number.isInteger(size) || size < 96) throw new ScreeningError(`plate size must be an integer ≥ 96, got ${String(size)}`);
  const rng = new SeededRandom(seed, STREAM_PLATE, index);
  const candidates = figuresOfKind(figureKind);
  const figure = candidates[rng.nextBelow(candidates.length)] as FigureName;
  const distractors = shuffle(
    candidates.filter((name) => name !== figure),
    rng,
  ).slice(0, 3);
  const answers: PlateAnswer[] = [...shuffle([figure, ...distractors], rng), NO_FIGURE];
  const options: PlateOption[] = answers.map((id) => ({ id, label: labelOf(id) }));

  const baseRgb = PLATE_BASE_COLOURS[rng.nextBelow(PLATE_BASE_COLOURS.length)] as Vector3;
  const baseLms = applyMatrix(LINEAR_SRGB_TO_LMS, baseRgb);
  const shift = coneShift(axis, baseLms);
  const normalContrast = AXIS_CONTRAST[axis];
  const step = stepForContrast(baseLms, shift, normalContrast);

  const scale = size / 320;
  const centre = size / 2;
  const discRadius = size * 0.47;
  const placement: FigurePlacement = { cx: centre, cy: centre, height: discRadius * 1.25, strokeWidth: discRadius * 0.2 };
  const dots = packDots(rng, {
    cx: centre,
    cy: centre,
    discRadius,
    minDotRadius: 2.5 * scale,
    maxDotRadius: 7.5 * scale,
    gap: 1.2 * scale,
    attempts: 24000,
  });
  // Which end of the line the figure takes is random: an L or M shift also changes luminance for a
  // normal eye, and "the figure is the brighter (or darker) part" must not become a rule to learn.
  const figureSide = rng.nextFloat() < 0.5 ? -0.5 : 0.5;
  const plateDots = dots.map((dot): PlateDot => {
    const onFigure = isOnFigure(figure, placement, dot.x, dot.y);
    const along = (onFigure ? figureSide : -figureSide) + LINE_JITTER * (rng.nextFloat() - 0.5);
    const intensity = 1 + LUMINANCE_NOISE * (2 * rng.nextFloat() - 1);
    const lms: Vector3 = [
      intensity * (baseLms[0] + along * step * shift[0]),
      intensity * (baseLms[1] + along * step * shift[1]),
      intensity * (baseLms[2] + along * step * shift[2]),
    ];
    const linear = lmsToLinearRgb(lms);
    if (linear.some((channel) => channel < 0 || channel > 1)) {
      throw new ScreeningError(`plate ${index}: a ${axis} dot leaves the sRGB gamut (base ${baseRgb.join(", ")})`);
    }
    return { ...dot, onFigure, rgb: [linearToSrgb8(linear[0]), linearToSrgb8(linear[1]), linearToSrgb8(linear[2])] };
  });
  return { axis, figure, placement, options, size, gapRgb: [242, 240, 236], dots: plateDots, normalContrast };
}

/**
 * The plates of one rater's colour-vision screening, generated afresh from a seed (the session's),
 * never stored as images: the control plate(s) first, then `platesPerAxis` plates of each
 * dichromacy axis in random order. The same seed gives the same plates, so a session's plates
 * can be regenerated to audit an answer.
 *
 * @example
 * const plates = generateColourScreening(42);
 * plates.length; // 10 (1 control + 3 × protan, deutan, tritan)
 */
export function generateColourScreening(seed: Seed, options: ColourScreeningOptions = {}): ScreeningPlate[] {
  const platesPerAxis = options.platesPerAxis ?? 3;
  const controlPlates = options.controlPlates ?? 1;
  const figures = options.figures ?? "mixed";
  if (!Number.isInteger(platesPerAxis) || platesPerAxis < 1) throw new ScreeningError("platesPerAxis must be an integer ≥ 1");
  if (!Number.isInteger(controlPlates) || controlPlates < 0) throw new ScreeningError("controlPlates must be an integer ≥ 0");
  const rng = new SeededRandom(seed, STREAM_ORDER);
  const tested = shuffle(
    CONFUSION_AXES.flatMap((axis) => Array.from({ length: platesPerAxis }, () => axis)),
    rng,
  );
  const axes: PlateAxis[] = [...Array.from({ length: controlPlates }, (): PlateAxis => "control"), ...tested];
  return axes.map((axis, index) => {
    const kind: FigureKind = figures === "digits" ? "digit" : figures === "shapes" ? "shape" : rng.nextBelow(3) === 0 ? "shape" : "digit";
    return generatePlate(seed, index, axis, kind, options.size);
  });
}
