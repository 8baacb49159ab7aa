// Image files of a folder for the model scripts, and an even pick over them.
import { readdir } from "node:fs/promises";
import { extname } from "node:path";
import { CliUsageError } from "./run-script";

/** Extensions sharp decodes that the scripts treat as photos. */
export const PHOTO_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".avif"]);

/** The photo file names directly in `dir` (no dotfiles), sorted; a CliUsageError when it cannot be read. */
export async function listPhotoNames(dir: string, flag: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: Error) => {
    throw new CliUsageError(`cannot read ${flag} ${dir}: ${error.message}`);
  });
  return names.filter((n) => PHOTO_EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith(".")).sort();
}

/** `count` items spread evenly over the list (photo folders are often sorted by class). */
export function spreadEvenly<T>(items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}
