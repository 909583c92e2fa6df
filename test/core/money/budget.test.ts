import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AimdLimiter } from '../../../src/core/execution/aimd.js';
import { Budget, maxCost } from '../../../src/core/money/budget.js';
import { costOf } from '../../../src/core/money/pricing.js';
import { parsePolicy } from '../../../src/core/policy/parse.js';
import type { PromptRecord } from '../../../src/core/prompt.js';

const policy = parsePolicy(readFileSync(new URL('../../../routes.yaml', import.meta.url), 'utf8'), 'routes.yaml', { now: new Date('2026-11-01') });
const prompt = (text: string, system?: string): PromptRecord => ({ id: 'x', messages: [{ role: 'user', content: text }], system, fields: {}, source: { file: 'f' } });

describe('maxCost', () => {
  it('bounds input by UTF-8 bytes plus framing, at the dearer of input and cache-write rates', () => {
    const opus = policy.models.get('flagship')!; // input 4, cache write 5, output 20 (USD per Mtok)
    // 10 bytes + 8 (one message) + 16 = 34 tokens at 5 micro-USD, 100 output tokens at 20
    expect(maxCost(prompt('0123456789'), opus, 100)).toBe((34n * 5n + 100n * 20n) * 1_000_000n);
    // a system prompt adds its bytes, a newline and one more message's framing
    expect(maxCost(prompt('0123456789', 'sys'), opus, 0)).toBe((10n + 1n + 3n + 16n + 16n) * 5n * 1_000_000n);
    // multi-byte text counts bytes, not characters
    expect(maxCost(prompt('é'), opus, 0)).toBe((2n + 24n) * 5n * 1_000_000n);
  });

  it('is never below the real cost of any usage the prompt can produce', () => {
    const mini = policy.models.get('balanced')!;
    const p = prompt('What is the capital of Australia, and why was it chosen over Sydney?');
    const bound = maxCost(p, mini, 300);
    for (const input of [1, 20, 60, 86]) {
      for (const output of [0, 150, 300]) {
        expect(costOf({ input, output, cacheRead: 0, cacheWrite: 0 }, mini.pricing.rates)).toBeLessThanOrEqual(bound);
      }
    }
  });
});

describe('Budget', () => {
  it('reserves against the run cap and books actual costs', () => {
    const b = new Budget({ total: 1000n, perModel: new Map() });
    const r1 = b.reserve('a', 600n);
    expect(r1.ok).toBe(true);
    expect(b.reserve('a', 500n)).toEqual({ ok: false, limit: 'total' });
    if (r1.ok) b.settle(r1, 100n);
    expect(b.totalSpent).toBe(100n);
    expect(b.reserve('a', 900n).ok).toBe(true);
    expect(b.pending).toBe(true);
  });

  it('counts prior spend from a resumed job', () => {
    const b = new Budget({ total: 1000n, perModel: new Map() }, 800n);
    expect(b.reserve('a', 201n)).toEqual({ ok: false, limit: 'total' });
    expect(b.reserve('a', 200n).ok).toBe(true);
  });

  it('applies per-model caps separately', () => {
    const b = new Budget({ perModel: new Map([['a', 100n]]) });
    expect(b.reserve('a', 101n)).toEqual({ ok: false, limit: 'model' });
    expect(b.reserve('b', 10_000n).ok).toBe(true);
  });

  it('books the reservation when the cost is unknown, and wakes waiters on settle', async () => {
    const b = new Budget({ total: 1000n, perModel: new Map() });
    const r = b.reserve('a', 300n);
    let woke = false;
    const waiting = b.nextSettle().then(() => (woke = true));
    if (r.ok) b.settle(r, undefined);
    await waiting;
    expect(woke).toBe(true);
    expect(b.totalSpent).toBe(300n);
  });
});

describe('AimdLimiter', () => {
  it('halves on a 429 once per cooldown and climbs back additively', () => {
    const l = new AimdLimiter(16, 1000);
    l.onThrottle(0);
    expect(l.limit).toBe(8);
    l.onThrottle(500); // same burst
    expect(l.limit).toBe(8);
    l.onThrottle(1500);
    expect(l.limit).toBe(4);
    expect(l.lowest).toBe(4);
    for (let i = 0; i < 5; i++) l.onSuccess(10_000); // +1/limit each: about one more per round of `limit` successes
    expect(l.limit).toBe(5);
    for (let i = 0; i < 200; i++) l.onSuccess(10_000);
    expect(l.limit).toBe(16);
    expect(l.throttles).toBe(3);
  });

  it('does not climb back while the last 429 is fresh', () => {
    const l = new AimdLimiter(16, 1000);
    l.onThrottle(5000);
    for (let i = 0; i < 50; i++) l.onSuccess(5500);
    expect(l.limit).toBe(8);
    l.onSuccess(6000);
    expect(l.limit).toBe(8); // 8 + 1/8
    for (let i = 0; i < 8; i++) l.onSuccess(6001);
    expect(l.limit).toBe(9);
  });

  it('makes callers wait for a slot when the limit is reached', async () => {
    const l = new AimdLimiter(2);
    expect(l.acquire()).toBeUndefined();
    expect(l.acquire()).toBeUndefined();
    const third = l.acquire();
    expect(third).toBeInstanceOf(Promise);
    let got = false;
    void third!.then(() => (got = true));
    await Promise.resolve();
    expect(got).toBe(false);
    l.release();
    await third;
    expect(got).toBe(true);
  });
});
