import type { PlateDrawing } from "./plate-view";

/** An RGBA image, 8 bits per channel, rows top to bottom — the layout of a canvas ImageData. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/**
 * Draws a plate into an RGBA pixel buffer: the gap colour everywhere, then each dot as a filled
 * circle (a pixel belongs to a dot when its centre lies inside). No anti-aliasing: every pixel
 * has exactly its dot's colour, so what the page shows (`putImageData`) is what tests analyse.
 */
export function renderPlate(plate: Pick<PlateDrawing, "size" | "gapRgb" | "dots">): RgbaImage {
  const { size } = plate;
  const data = new Uint8ClampedArray(size * size * 4);
  const [gr, gg, gb] = plate.gapRgb;
  for (let p = 0; p < size * size; p++) {
    data[4 * p] = gr;
    data[4 * p + 1] = gg;
    data[4 * p + 2] = gb;
    data[4 * p + 3] = 255;
  }
  for (const dot of plate.dots) {
    const [r, g, b] = dot.rgb;
    const top = Math.max(0, Math.floor(dot.y - dot.r));
    const bottom = Math.min(size - 1, Math.ceil(dot.y + dot.r));
    const left = Math.max(0, Math.floor(dot.x - dot.r));
    const right = Math.min(size - 1, Math.ceil(dot.x + dot.r));
    const r2 = dot.r * dot.r;
    for (let j = top; j <= bottom; j++) {
      const dy = j + 0.5 - dot.y;
      for (let i = left; i <= right; i++) {
        const dx = i + 0.5 - dot.x;
        if (dx * dx + dy * dy > r2) continue;
        const o = 4 * (j * size + i);
        data[o] = r;
        data[o + 1] = g;
        data[o + 2] = b;
      }
    }
  }
  return { width: size, height: size, data };
}
