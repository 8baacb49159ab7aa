/**
 * Errors of the colorizer core. Like the platform's AppError they carry a stable machine-readable
 * `code` and an HTTP-like `status`, and their message is safe to show; they are defined here so that
 * lib/model does not import the HTTP layer (architecture: lib/model depends on nothing above it).
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
  readonly status: number;
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = code === "no_execution_provider" ? 503 : 500;
  }
}
