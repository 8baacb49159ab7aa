import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError, notFound } from "@/lib/errors";
import { HttpError, problemResponse, toProblem } from "@/lib/http/errors";
import { ImageError } from "@/lib/images/errors";
import { ArchiveError } from "@/lib/uploads/archive";
import { ModelError } from "@/lib/model/errors";

// lib/http is the one place where errors become HTTP: domain errors carry only a code.
describe("toProblem", () => {
  it("gives each domain code its status and keeps code, message and details", () => {
    expect(toProblem(new DomainError("study_closed", "closed"))).toMatchObject({ status: 409, code: "study_closed", detail: "closed", title: "Conflict" });
    expect(toProblem(notFound("Trial"))).toMatchObject({ status: 404, code: "not_found", detail: "Trial not found." });
    expect(toProblem(new DomainError("no_session", "none"))).toMatchObject({ status: 401 });
    expect(toProblem(new DomainError("too_many_attempts", "wait", { retryAfterSeconds: 30 }))).toMatchObject({ status: 429, retryAfterSeconds: 30 });
  });

  it("maps the image, archive and model errors by code, and the HTTP layer's own by status", () => {
    expect(toProblem(new ImageError("image_too_large", "big"))).toMatchObject({ status: 413, code: "image_too_large" });
    expect(toProblem(new ImageError("image_unsupported", "what"))).toMatchObject({ status: 415 });
    expect(toProblem(new ArchiveError("unsafe_path", "no", "../x.png"))).toMatchObject({ status: 422, code: "archive_unsafe_path", entry: "../x.png" });
    expect(toProblem(new ModelError("no_execution_provider", "internal detail"))).toMatchObject({ status: 503, detail: "No execution provider could run the model." });
    expect(toProblem(new HttpError(413, "body_too_large", "too big"))).toMatchObject({ status: 413, code: "body_too_large" });
  });

  it("turns validation errors into 422 with paths and anything else into a 500 that hides the message", async () => {
    const invalid = z.object({ a: z.number() }).safeParse({ a: "x" });
    expect(toProblem(invalid.error)).toMatchObject({ status: 422, code: "validation_failed", errors: [{ path: "a" }] });
    const response = problemResponse(new Error("secret connection string"));
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.text()).not.toContain("secret");
  });
});
