/**
 * At most `limit` calls in any `windowMs`: a burst up to the limit goes at once, the next call waits until the
 * oldest one leaves the window. (Zoho allows "10 requests for download … for one-minute interval": spacing them six
 * seconds apart would make every load pay a minute per ten downloads even when it needs fewer.)
 */
export class SlidingWindow {
  private readonly starts: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly now: () => number,
  ) {}

  /** Waits for a free place in the window and takes it. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.starts.length > 0 && this.starts[0] <= now - this.windowMs) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      await this.sleep(this.starts[0] + this.windowMs - now);
    }
  }

  /** The server said the window is used up: count it full from now. */
  fill(): void {
    const now = this.now();
    this.starts.length = 0;
    for (let i = 0; i < this.limit; i++) this.starts.push(now);
  }
}
