/** Spaces calls at least `1000 / requestsPerSecond` ms apart, across all concurrent callers. */
export class RateLimiter {
  private nextSlotMs = 0;
  private readonly intervalMs: number;

  /**
   * @param requestsPerSecond - maximum request rate; `0` or `undefined` disables limiting
   * @param sleep - waits the given ms (injectable for tests)
   * @param now - current time in ms
   */
  constructor(
    requestsPerSecond: number | undefined,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly now: () => number,
  ) {
    this.intervalMs = requestsPerSecond && requestsPerSecond > 0 ? 1000 / requestsPerSecond : 0;
  }

  /** Waits for the next free slot. */
  async acquire(): Promise<void> {
    if (this.intervalMs === 0 && this.nextSlotMs === 0) return;
    const now = this.now();
    const slot = Math.max(now, this.nextSlotMs);
    this.nextSlotMs = slot + this.intervalMs;
    if (slot > now) await this.sleep(slot - now);
  }

  /** Holds every caller until `untilMs` (the server said the rate-limit window is exhausted). */
  blockUntil(untilMs: number): void {
    this.nextSlotMs = Math.max(this.nextSlotMs, untilMs);
  }
}
