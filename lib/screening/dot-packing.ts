import type { SeededRandom } from "../stats/seeded-random";

/** One dot of a plate: centre (x, y) and radius r, in plate pixels. */
export interface Dot {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

export interface DotPackingOptions {
  /** Centre and radius of the disc the dots fill. */
  readonly cx: number;
  readonly cy: number;
  readonly discRadius: number;
  readonly minDotRadius: number;
  readonly maxDotRadius: number;
  /** Clear space between neighbouring dots, so each dot reads as a separate patch of colour. */
  readonly gap: number;
  /** Candidate dots tried; more fill the disc more densely. */
  readonly attempts: number;
}

/**
 * Dots of random size packed in a disc without overlap, by random sequential addition (Widom
 * 1966; the way Ishihara-style plate generators fill a plate): candidates with a uniformly random
 * centre and a random radius are kept when they touch no kept dot. The largest radius a candidate
 * may draw shrinks from `maxDotRadius` to `minDotRadius` over the attempts, so large dots settle
 * first and small ones fill the gaps between them. A uniform grid of cells ≥ the largest dot
 * diameter limits each overlap test to the 3×3 neighbouring cells.
 */
export function packDots(rng: SeededRandom, options: DotPackingOptions): Dot[] {
  const { cx, cy, discRadius, minDotRadius, maxDotRadius, gap, attempts } = options;
  const cellSize = 2 * maxDotRadius + gap;
  const columns = Math.ceil((2 * discRadius) / cellSize) + 1;
  const cells: Dot[][] = Array.from({ length: columns * columns }, () => []);
  const originX = cx - discRadius;
  const originY = cy - discRadius;
  const dots: Dot[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const upper = maxDotRadius - ((maxDotRadius - minDotRadius) * attempt) / attempts;
    const r = minDotRadius + (upper - minDotRadius) * rng.nextFloat();
    // A uniform point in the disc of radius discRadius − r (√u for a uniform area density).
    const reach = discRadius - r;
    const distance = reach * Math.sqrt(rng.nextFloat());
    const angle = 2 * Math.PI * rng.nextFloat();
    const x = cx + distance * Math.cos(angle);
    const y = cy + distance * Math.sin(angle);
    const column = Math.floor((x - originX) / cellSize);
    const row = Math.floor((y - originY) / cellSize);
    let free = true;
    for (let dj = -1; dj <= 1 && free; dj++) {
      for (let di = -1; di <= 1 && free; di++) {
        const c = column + di;
        const w = row + dj;
        if (c < 0 || w < 0 || c >= columns || w >= columns) continue;
        for (const other of cells[w * columns + c] as Dot[]) {
          const reachBoth = r + other.r + gap;
          const dx = other.x - x;
          const dy = other.y - y;
          if (dx * dx + dy * dy < reachBoth * reachBoth) {
            free = false;
            break;
          }
        }
      }
    }
    if (!free) continue;
    const dot = { x, y, r };
    dots.push(dot);
    (cells[row * columns + column] as Dot[]).push(dot);
  }
  return dots;
}
