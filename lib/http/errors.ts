import { ZodError } from "zod";
import { Prisma } from "@/lib/db/generated/client";
import { isPoolTimeout } from "@/lib/db/connection";
import { logger } from "@/lib/logger";
import { DomainError, type DomainErrorCode } from "@/lib/errors";
import { ImageError, type ImageErrorCode } from "@/lib/images/errors";
import { ArchiveError } from "@/lib/uploads/archive";
import { ModelError } from "@/lib/model/errors";
import { issueInWords } from "./issue-words";
import { StatsError } from "@/lib/stats/stats-error";

/**
 * A request that fails before any domain code runs (unreadable body, too large, cross-site): the
 * HTTP layer's own errors, so they carry their status.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The HTTP status of each domain error code (lib/errors.ts): the one place that decides it. */
const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  unauthorized: 401,
  invalid_credentials: 401,
  no_session: 401,
  forbidden: 403,
  too_many_attempts: 429,
  too_many_sessions: 429,
  not_found: 404,
  image_gone: 410,
  invalid_invitation: 400,
  already_registered: 409,
  protocol_frozen: 409,
  method_exists: 409,
  invalid_transition: 409,
  study_not_ready: 409,
  study_not_open: 409,
  study_closed: 409,
  study_full: 409,
  already_participated: 409,
  mturk_preview: 409,
  already_answered: 409,
  out_of_order: 409,
  screening_pending: 409,
  screened_out: 409,
  invalid_screening_answer: 422,
  wrong_answer_kind: 422,
};

const IMAGE_STATUS: Record<ImageErrorCode, number> = {
  image_empty: 422,
  image_unsupported: 415,
  image_corrupt: 422,
  image_too_large: 413,
  image_invalid: 422,
};

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
  410: "Gone",
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
 * Maps any thrown value to a problem document: domain errors by their code, the HTTP layer's own
 * by their status, zod → 422, rejected archives → 422 naming the entry, unique violations → 409,
 * missing records → 404, anything else → 500 with a generic message (the real one is logged,
 * never returned).
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) return problem(DOMAIN_STATUS[error.code], error.code, error.message, error.details ?? {});
  if (error instanceof HttpError) return problem(error.status, error.code, error.message, error.details ?? {});
  if (error instanceof ZodError) {
    return problem(422, "validation_failed", "The request is not valid.", {
      errors: error.issues.map((issue) => ({ path: issue.path.join("."), message: issueInWords(issue) })),
    });
  }
  // A statistic that is undefined for the data at hand (no trials, too sparse) is the request's
  // problem to know about, not a server fault.
  // Image problems are the caller's (4xx, safe messages); model problems are ours: 5xx, logged.
  if (error instanceof ImageError) return problem(IMAGE_STATUS[error.code], error.code, error.message);
  if (error instanceof ArchiveError) return problem(422, `archive_${error.code}`, error.message, error.entry ? { entry: error.entry } : {});
  if (error instanceof ModelError) {
    logger.error("model error", error);
    return error.code === "no_execution_provider"
      ? problem(503, error.code, "No execution provider could run the model.")
      : problem(500, error.code, "The model could not be run.");
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
