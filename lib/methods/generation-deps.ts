import path from "node:path";
import { getConfig } from "@/lib/config";
import type { GenerationDeps } from "./generation";

/** Generation settings from the configuration (models folder, providers, pixel limit). */
export function generationDepsFromConfig(): GenerationDeps {
  const config = getConfig();
  return {
    manifestPathFor: async (name) => path.resolve(config.MODELS_DIR, `${name}.manifest.json`),
    providers: config.EXECUTION_PROVIDERS,
    pixelLimit: config.IMAGE_PIXEL_LIMIT,
  };
}
