/**
 * A process-wide budget of pixels being decoded at once. Decoding holds about 3 bytes a pixel of
 * output plus libvips's working buffers, so four uploads of 6300×6300 PNGs decoded together took
 * a server from 0.5 to 2.1 GB and starved every other request. Decodes wait, first come first
 * served, until their pixels fit; one image larger than the whole budget runs alone.
 */
export class PixelBudget {
  private inFlight = 0;
  private peakPixels = 0;
  private readonly waiting: { pixels: number; grant: () => void }[] = [];

  constructor(readonly limitPixels: number) {
    if (!Number.isFinite(limitPixels) || limitPixels <= 0) throw new RangeError("limitPixels must be positive");
  }

  /** The most pixels ever held at once (for tests and diagnostics). */
  get peak(): number {
    return this.peakPixels;
  }

  /** Waits until `pixels` fit, then holds them; call the returned function once to give them back. */
  async acquire(pixels: number): Promise<() => void> {
    const wanted = Math.min(Math.max(1, pixels), this.limitPixels);
    if (this.waiting.length === 0 && this.inFlight + wanted <= this.limitPixels) this.take(wanted);
    else await new Promise<void>((grant) => this.waiting.push({ pixels: wanted, grant: () => (this.take(wanted), grant()) }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= wanted;
      this.grantWaiting();
    };
  }

  private take(pixels: number): void {
    this.inFlight += pixels;
    this.peakPixels = Math.max(this.peakPixels, this.inFlight);
  }

  private grantWaiting(): void {
    // In order: a large decode at the head is not overtaken for ever by small ones.
    while (this.waiting.length > 0 && this.inFlight + (this.waiting[0]?.pixels ?? 0) <= this.limitPixels) {
      this.waiting.shift()?.grant();
    }
  }
}

/**
 * The budget every decode of untrusted images shares: 48 MP, about 144 MB of decoded RGB, enough
 * for one image at the 40 MP upload limit or many stimulus-sized ones at once.
 */
export const decodeBudget = new PixelBudget(48_000_000);
