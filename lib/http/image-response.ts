/**
 * Serves immutable image bytes: a strong ETag (the content hash), a year of caching, and 304 for
 * a matching If-None-Match. `cacheScope` is "private" for images only their viewer may see.
 */
export function imageResponse(
  request: Request,
  image: { bytes: Uint8Array; mimeType: string; etag: string },
  cacheScope: "public" | "private" = "private",
): Response {
  const etag = `"${image.etag}"`;
  const headers = new Headers({
    etag,
    "cache-control": `${cacheScope}, max-age=31536000, immutable`,
    "x-content-type-options": "nosniff",
  });
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch && ifNoneMatch.split(",").some((tag) => tag.trim() === etag || tag.trim() === "*")) {
    return new Response(null, { status: 304, headers });
  }
  headers.set("content-type", image.mimeType);
  headers.set("content-length", String(image.bytes.byteLength));
  return new Response(Buffer.from(image.bytes), { status: 200, headers });
}

/**
 * Serves one photo of a rater's trial: never stored by the browser or any cache in between
 * (`no-store`), since its URL stops serving once the trial is answered, and no validator (an ETag
 * would be one more value that differs between the two photos of a pair).
 */
export function raterImageResponse(image: { bytes: Uint8Array; mimeType: string }): Response {
  const headers = new Headers({
    "cache-control": "private, no-store",
    "x-content-type-options": "nosniff",
    "content-type": image.mimeType,
    "content-length": String(image.bytes.byteLength),
  });
  return new Response(Buffer.from(image.bytes), { status: 200, headers });
}
