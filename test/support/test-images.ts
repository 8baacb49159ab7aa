import sharp from "sharp";
import { labToRgb8, rgb8ToLab } from "@/lib/model/color-space";

/**
 * A colourful test photo with structure (gradients, a disc and stripes), different per seed, so
 * that luminance checks and colour metrics have something to measure.
 */
export function syntheticRgb(width: number, height: number, seed: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const cx = width * (0.3 + 0.4 * ((seed * 0.37) % 1));
  const cy = height * (0.3 + 0.4 * ((seed * 0.61) % 1));
  const radius = Math.min(width, height) * 0.25;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < radius ** 2;
      const stripe = Math.floor((x + y + seed * 7) / 6) % 2 === 0;
      rgb[p] = inDisc ? 220 : Math.round((255 * x) / width);
      rgb[p + 1] = inDisc ? 60 + seed * 20 : Math.round((200 * y) / height) + (stripe ? 30 : 0);
      rgb[p + 2] = inDisc ? 40 : 150 - (stripe ? 60 : 0) + seed * 10;
    }
  }
  return rgb;
}

export async function encodeRgb(rgb: Uint8Array, width: number, height: number, format: "png" | "jpeg" = "png"): Promise<Buffer> {
  const image = sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } });
  return format === "png" ? image.png().toBuffer() : image.jpeg({ quality: 92 }).toBuffer();
}

export async function syntheticPhoto(width: number, height: number, seed: number, format: "png" | "jpeg" = "png"): Promise<Buffer> {
  return encodeRgb(syntheticRgb(width, height, seed), width, height, format);
}

/** The same L with other colours (ab halved and rotated): a legitimate recolouring. */
export async function recolour(bytes: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const lab = rgb8ToLab(new Uint8Array(data.buffer, data.byteOffset, data.length));
  for (let i = 0; i < lab.length; i += 3) {
    const a = lab[i + 1]!;
    const b = lab[i + 2]!;
    lab[i + 1] = 0.5 * b;
    lab[i + 2] = -0.5 * a;
  }
  return encodeRgb(labToRgb8(lab), info.width, info.height);
}

/** The image moved a few pixels to the right: same colours, different structure. */
export async function shifted(bytes: Buffer, pixels = 6): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  // Two pipelines: sharp would otherwise apply extract before extend.
  const extended = await sharp(bytes).extend({ left: pixels, background: "#808080" }).png().toBuffer();
  return sharp(extended).extract({ left: 0, top: 0, width, height }).png().toBuffer();
}
