import { describe, expect, it } from "vitest";
import { ImageCache, type DecodableImage } from "@/lib/rater-client/image-preload";

/** An image whose decode the test finishes by hand, like a slow network would. */
class ManualImage implements DecodableImage {
  static made: ManualImage[] = [];
  src = "";
  finish!: () => void;
  fail!: (error: Error) => void;
  private readonly decoded = new Promise<void>((resolve, reject) => {
    this.finish = resolve;
    this.fail = reject;
  });
  constructor() {
    ManualImage.made.push(this);
  }
  decode(): Promise<void> {
    return this.decoded;
  }
}

const settled = async <T>(promise: Promise<T>) => {
  let state = "pending";
  promise.then(() => (state = "resolved"), () => (state = "rejected"));
  await new Promise((resolve) => setTimeout(resolve, 0));
  return state;
};

describe("ImageCache.pair", () => {
  it("resolves only once both photos are decoded", async () => {
    ManualImage.made = [];
    const cache = new ImageCache(() => new ManualImage());
    const pair = cache.pair("/l", "/r");
    const [left, right] = ManualImage.made;
    expect([left?.src, right?.src]).toEqual(["/l", "/r"]);
    left?.finish();
    expect(await settled(pair)).toBe("pending");
    right?.finish();
    await expect(pair).resolves.toEqual([left, right]);
  });

  it("loads a prefetched photo once, and loads a failed one again on the next request", async () => {
    ManualImage.made = [];
    const cache = new ImageCache(() => new ManualImage());
    const first = cache.get("/a");
    expect(cache.get("/a")).toBe(first);
    ManualImage.made[0]?.fail(new Error("EncodingError"));
    await expect(first).rejects.toThrow("EncodingError");
    const second = cache.get("/a");
    expect(second).not.toBe(first);
    expect(ManualImage.made).toHaveLength(2);
  });

  it("forgets every photo but the ones retained", () => {
    const cache = new ImageCache(() => new ManualImage());
    for (const url of ["/1", "/2", "/3"]) void cache.get(url);
    cache.retainOnly(["/3"]);
    expect(cache.size).toBe(1);
  });
});
