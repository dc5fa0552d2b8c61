// A token bucket: at most `perSecond` messages a second on average, with bursts of up to one
// second's worth. Each sender process has one; senders divide the configured rate between them.

export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private perSecond: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = Math.min(1, perSecond);
    this.last = clock();
  }

  setRate(perSecond: number): void {
    this.refill();
    this.perSecond = perSecond;
    this.tokens = Math.min(this.tokens, Math.max(1, perSecond));
  }

  get rate(): number {
    return this.perSecond;
  }

  /** Resolves when one message may go. */
  async take(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitMs = ((1 - this.tokens) / this.perSecond) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, waitMs)));
    }
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(Math.max(1, this.perSecond), this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}
