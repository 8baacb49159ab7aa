import { HttpError } from "./errors";
import { assertStorableText } from "./storable-text";

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
