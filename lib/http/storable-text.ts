import { HttpError } from "./errors";

// U+0000, which PostgreSQL's text cannot hold (error 22021), and UTF-16 surrogates without their
// pair, which have no UTF-8 encoding: both would reach the database as a 500.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string can be stored as PostgreSQL text (no NUL, no unpaired surrogate). */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * Refuses, with a 422, any string in a request's parsed body (keys included, at any depth) that
 * the database could not store, so that such input ends at the edge instead of in a 500.
 */
export function assertStorableText(value: unknown, path = ""): void {
  if (typeof value === "string") {
    if (!isStorableText(value)) throw unstorable(path);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertStorableText(item, `${path}${path ? "." : ""}${index}`));
    return;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const itemPath = `${path}${path ? "." : ""}${key}`;
      if (!isStorableText(key)) throw unstorable(itemPath);
      assertStorableText(item, itemPath);
    }
  }
}

function unstorable(path: string): HttpError {
  return new HttpError(422, "unstorable_text", "The request holds a NUL character or an unpaired UTF-16 surrogate, which cannot be stored.", {
    errors: [{ path, message: "Remove NUL characters and unpaired surrogates." }],
  });
}
