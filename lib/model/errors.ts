/**
 * Errors of the colorizer core: a stable machine-readable `code` (lib/http maps it to a status)
 * and a message safe to show. Defined here so that lib/model imports nothing above it.
 */
export type ModelErrorCode =
  | "model_not_found"
  | "manifest_not_found"
  | "manifest_invalid"
  | "model_invalid"
  | "model_mismatch"
  | "no_execution_provider"
  | "inference_failed";

export class ModelError extends Error {
  override name = "ModelError";
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
