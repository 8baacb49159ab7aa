import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeImage } from "@/lib/images/decode";
import { PixelBudget } from "@/lib/images/pixel-budget";

// Uploads declaring large images (a few KB of PNG for millions of pixels) must not all decode at
// once: the decodes of one process share a pixel budget and wait their turn.
describe("the pixel budget of concurrent decodes", () => {
  it("holds at most its limit, first come first served, and a larger request runs alone", async () => {
    const budget = new PixelBudget(100);
    const order: string[] = [];
    const a = await budget.acquire(60);
    const b = budget.acquire(60).then((release) => (order.push("b"), release));
    const c = budget.acquire(30).then((release) => (order.push("c"), release));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual([]); // c fits, but does not overtake b
    a();
    const releaseB = await b;
    const releaseC = await c;
    expect(order).toEqual(["b", "c"]);
    expect(budget.peak).toBe(90);
    releaseB();
    releaseC();
    const huge = await budget.acquire(1_000);
    expect(budget.peak).toBe(100);
    huge();
  });

  it("four large PNGs decoded together stay within the budget and all decode", async () => {
    const side = 2000;
    const png = await sharp({ create: { width: side, height: side, channels: 3, background: { r: 40, g: 120, b: 200 } } }).png().toBuffer();
    expect(png.length).toBeLessThan(200_000); // small upload, large image
    const budget = new PixelBudget(2 * side * side);
    const decoded = await Promise.all(Array.from({ length: 4 }, () => decodeImage(png, { budget })));
    expect(decoded.every((image) => image.width === side && image.rgb.length === 3 * side * side)).toBe(true);
    expect(budget.peak).toBe(2 * side * side);
  });
});
