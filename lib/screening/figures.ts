// The figures hidden in the plates: the ten digits and four outline shapes, drawn as thick strokes
// (the way Ishihara's plates draw numerals), so a plate only needs "is this point on the figure?".
// Coordinates: a unit glyph box, x in [−0.35, 0.35], y in [−0.5, 0.5], y pointing down (screen).

export type FigureKind = "digit" | "shape";

export const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;
export const SHAPES = ["circle", "square", "triangle", "cross"] as const;
export type Digit = (typeof DIGITS)[number];
export type Shape = (typeof SHAPES)[number];
export type FigureName = Digit | Shape;

/** A stroke: a polyline through these points. */
type Stroke = readonly (readonly [number, number])[];

/** Points of a circular arc, angles in degrees (0° = +x, 90° = down), `steps` segments. */
function arc(cx: number, cy: number, rx: number, ry: number, fromDeg: number, toDeg: number, steps = 24): Stroke {
  const points: [number, number][] = [];
  for (let k = 0; k <= steps; k++) {
    const angle = ((fromDeg + ((toDeg - fromDeg) * k) / steps) * Math.PI) / 180;
    points.push([cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)]);
  }
  return points;
}

function polygon(points: readonly (readonly [number, number])[]): Stroke {
  return [...points, points[0] as readonly [number, number]];
}

const FIGURE_STROKES: Readonly<Record<FigureName, readonly Stroke[]>> = {
  "0": [arc(0, 0, 0.26, 0.44, 0, 360, 48)],
  "1": [[[-0.13, -0.3], [0.03, -0.45], [0.03, 0.45]]],
  "2": [[...arc(0, -0.2, 0.25, 0.24, 190, 360 + 25), [-0.26, 0.45], [0.28, 0.45]]],
  "3": [arc(0, -0.24, 0.22, 0.2, 200, 450), arc(0, 0.2, 0.25, 0.25, 270, 520)],
  "4": [[[0.12, 0.46], [0.12, -0.45], [-0.29, 0.16], [0.32, 0.16]]],
  "5": [[[0.26, -0.44], [-0.18, -0.44], [-0.22, -0.04], ...arc(0, 0.17, 0.26, 0.27, 235, 510)]],
  "6": [[[0.2, -0.46], ...arc(0.28, 0.12, 0.54, 0.58, 235, 180, 10)], arc(0, 0.2, 0.25, 0.25, 0, 360, 36)],
  "7": [[[-0.27, -0.44], [0.28, -0.44], [-0.06, 0.46]]],
  "8": [arc(0, -0.25, 0.2, 0.19, 0, 360, 36), arc(0, 0.2, 0.25, 0.25, 0, 360, 36)],
  "9": [arc(0, -0.2, 0.25, 0.25, 0, 360, 36), [[0.25, -0.2], ...arc(-0.28, -0.12, 0.54, 0.58, 0, 55, 10)]],
  circle: [arc(0, 0, 0.42, 0.42, 0, 360, 48)],
  square: [polygon([[-0.36, -0.36], [0.36, -0.36], [0.36, 0.36], [-0.36, 0.36]])],
  triangle: [polygon([[0, -0.44], [0.44, 0.36], [-0.44, 0.36]])],
  cross: [[[0, -0.44], [0, 0.44]], [[-0.44, 0], [0.44, 0]]],
};

/** Whether a string (an option id from the page, say) names a figure. */
export function isFigureName(value: string): value is FigureName {
  return Object.hasOwn(FIGURE_STROKES, value);
}

export function figureKindOf(name: FigureName): FigureKind {
  return (DIGITS as readonly string[]).includes(name) ? "digit" : "shape";
}

export function figuresOfKind(kind: FigureKind): readonly FigureName[] {
  return kind === "digit" ? DIGITS : SHAPES;
}

/** Squared distance from (px, py) to the segment (ax, ay)–(bx, by). */
function segmentDistanceSquared(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
  const ex = px - (ax + t * dx);
  const ey = py - (ay + t * dy);
  return ex * ex + ey * ey;
}

/**
 * Where a figure lies on a plate: its glyph box is `height` pixels tall, centred at (cx, cy), and
 * its strokes are `strokeWidth` pixels wide.
 */
export interface FigurePlacement {
  readonly cx: number;
  readonly cy: number;
  readonly height: number;
  readonly strokeWidth: number;
}

/**
 * Whether the point (x, y) (plate pixels) lies on the figure's strokes.
 *
 * @example isOnFigure("1", { cx: 100, cy: 100, height: 100, strokeWidth: 12 }, 103, 100); // true
 */
export function isOnFigure(name: FigureName, placement: FigurePlacement, x: number, y: number): boolean {
  const u = (x - placement.cx) / placement.height;
  const v = (y - placement.cy) / placement.height;
  const half = placement.strokeWidth / 2 / placement.height;
  // Every glyph lies in the box |u| ≤ 0.5, |v| ≤ 0.5 (a cheap rejection before the strokes).
  if (Math.abs(u) > 0.5 + half || Math.abs(v) > 0.5 + half) return false;
  const limit = half * half;
  for (const stroke of FIGURE_STROKES[name]) {
    for (let k = 0; k + 1 < stroke.length; k++) {
      const a = stroke[k] as readonly [number, number];
      const b = stroke[k + 1] as readonly [number, number];
      if (segmentDistanceSquared(u, v, a[0], a[1], b[0], b[1]) <= limit) return true;
    }
  }
  return false;
}

/**
 * The figure as a pixel mask (1 on the strokes) of a width×height image; pixel (i, j) is tested
 * at its centre (i + ½, j + ½).
 */
export function figureMask(name: FigureName, placement: FigurePlacement, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) if (isOnFigure(name, placement, i + 0.5, j + 0.5)) mask[j * width + i] = 1;
  }
  return mask;
}
