import type { DisplayCheck } from "./display-checks";
import type { Dot } from "./dot-packing";
import type { FigurePlacement } from "./figures";
import type { ScreeningPlate } from "./plates";

// What the rater's page is given of a session's screening: enough to draw each plate and display
// check, nothing that names the right answer. The plate's axis and figure, and each dot's
// figure/background membership, stay on the server, which regenerates the plates from the
// session's seed to score the answers (lib/study/screening.ts).

/** A plate as drawn and as a template observer judges it: no axis, no figure, no dot membership. */
export interface PlateDrawing {
  readonly size: number;
  readonly gapRgb: readonly [number, number, number];
  readonly placement: FigurePlacement;
  readonly options: readonly { readonly id: string; readonly label: string }[];
  readonly dots: readonly (Dot & { readonly rgb: readonly [number, number, number] })[];
}

/** A plate in transit (fresh arrays, JSON-ready): the dots flattened to x, y, r, red, green, blue. */
export interface PlateWire {
  size: number;
  gapRgb: [number, number, number];
  placement: { cx: number; cy: number; height: number; strokeWidth: number };
  options: { id: string; label: string }[];
  dots: number[];
}

const DOT_FIELDS = 6;
const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The plate as the page receives it. Positions are rounded to 0.01 px: a pixel is painted when
 * its centre lies inside a dot, so the rounding can move at most a rim pixel, and the server
 * scores against the generated plate, never against a drawing.
 */
export function plateToWire(plate: ScreeningPlate): PlateWire {
  const dots: number[] = [];
  for (const dot of plate.dots) dots.push(round2(dot.x), round2(dot.y), round2(dot.r), dot.rgb[0], dot.rgb[1], dot.rgb[2]);
  return {
    size: plate.size,
    gapRgb: [plate.gapRgb[0], plate.gapRgb[1], plate.gapRgb[2]],
    placement: { cx: round2(plate.placement.cx), cy: round2(plate.placement.cy), height: round2(plate.placement.height), strokeWidth: round2(plate.placement.strokeWidth) },
    options: plate.options.map((option) => ({ id: option.id, label: option.label })),
    dots,
  };
}

/** The page's side: the wire form back to a drawable plate. */
export function plateFromWire(wire: Readonly<PlateWire>): PlateDrawing {
  const dots: (Dot & { rgb: [number, number, number] })[] = [];
  for (let k = 0; k + DOT_FIELDS <= wire.dots.length; k += DOT_FIELDS) {
    const [x, y, r, red, green, blue] = wire.dots.slice(k, k + DOT_FIELDS) as [number, number, number, number, number, number];
    dots.push({ x, y, r, rgb: [red, green, blue] });
  }
  return { size: wire.size, gapRgb: wire.gapRgb, placement: wire.placement, options: wire.options, dots };
}

type Rgb = [number, number, number];

/** A display check without its answer (the odd tile's index); the tiles show it to a working screen. */
export interface DisplayCheckDrawing {
  kind: DisplayCheck["kind"];
  prompt: string;
  backgroundRgb: Rgb;
  tiles: [Rgb, Rgb, Rgb, Rgb];
}

export function displayCheckToWire(check: DisplayCheck): DisplayCheckDrawing {
  const copy = (rgb: readonly [number, number, number]): Rgb => [rgb[0], rgb[1], rgb[2]];
  return { kind: check.kind, prompt: check.prompt, backgroundRgb: copy(check.backgroundRgb), tiles: [copy(check.tiles[0]), copy(check.tiles[1]), copy(check.tiles[2]), copy(check.tiles[3])] };
}
