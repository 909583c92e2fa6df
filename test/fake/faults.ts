import type { ApiKind, Fault, FaultRule, RateLimit } from './types.js';

interface Target {
  api: ApiKind;
  model: string | undefined;
  prompt: string;
}

/** The queued faults first (FIFO, any request), then the first matching rule. */
export class FaultScript {
  private queue: Fault[] = [];
  private rules: Array<FaultRule & { left: number }> = [];

  enqueue(faults: Fault[]): void {
    this.queue.push(...faults);
  }

  addRule(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? Infinity });
  }

  clear(): void {
    this.queue = [];
    this.rules = [];
  }

  next(t: Target): Fault | undefined {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    const rule = this.rules.find(
      (r) =>
        r.left > 0 &&
        (r.api === undefined || r.api === t.api) &&
        (r.model === undefined || r.model === t.model) &&
        (r.promptIncludes === undefined || t.prompt.includes(r.promptIncludes)),
    );
    if (rule === undefined) return undefined;
    rule.left -= 1;
    return rule.fault;
  }
}

const WINDOW_MS = 1000;

/**
 * Rolling one-second window over admitted requests. Rejected requests do not take a slot,
 * so a client that waits the advertised time always gets in.
 */
export class RateLimiter {
  private admitted: number[] = [];

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}

  /** Admits the request (returns undefined) or returns the milliseconds until a slot frees. */
  tryAdmit(): number | undefined {
    const t = this.now();
    this.admitted = this.admitted.filter((at) => at > t - WINDOW_MS);
    const oldest = this.admitted[0];
    if (this.admitted.length >= this.limit.requestsPerSecond && oldest !== undefined) {
      return Math.max(1, oldest + WINDOW_MS - t);
    }
    this.admitted.push(t);
    return undefined;
  }
}
