/**
 * Where the two photos go on the rater's screen. Stimuli are always shown at the protocol's
 * `stimulusSize` in CSS pixels (256 in the paper), never scaled down to fit: the paper's raters
 * saw 256×256 images, and a fool rate measured on thumbnails would not be comparable. On a
 * high-density display (devicePixelRatio > 1) the browser enlarges each image by that ratio in
 * device pixels — the same for the real photo and the colorization, so neither is favoured; the
 * ratio is recorded with the session (`screen.devicePixelRatio`).
 *
 * - `row`: the two side by side, labels above (desktops, tablets, phones in landscape if tall enough);
 * - `column`: stacked, the first ("left") photo on top, labels beside them (phones in portrait);
 * - `too-small`: neither fits; the page asks for a larger window instead of shrinking the photos.
 */

/** Spacing the stage uses around the photos (CSS px); the stage's markup uses the same numbers. */
export const STAGE_SPACING = {
  /** Padding around the stage on each side. */
  paddingPx: 8,
  /** Between the two photos. */
  gapPx: 12,
  /** Label strip: its height above a photo (row) or its width beside one (column). */
  labelPx: 24,
  /** The progress line above the stage. */
  headerPx: 40,
  /** The row of answer buttons below the photos (44 px touch targets plus margin). */
  answerRowPx: 56,
} as const;

export type StimulusLayoutKind = "row" | "column";

export interface SideWords {
  /** "Left" / "Top": labels, placeholders and buttons. */
  name: string;
  /** "left" / "top": in sentences. */
  word: string;
  /** The arrow key that chooses this side, and its glyph. */
  key: "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown";
  arrow: string;
}

/**
 * What the rater is told about the two sides in a layout: side by side they are left and right;
 * stacked (phones in portrait) the first is on top, the second at the bottom, so every label,
 * button, key and message says top and bottom. The API keeps "left"/"right" for first/second.
 */
export function sideWords(kind: StimulusLayoutKind): { left: SideWords; right: SideWords } {
  return kind === "row"
    ? { left: { name: "Left", word: "left", key: "ArrowLeft", arrow: "←" }, right: { name: "Right", word: "right", key: "ArrowRight", arrow: "→" } }
    : { left: { name: "Top", word: "top", key: "ArrowUp", arrow: "↑" }, right: { name: "Bottom", word: "bottom", key: "ArrowDown", arrow: "↓" } };
}

export interface LayoutNeed {
  kind: StimulusLayoutKind;
  minWidth: number;
  minHeight: number;
}

export type StimulusLayout = { kind: StimulusLayoutKind } | { kind: "too-small"; needs: LayoutNeed[] };

/** The smallest viewport (CSS px) each layout needs for photos of `stimulusSize` px. */
export function layoutNeeds(stimulusSize: number, spacing = STAGE_SPACING): LayoutNeed[] {
  const { paddingPx, gapPx, labelPx, headerPx, answerRowPx } = spacing;
  const chrome = headerPx + answerRowPx + 2 * paddingPx;
  return [
    { kind: "row", minWidth: 2 * stimulusSize + gapPx + 2 * paddingPx, minHeight: chrome + labelPx + stimulusSize },
    { kind: "column", minWidth: labelPx + stimulusSize + 2 * paddingPx, minHeight: chrome + 2 * stimulusSize + gapPx },
  ];
}

/**
 * The layout for a viewport (`window.innerWidth`/`innerHeight`, CSS px): side by side when it
 * fits, else stacked, else too small (with what each layout would need, for the message).
 * @example chooseStimulusLayout({ width: 1280, height: 720 }, 256) // { kind: "row" }
 * @example chooseStimulusLayout({ width: 390, height: 664 }, 256) // { kind: "column" } (an iPhone 12–15 in portrait, Safari)
 */
export function chooseStimulusLayout(viewport: { width: number; height: number }, stimulusSize: number, spacing = STAGE_SPACING): StimulusLayout {
  const needs = layoutNeeds(stimulusSize, spacing);
  const fitting = needs.find((need) => viewport.width >= need.minWidth && viewport.height >= need.minHeight);
  return fitting ? { kind: fitting.kind } : { kind: "too-small", needs };
}
