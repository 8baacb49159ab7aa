import { readdir } from "node:fs/promises";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { loadManifest } from "@/lib/model/manifest";
import { logger } from "@/lib/logger";

/** The models under MODELS_DIR whose manifests validate, by name (the manifest file's stem). */
export async function listAvailableModels(): Promise<{ name: string; description: string; manifestPath: string }[]> {
  const dir = path.resolve(getConfig().MODELS_DIR);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const models = [];
  for (const entry of entries.filter((name) => name.endsWith(".manifest.json")).sort()) {
    const manifestPath = path.join(dir, entry);
    try {
      const manifest = await loadManifest(manifestPath);
      models.push({ name: entry.replace(/\.manifest\.json$/, ""), description: manifest.manifest.description ?? manifest.manifest.name, manifestPath });
    } catch (error) {
      logger.warn(`skipping model ${entry}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return models;
}

export async function findModel(name: string) {
  return (await listAvailableModels()).find((model) => model.name === name) ?? null;
}
