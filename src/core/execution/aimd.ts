import { DEFAULT_BACKOFF, MAX_TIMER_MS } from './retry.js';

/**
 * Additive-increase, multiplicative-decrease concurrency for one provider: a 429 halves the
 * number of requests allowed in flight (at most once per `cooldownMs`, so one burst of 429s
 * counts once), each success adds 1/limit, so the limit climbs back by about one per round.
 */
export class AimdLimiter {
  private limitValue: number;
  private inFlight = 0;
  private lastDecrease = -Infinity;
  private readonly waiting: (() => void)[] = [];
  throttles = 0;
  lowest: number;
  /** A 429's retry-after holds every new request to this provider until then (clock ms). */
  pausedUntil = -Infinity;

  constructor(
    private readonly max: number,
    private readonly cooldownMs = 1000,
    /** The longest a retry-after may hold the provider (--max-retry-wait); a day-long ask waits no longer. */
    private readonly maxPauseMs = DEFAULT_BACKOFF.maxRetryAfterMs,
  ) {
    this.limitValue = max;
    this.lowest = max;
  }

  get limit(): number {
    return Math.max(1, Math.floor(this.limitValue));
  }

  acquire(): Promise<void> | undefined {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.inFlight--;
    this.wake();
  }

  private wake(): void {
    while (this.waiting.length > 0 && this.inFlight < this.limit) {
      this.inFlight++;
      this.waiting.shift()!();
    }
  }

  /** A success raises the limit again, but not while the last 429 is fresh: that is where it broke. */
  onSuccess(now: number): void {
    if (now - this.lastDecrease < this.cooldownMs) return;
    if (this.limitValue < this.max) {
      this.limitValue = Math.min(this.max, this.limitValue + 1 / this.limitValue);
      this.wake();
    }
  }

  onThrottle(now: number, retryAfterMs?: number): void {
    this.throttles++;
    if (retryAfterMs !== undefined) {
      const pause = Math.min(retryAfterMs, this.maxPauseMs, MAX_TIMER_MS);
      if (pause >= 0) this.pausedUntil = Math.max(this.pausedUntil, now + pause);
    }
    if (now - this.lastDecrease < this.cooldownMs) return;
    this.lastDecrease = now;
    this.limitValue = Math.max(1, this.limitValue / 2);
    this.lowest = Math.min(this.lowest, this.limit);
  }
}
