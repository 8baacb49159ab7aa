import type { TrialCells } from "@/lib/stats";

/** Per (rater, image) cells of one method as parallel columns (the shape `countCells` takes). */
export type PackedCells = TrialCells;

/**
 * Decodes cells packed by SQL as big-endian int32 quadruples (rater, image, trials, fooled) — the
 * output of `string_agg(int4send(rater) || int4send(image) || int4send(trials) || int4send(fooled), '')`
 * (PostgreSQL's `int4send` writes network byte order).
 *
 * @param bytes the packed bytea.
 * @param count the number of cells the query counted; the byte length must be 16·count.
 * @throws Error when the length does not match (a truncated or foreign value).
 * @example
 * decodePackedCells(Uint8Array.of(0,0,0,1, 0,0,0,2, 0,0,0,3, 0,0,0,1), 1);
 * // { rater: [1], image: [2], trials: [3], fooled: [1] }
 */
export function decodePackedCells(bytes: Uint8Array, count: number): PackedCells {
  if (bytes.byteLength !== count * 16) {
    throw new Error(`packed cells: expected ${count * 16} bytes for ${count} cells, got ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rater = new Int32Array(count);
  const image = new Int32Array(count);
  const trials = new Int32Array(count);
  const fooled = new Int32Array(count);
  for (let cell = 0, offset = 0; cell < count; cell++, offset += 16) {
    rater[cell] = view.getInt32(offset, false);
    image[cell] = view.getInt32(offset + 4, false);
    trials[cell] = view.getInt32(offset + 8, false);
    fooled[cell] = view.getInt32(offset + 12, false);
  }
  return { rater, image, trials, fooled };
}
