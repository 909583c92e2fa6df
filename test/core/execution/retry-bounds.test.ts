import { describe, expect, it } from 'vitest';
import { AimdLimiter } from '../../../src/core/execution/aimd.js';
import { DEFAULT_BACKOFF, MAX_TIMER_MS, retryDelay } from '../../../src/core/execution/retry.js';

const http429 = (retryAfterMs: number) => ({ kind: 'http' as const, status: 429, retryAfterMs, message: 'slow down' });

describe('waits never exceed what setTimeout can hold', () => {
  it('gives up on a retry-after of 2^31 ms and more instead of waiting', () => {
    expect(retryDelay(1, http429(2 ** 31), DEFAULT_BACKOFF, () => 0.5)).toBeUndefined();
    expect(retryDelay(1, http429(1e15), DEFAULT_BACKOFF, () => 0.5)).toBeUndefined();
  });

  it('clamps a wait to 2^31-1 ms even when the limit itself is larger', () => {
    const huge = { ...DEFAULT_BACKOFF, maxRetryAfterMs: 1e15 };
    expect(retryDelay(1, http429(2 ** 40), huge, () => 0.5)).toBe(MAX_TIMER_MS);
    expect(retryDelay(1, http429(1000), huge, () => 0)).toBe(1000);
  });

  it('pauses a provider no longer than the longest allowed wait', () => {
    const limiter = new AimdLimiter(8, 1000, 60_000);
    limiter.onThrottle(1_000, 86_400_000);
    expect(limiter.pausedUntil).toBe(61_000);
    limiter.onThrottle(2_000, 2 ** 31);
    expect(limiter.pausedUntil).toBe(62_000);
    limiter.onThrottle(3_000, 500);
    expect(limiter.pausedUntil).toBe(62_000);
  });

  it('pauses by the default limit when none is given, and ignores a negative retry-after', () => {
    const limiter = new AimdLimiter(8);
    limiter.onThrottle(0, -5);
    expect(limiter.pausedUntil).toBe(-Infinity);
    limiter.onThrottle(0, 1e12);
    expect(limiter.pausedUntil).toBe(DEFAULT_BACKOFF.maxRetryAfterMs);
  });
});
