import { singleImageNeed } from "../rater-client/single-image-layout";
import { layoutNeeds, type LayoutNeed } from "../rater-client/stimulus-layout";
import { SeededRandom, type Seed } from "../stats/seeded-random";
import { linearToSrgb8, SRGB8_TO_LINEAR } from "./colour-science";
import type { RgbaImage } from "./render-plate";
import { ScreeningError } from "./screening-error";

// Quick checks that the rater's screen can show what the study needs: distinct dark steps (black
// not crushed), distinct light steps (white not clipped), saturated colours as colours (no
// grayscale or strongly reduced-gamut mode), and a window large enough for the photos at full size.

export type DisplayCheckKind = "dark-step" | "light-step" | "saturated-red" | "saturated-green" | "saturated-blue";

export const DISPLAY_CHECK_KINDS: readonly DisplayCheckKind[] = ["dark-step", "light-step", "saturated-red", "saturated-green", "saturated-blue"];

type Rgb8 = readonly [number, number, number];

/**
 * One check: four square tiles on a background, three alike and one different; the rater says
 * which one differs (four positions, so a guess passes one check in four).
 */
export interface DisplayCheck {
  readonly kind: DisplayCheckKind;
  readonly prompt: string;
  readonly backgroundRgb: Rgb8;
  /** The four tiles' colours (8-bit sRGB), in reading order: top left, top right, bottom left, bottom right. */
  readonly tiles: readonly [Rgb8, Rgb8, Rgb8, Rgb8];
  /** Index of the different tile, 0–3: the expected answer. */
  readonly oddTile: number;
}

/**
 * The dark step: a tile at sRGB code 14 on black (code 0). Display test charts (the Lagom LCD
 * black-level chart, for one) show steps 1–20 on black; on a usable display the step to ~14 is
 * plainly visible, while a screen that crushes blacks (or a room far too bright) merges it.
 */
export const DARK_STEP = { background: 0, odd: 14 } as const;
/** The light step: a tile at code 240 on white (255); clipped whites merge it. */
export const LIGHT_STEP = { background: 255, odd: 240 } as const;

/**
 * A saturated primary and a half-saturated colour of the same hue and the same luminance: in
 * linear sRGB, ½·primary + ½·Y_primary·(1, 1, 1). Nothing but saturation separates them, so a
 * screen in grayscale mode, or one whose colour is washed out, cannot tell them apart.
 */
function halfSaturated(primary: 0 | 1 | 2): Rgb8 {
  const luminanceWeights = [0.2126, 0.7152, 0.0722] as const;
  const grey = luminanceWeights[primary] * 0.5;
  const linear = [grey, grey, grey];
  linear[primary] = 0.5 + grey;
  return [linearToSrgb8(linear[0] as number), linearToSrgb8(linear[1] as number), linearToSrgb8(linear[2] as number)];
}

function primaryOf(kind: DisplayCheckKind): 0 | 1 | 2 {
  return kind === "saturated-red" ? 0 : kind === "saturated-green" ? 1 : 2;
}

function check(kind: DisplayCheckKind, oddTile: number): DisplayCheck {
  let backgroundRgb: Rgb8;
  let common: Rgb8;
  let odd: Rgb8;
  let prompt: string;
  if (kind === "dark-step") {
    backgroundRgb = [DARK_STEP.background, DARK_STEP.background, DARK_STEP.background];
    common = backgroundRgb;
    odd = [DARK_STEP.odd, DARK_STEP.odd, DARK_STEP.odd];
    prompt = "One of the four squares is a little lighter than the black around it. Which one?";
  } else if (kind === "light-step") {
    backgroundRgb = [LIGHT_STEP.background, LIGHT_STEP.background, LIGHT_STEP.background];
    common = backgroundRgb;
    odd = [LIGHT_STEP.odd, LIGHT_STEP.odd, LIGHT_STEP.odd];
    prompt = "One of the four squares is a little darker than the white around it. Which one?";
  } else {
    const primary = primaryOf(kind);
    backgroundRgb = [128, 128, 128];
    const full: [number, number, number] = [0, 0, 0];
    full[primary] = 255;
    common = full;
    odd = halfSaturated(primary);
    prompt = "One of the four squares is paler (less vivid) than the other three. Which one?";
  }
  const tiles = [0, 1, 2, 3].map((index) => (index === oddTile ? odd : common)) as [Rgb8, Rgb8, Rgb8, Rgb8];
  return { kind, prompt, backgroundRgb, tiles, oddTile };
}

/**
 * The display checks of one session, from its seed: one of each kind, the odd tile's position
 * drawn at random (so the expected answers cannot be learnt and shared).
 *
 * @example generateDisplayChecks(7).map((c) => c.kind); // ["dark-step", "light-step", "saturated-red", …]
 */
export function generateDisplayChecks(seed: Seed): DisplayCheck[] {
  const rng = new SeededRandom(seed, 3);
  return DISPLAY_CHECK_KINDS.map((kind) => check(kind, rng.nextBelow(4)));
}

export interface DisplayCheckOutcome {
  readonly passed: boolean;
  /** Kinds answered wrongly. */
  readonly failed: readonly DisplayCheckKind[];
}

/**
 * Scores the answers (tile indices, or null for "I can't see a difference"): every check must be
 * answered correctly — each is easy on a working display, and a guess passes only one in four.
 *
 * @throws {ScreeningError} when answers and checks differ in number.
 */
export function scoreDisplayChecks(checks: readonly DisplayCheck[], answers: readonly (number | null)[]): DisplayCheckOutcome {
  if (answers.length !== checks.length) throw new ScreeningError(`${answers.length} answers for ${checks.length} display checks`);
  const failed = checks.filter((item, index) => answers[index] !== item.oddTile).map((item) => item.kind);
  return { passed: failed.length === 0, failed };
}

/**
 * Draws a check: a (2·tile + 3·gap)² image, background everywhere, the four tiles in a 2×2 grid.
 */
export function renderDisplayCheck(item: Pick<DisplayCheck, "tiles" | "backgroundRgb">, tileSize = 96, gap = 16): RgbaImage {
  const size = 2 * tileSize + 3 * gap;
  const data = new Uint8ClampedArray(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const column = i < gap + tileSize && i >= gap ? 0 : i >= 2 * gap + tileSize && i < 2 * gap + 2 * tileSize ? 1 : -1;
      const row = j < gap + tileSize && j >= gap ? 0 : j >= 2 * gap + tileSize && j < 2 * gap + 2 * tileSize ? 1 : -1;
      const rgb = column >= 0 && row >= 0 ? item.tiles[row * 2 + column]! : item.backgroundRgb;
      const o = 4 * (j * size + i);
      data[o] = rgb[0];
      data[o + 1] = rgb[1];
      data[o + 2] = rgb[2];
      data[o + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

/** Relative luminance of an 8-bit sRGB colour (for tests and docs). */
export function luminanceOf(rgb: Rgb8): number {
  return 0.2126 * (SRGB8_TO_LINEAR[rgb[0]] as number) + 0.7152 * (SRGB8_TO_LINEAR[rgb[1]] as number) + 0.0722 * (SRGB8_TO_LINEAR[rgb[2]] as number);
}

/** How the study shows its photos: two side by side (the paired 2AFC design) or one at a time. */
export type StimulusPresentation = "paired" | "single";

export interface WindowSizeCheck {
  readonly fits: boolean;
  /** The layouts that would fit the photos at full size, smallest need first (what to ask for). */
  readonly needs: readonly LayoutNeed[];
}

/**
 * Whether a window (CSS px) is large enough to show the protocol's photos at `stimulusSize`
 * without scaling them: for paired trials, the side-by-side or the stacked layout of the trial
 * stage (lib/rater-client/stimulus-layout.ts, the same spacing); for single-image trials, one
 * photo with its label above and the answer row below.
 *
 * @example checkWindowSize({ width: 1280, height: 720 }, 256, "paired").fits; // true
 */
export function checkWindowSize(viewport: { width: number; height: number }, stimulusSize: number, presentation: StimulusPresentation): WindowSizeCheck {
  if (!Number.isInteger(stimulusSize) || stimulusSize < 1) throw new ScreeningError("stimulusSize must be a positive integer");
  // The same needs the rater page waits for (the paired stage's layouts, or the single-image stage's).
  const needs: LayoutNeed[] = presentation === "paired" ? layoutNeeds(stimulusSize) : [{ kind: "column", ...singleImageNeed(stimulusSize) }];
  const fits = needs.some((need) => viewport.width >= need.minWidth && viewport.height >= need.minHeight);
  return { fits, needs: needs.slice().sort((a, b) => a.minWidth * a.minHeight - b.minWidth * b.minHeight) };
}
