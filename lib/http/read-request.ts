import type { z } from "zod";
import { getConfig } from "@/lib/config";
import { HttpError } from "./errors";
import { clientAddressOf } from "./forwarded";
import { assertStorableText } from "./storable-text";

/**
 * Everything a route reads from its request, in one place: cookies, the client's address, a JSON
 * body and a multipart upload. Bodies are read with byte limits enforced while they stream in,
 * and their text must be storable (lib/http/storable-text.ts).
 */

/** A cookie's value from the request's Cookie header (URL-decoded), or undefined. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

/**
 * The client address used for rate limiting: the TCP peer, or what trusted proxies
 * (TRUSTED_PROXIES) report; a client's own X-Forwarded-For is never believed.
 */
export function clientAddress(request: Request): string {
  return clientAddressOf(request.headers, getConfig().TRUSTED_PROXIES);
}

const DEFAULT_JSON_LIMIT = 64 * 1024;

/**
 * Reads a JSON body with a size limit and validates it; malformed JSON is a 400, invalid a 422,
 * and so is text the database cannot store (NUL, unpaired surrogates).
 */
export async function readJson<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  maxBytes = DEFAULT_JSON_LIMIT,
): Promise<z.infer<Schema>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new HttpError(413, "body_too_large", `The request body is over ${maxBytes} bytes.`);
  const text = await readTextLimited(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "malformed_json", "The request body is not valid JSON.");
  }
  assertStorableText(value);
  return schema.parse(value);
}

async function readTextLimited(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new HttpError(413, "body_too_large", `The request body is over ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export interface MultipartUpload {
  files: { name: string; bytes: Buffer }[];
  fields: Record<string, string>;
}

/**
 * The request's body as a Response that errors once more than `maxBytes` have arrived: a body
 * sent without Content-Length (chunked) is cut off at the limit instead of being buffered whole
 * by `formData()`.
 */
function withByteLimit(request: Request, maxBytes: number, onExceeded: () => void): Response {
  let total = 0;
  const limiter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        onExceeded();
        controller.error(new Error("body over the limit"));
        return;
      }
      controller.enqueue(chunk);
    },
  });
  return new Response(request.body?.pipeThrough(limiter) ?? null, { headers: { "content-type": request.headers.get("content-type") ?? "" } });
}

/**
 * Reads a multipart form with files, refusing bodies over `maxBytes` (by Content-Length before
 * reading, by the bytes read while reading, and by the files' total after).
 */
export async function readMultipart(request: Request, maxBytes: number): Promise<MultipartUpload> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new HttpError(413, "body_too_large", `The upload is over ${Math.round(maxBytes / 1048576)} MB.`);
  if (!request.headers.get("content-type")?.startsWith("multipart/form-data")) {
    throw new HttpError(415, "unsupported_media_type", "Send the files as multipart/form-data.");
  }
  let form: FormData;
  let exceeded = false;
  try {
    form = await withByteLimit(request, maxBytes, () => (exceeded = true)).formData();
  } catch {
    if (exceeded) throw new HttpError(413, "body_too_large", `The upload is over ${Math.round(maxBytes / 1048576)} MB.`);
    throw new HttpError(400, "malformed_form", "The upload could not be read as a form.");
  }
  const files: MultipartUpload["files"] = [];
  const fields: Record<string, string> = {};
  let total = 0;
  for (const [key, value] of form.entries()) {
    if (typeof value === "string") {
      fields[key] = value.slice(0, 10_000);
      continue;
    }
    total += value.size;
    if (total > maxBytes) throw new HttpError(413, "body_too_large", `The upload is over ${Math.round(maxBytes / 1048576)} MB.`);
    if (value.size > 0) files.push({ name: value.name.slice(0, 500), bytes: Buffer.from(await value.arrayBuffer()) });
  }
  if (files.length === 0) throw new HttpError(400, "no_files", "Choose at least one file to upload.");
  assertStorableText({ fields, files: files.map((file) => file.name) });
  return { files, fields };
}
