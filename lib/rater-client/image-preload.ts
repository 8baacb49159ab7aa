/**
 * Getting a trial's two photos fully decoded before its first frame ("both images
 * fetched and decoded before a trial starts"). An `<img>` that is still downloading or decoding
 * when it is shown paints late or in pieces, which shortens its exposure unevenly between the
 * real photo and the fake; `HTMLImageElement.decode()` resolves only once the pixels are ready,
 * and the page then inserts those same element objects into the stage.
 */

/** The part of `HTMLImageElement` this needs; tests pass fakes. */
export interface DecodableImage {
  src: string;
  decode(): Promise<void>;
}

/** Fetches and decodes one image. Rejects if it cannot be fetched or decoded. */
export async function loadDecodedImage<Image extends DecodableImage>(url: string, createImage: () => Image): Promise<Image> {
  const image = createImage();
  image.src = url;
  await image.decode();
  return image;
}

/**
 * A memo of decoded images by URL, so that the next trial's pair can be fetched while the
 * current one's feedback is on screen and be ready when it starts. A failed load is forgotten,
 * so asking again tries again.
 */
export class ImageCache<Image extends DecodableImage> {
  private readonly entries = new Map<string, Promise<Image>>();

  constructor(private readonly createImage: () => Image) {}

  /** The decoded image for `url`, loading it on first request. */
  get(url: string): Promise<Image> {
    const cached = this.entries.get(url);
    if (cached) return cached;
    const loading = loadDecodedImage(url, this.createImage);
    this.entries.set(url, loading);
    loading.catch(() => {
      if (this.entries.get(url) === loading) this.entries.delete(url);
    });
    return loading;
  }

  /** Both photos of a pair, decoded; rejects if either fails (the trial never starts half-ready). */
  pair(leftUrl: string, rightUrl: string): Promise<[Image, Image]> {
    return Promise.all([this.get(leftUrl), this.get(rightUrl)]);
  }

  /** Drops every image but those listed (a session's images are never shown twice). */
  retainOnly(urls: readonly string[]): void {
    for (const url of [...this.entries.keys()]) if (!urls.includes(url)) this.entries.delete(url);
  }

  get size(): number {
    return this.entries.size;
  }
}
