import { z } from "zod";

export const baselineNames = ["ground-truth", "gray", "random"] as const;

/**
 * The kind-specific settings kept in `Method.config`. `tested` methods are compared in the study;
 * the Random baseline also serves as the vigilance foil (docs/protocol.md) and is not tested
 * unless the researcher asks.
 */
export const methodConfigSchema = z.object({
  tested: z.boolean().default(true),
  baseline: z.enum(baselineNames).optional(),
  /** Model methods: the manifest's name under MODELS_DIR (e.g. "full") and the decoding temperature. */
  model: z.string().optional(),
  temperature: z.number().positive().max(10).optional(),
  /** Uploaded methods: the upload report. */
  upload: z.record(z.string(), z.unknown()).optional(),
});

export type MethodConfig = z.infer<typeof methodConfigSchema>;

export function parseMethodConfig(value: unknown): MethodConfig {
  return methodConfigSchema.parse(value ?? {});
}
