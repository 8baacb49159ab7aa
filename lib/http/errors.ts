import { ZodError } from "zod";
import { Prisma } from "@/lib/db/generated/client";
import { isPoolTimeout } from "@/lib/db/connection";
import { logger } from "@/lib/logger";
import { StatsError } from "@/lib/stats/stats-error";
import { ImageError } from "@/lib/images/errors";
import { ModelError } from "@/lib/model/errors";

/**
 * The one error type domain code throws. `code` is stable and machine-readable; `message` is safe
 * to show to the caller.
 */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const unauthorized = (message = "Sign in to continue.") => new AppError(401, "unauthorized", message);
export const forbidden = (message = "You are not allowed to do this.") => new AppError(403, "forbidden", message);
export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found.`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(400, code, message, details);

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `about:blank#${code}`, title: titles[status] ?? "Error", status, detail, code, ...extra };
}

/**
 * Maps any thrown value to a problem document: zod → 422, AppError → its status, unique
 * violations → 409, missing records → 404, anything else → 500 with a generic message (the real
 * one is logged, never returned).
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) return problem(error.status, error.code, error.message, error.details ?? {});
  if (error instanceof ZodError) {
    return problem(422, "validation_failed", "The request is not valid.", {
      errors: error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    });
  }
  // A statistic that is undefined for the data at hand (no trials, too sparse) is the request's
  // problem to know about, not a server fault.
  // Image problems are the caller's (4xx, safe messages); model problems are ours: 5xx, logged.
  if (error instanceof ImageError) return problem(error.status, error.code, error.message);
  if (error instanceof ModelError) {
    logger.error("model error", error);
    return problem(error.status, error.code, error.status === 503 ? "No execution provider could run the model." : "The model could not be run.");
  }
  if (error instanceof StatsError) return problem(422, `stats_${error.code.replace(/-/g, "_")}`, error.message);
  // Every pooled connection stayed busy for the pool's connection timeout: a temporary overload,
  // not a fault; the client is told when to try again (Retry-After, see problemResponse).
  if (isPoolTimeout(error)) {
    logger.warn("database pool exhausted: no connection became free in time");
    return problem(503, "database_busy", "The service is busy right now. Please try again in a moment.");
  }
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === "P2002") return problem(409, "conflict", "A record with these values already exists.");
    if (error.code === "P2025") return problem(404, "not_found", "The record was not found.");
  }
  logger.error("unhandled error", error);
  return problem(500, "internal_error", "Something went wrong on our side. Please try again.");
}

/** Seconds a client should wait before retrying a problem that is temporary (RFC 9110, Retry-After). */
const RETRY_AFTER_SECONDS: Record<string, number> = { database_busy: 2 };

export function problemResponse(error: unknown, headers: HeadersInit = {}): Response {
  const body = toProblem(error);
  const responseHeaders = new Headers(headers);
  const retryAfter = RETRY_AFTER_SECONDS[body.code];
  if (retryAfter !== undefined && !responseHeaders.has("retry-after")) responseHeaders.set("retry-after", String(retryAfter));
  responseHeaders.set("content-type", "application/problem+json");
  return new Response(JSON.stringify(body), { status: body.status, headers: responseHeaders });
}
