import { describe, expect, it } from 'vitest';
import { batchRates, scaleRates, serviceTierRates } from '../../../src/core/money/batch-price.js';
import { fitPrefix, splitBatches } from '../../../src/core/execution/batch-split.js';
import { costOf, flatRate, type ModelRates } from '../../../src/core/money/pricing.js';

const rates: ModelRates = { input: flatRate(2, 'input'), output: { base: 8_000_000, tiers: [{ start: 200_000, rate: 12_000_000 }] }, cacheRead: flatRate(0.2, 'cache_read'), cacheWrite: flatRate(2.5, 'cache_write') };

describe('batch prices', () => {
  it('are half the normal price for openai and anthropic, tiers and cache prices included', () => {
    for (const provider of ['openai', 'anthropic'] as const) {
      const b = batchRates(provider, rates, undefined)!;
      expect(b).toEqual({ input: flatRate(1, 'i'), output: { base: 4_000_000, tiers: [{ start: 200_000, rate: 6_000_000 }] }, cacheRead: flatRate(0.1, 'c'), cacheWrite: flatRate(1.25, 'w') });
      const usage = { input: 1000, output: 100, cacheRead: 200, cacheWrite: 100 };
      expect(costOf(usage, b) * 2n).toBe(costOf(usage, rates));
    }
  });

  it('are none for openai-compatible servers, unless the model gives one', () => {
    expect(batchRates('openai-compatible', rates, undefined)).toBeUndefined();
    expect(batchRates('openai-compatible', rates, 0.25)?.input.base).toBe(500_000);
  });

  it('follow a model\'s price.batch: a share, or its own prices', () => {
    expect(batchRates('openai', rates, 0.4)).toEqual(scaleRates(rates, 0.4));
    expect(batchRates('anthropic', rates, { input: 3, output: 9 })).toEqual({ input: flatRate(3, 'i'), output: flatRate(9, 'o') });
    expect(() => batchRates('openai', rates, { input: 0.0000001, output: 1 })).toThrow(/batch.input/);
  });

  it('flex is billed at the batch rate on OpenAI; other tiers at the normal one', () => {
    const b = batchRates('openai', rates, undefined);
    expect(serviceTierRates('openai', rates, b, 'flex')).toBe(b);
    expect(serviceTierRates('openai', rates, b, 'default')).toBe(rates);
    expect(serviceTierRates('anthropic', rates, b, 'flex')).toBe(rates);
  });
});

describe('splitting lines into batches', () => {
  it('cuts at the request limit and at the byte limit, in order', () => {
    const items = [5, 5, 5, 5, 5];
    expect(splitBatches(items, (n) => n, { maxRequests: 2, maxBytes: 100 })).toEqual([[5, 5], [5, 5], [5]]);
    expect(splitBatches(items, (n) => n, { maxRequests: 10, maxBytes: 12 })).toEqual([[5, 5], [5, 5], [5]]);
    expect(splitBatches([3, 20, 3], (n) => n, { maxRequests: 10, maxBytes: 10 })).toEqual([[3], [20], [3]]);
    expect(splitBatches([], (n: number) => n, { maxRequests: 1, maxBytes: 1 })).toEqual([]);
  });

  it('fits the longest prefix a budget allows', () => {
    expect(fitPrefix([3n, 3n, 3n], (t) => t <= 7n)).toEqual({ count: 2, total: 6n });
    expect(fitPrefix([9n], (t) => t <= 7n)).toEqual({ count: 0, total: 0n });
  });
});
