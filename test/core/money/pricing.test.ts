import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { picoToUsd } from '../../../src/core/money/money.js';
import { lookupCatalogue } from '../../../src/core/money/catalogue.js';
import { costOf, describeRate, overridePricing, PriceError, toMicro, type ModelRates, type Usage } from '../../../src/core/money/pricing.js';
import { NOW, randInt, rng } from '../../support.js';

const flat = (input: number, output: number, cacheRead?: number, cacheWrite?: number): ModelRates => ({
  input: { base: input, tiers: [] },
  output: { base: output, tiers: [] },
  ...(cacheRead === undefined ? {} : { cacheRead: { base: cacheRead, tiers: [] } }),
  ...(cacheWrite === undefined ? {} : { cacheWrite: { base: cacheWrite, tiers: [] } }),
});

// $3 / $15 per million, tiered to $6 / $22.5 above 200k input tokens (claude-sonnet-4-5's shape).
const TIERED: ModelRates = {
  input: { base: 3_000_000, tiers: [{ start: 200_000, rate: 6_000_000 }] },
  output: { base: 15_000_000, tiers: [{ start: 200_000, rate: 22_500_000 }] },
  cacheRead: { base: 300_000, tiers: [{ start: 200_000, rate: 600_000 }] },
  cacheWrite: { base: 3_750_000, tiers: [{ start: 200_000, rate: 7_500_000 }] },
};

const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0): Usage => ({ input, output, cacheRead, cacheWrite });

describe('costOf, exact in picodollars', () => {
  it.each([
    { name: 'nothing', rates: flat(3_000_000, 15_000_000), usage: usage(0, 0), pico: 0n },
    { name: 'one input token at $3/M', rates: flat(3_000_000, 15_000_000), usage: usage(1, 0), pico: 3_000_000n },
    { name: 'flat input and output', rates: flat(3_000_000, 15_000_000), usage: usage(1000, 500), pico: 10_500_000_000n },
    { name: 'sub-cent prices', rates: flat(75_000, 4_500_000), usage: usage(301, 200), pico: 922_575_000n },
    { name: 'free model', rates: flat(0, 0), usage: usage(123_456, 7890), pico: 0n },
    // 1000 input of which 800 read from cache: 200 * 3 + 800 * 0.3 (micro-USD per token = pico per token)
    { name: 'cache read carved out of input', rates: flat(3_000_000, 15_000_000, 300_000), usage: usage(1000, 0, 800), pico: 840_000_000n },
    { name: 'cache write carved out of input', rates: flat(3_000_000, 15_000_000, 300_000, 3_750_000), usage: usage(1000, 10, 0, 1000), pico: 3_900_000_000n },
    { name: 'cache read and write together', rates: flat(3_000_000, 15_000_000, 300_000, 3_750_000), usage: usage(1000, 0, 500, 400), pico: 1_950_000_000n },
    // no cache price: cached tokens are billed as ordinary input
    { name: 'cache read without a cache price', rates: flat(3_000_000, 15_000_000), usage: usage(1000, 0, 800), pico: 3_000_000_000n },
    { name: 'cache write without a cache price', rates: flat(750_000, 4_500_000, 75_000), usage: usage(1000, 0, 0, 600), pico: 750_000_000n },
    // tiers: the request's total input tokens pick the tier, for every token of the request
    { name: 'tier: exactly at the start is still base', rates: TIERED, usage: usage(200_000, 1000), pico: 600_000_000_000n + 15_000_000_000n },
    { name: 'tier: one past the start prices all tokens higher', rates: TIERED, usage: usage(200_001, 1000), pico: 1_200_006_000_000n + 22_500_000_000n },
    { name: 'tier: cache reads count toward the tier', rates: TIERED, usage: usage(250_000, 0, 100_000), pico: 150_000n * 6_000_000n + 100_000n * 600_000n },
    { name: 'tier: below the start with cache', rates: TIERED, usage: usage(150_000, 100, 100_000, 20_000), pico: 30_000n * 3_000_000n + 100_000n * 300_000n + 20_000n * 3_750_000n + 100n * 15_000_000n },
    {
      name: 'several tiers: the highest passed applies',
      rates: { input: { base: 1, tiers: [{ start: 10, rate: 2 }, { start: 100, rate: 3 }] }, output: { base: 10, tiers: [{ start: 10, rate: 20 }, { start: 100, rate: 30 }] } },
      usage: usage(101, 5),
      pico: 101n * 3n + 5n * 30n,
    },
  ])('$name', ({ rates, usage: u, pico }) => {
    expect(costOf(u, rates)).toBe(pico);
  });

  it('stays exact where doubles would not (a billion requests summed)', () => {
    const one = costOf(usage(1234, 567), flat(75_000, 4_500_000));
    expect(one * 1_000_000_000n).toBe(2_644_050_000_000_000_000n);
  });
});

describe('costOf agrees with @pydantic/genai-prices calcPrice', () => {
  const MODELS = [
    { provider: 'anthropic', model: 'claude-sonnet-4-5', tiered: true },
    { provider: 'openai', model: 'gpt-5.4', tiered: true },
    { provider: 'anthropic', model: 'claude-haiku-4-5', tiered: false },
    { provider: 'openai', model: 'gpt-5.4-mini', tiered: false },
  ];

  it.each(MODELS)('$provider/$model on 200 random usages', ({ provider, model, tiered }) => {
    const pricing = lookupCatalogue(provider, model, NOW)!;
    expect(pricing.source).toMatchObject({ kind: 'catalogue', providerId: provider, catalogueId: model, exact: true });
    expect(pricing.rates.input.tiers.length > 0).toBe(tiered);
    const r = rng(model.length * 7919);
    const starts = pricing.rates.input.tiers.map((t) => t.start);
    for (let i = 0; i < 200; i++) {
      // Mostly random sizes, with every tenth request right at a tier boundary.
      const input = i % 10 === 0 && starts.length ? starts[0]! + randInt(r, -1, 1) : randInt(r, 0, 400_000);
      const cacheRead = r() < 0.5 ? randInt(r, 0, input) : 0;
      const cacheWrite = r() < 0.5 ? randInt(r, 0, input - cacheRead) : 0;
      const output = randInt(r, 0, 64_000);
      const u = usage(input, output, cacheRead, cacheWrite);
      const ours = picoToUsd(costOf(u, pricing.rates));
      const theirs = calcPrice(
        { input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite },
        model,
        { providerId: provider, timestamp: NOW },
      )!.total_price;
      const scale = Math.max(Math.abs(theirs), 1e-12);
      expect(Math.abs(ours - theirs) / scale, `${JSON.stringify(u)}: ours ${ours}, theirs ${theirs}`).toBeLessThan(1e-12);
    }
  });
});

describe('lookupCatalogue', () => {
  it('reports a fuzzy match with the catalogue id', () => {
    expect(lookupCatalogue('anthropic', 'claude-haiku-4-5-20251001', NOW)?.source).toMatchObject({ catalogueId: 'claude-haiku-4-5', exact: false });
    expect(lookupCatalogue('openai', 'gpt-5.4-mini-2026-03-17', NOW)?.source).toMatchObject({ catalogueId: 'gpt-5.4-mini', exact: false });
  });

  it('knows nothing of openai-compatible servers or unknown ids', () => {
    expect(lookupCatalogue('openai-compatible', 'llama3.2:3b', NOW)).toBeUndefined();
    expect(lookupCatalogue('openai', 'no-such-model-xyz', NOW)).toBeUndefined();
  });

  it('keeps the catalogue tiers, sorted, in micro-USD per million tokens', () => {
    const r = lookupCatalogue('anthropic', 'claude-sonnet-4-5', NOW)!.rates;
    expect(r.input).toEqual({ base: 3_000_000, tiers: [{ start: 200_000, rate: 6_000_000 }] });
    expect(r.output).toEqual({ base: 15_000_000, tiers: [{ start: 200_000, rate: 22_500_000 }] });
    expect(r.cacheRead).toEqual({ base: 300_000, tiers: [{ start: 200_000, rate: 600_000 }] });
    expect(r.cacheWrite).toEqual({ base: 3_750_000, tiers: [{ start: 200_000, rate: 7_500_000 }] });
  });
});

describe('price overrides', () => {
  it.each([
    { usd: 0, micro: 0 },
    { usd: 1, micro: 1_000_000 },
    { usd: 0.075, micro: 75_000 },
    { usd: 0.000001, micro: 1 },
    { usd: 1.234567, micro: 1_234_567 },
    { usd: 150, micro: 150_000_000 },
    { usd: 999_999.999999, micro: 999_999_999_999 },
  ])('toMicro($usd) = $micro', ({ usd, micro }) => {
    expect(toMicro(usd, 'input')).toBe(micro);
  });

  it.each([
    { usd: 0.0000001, message: 'input: price 0.0000001 has more than 6 decimal places (USD per million tokens)' },
    { usd: 1.0000001, message: 'input: price 1.0000001 has more than 6 decimal places (USD per million tokens)' },
    { usd: 0.1234565, message: 'input: price 0.1234565 has more than 6 decimal places (USD per million tokens)' },
    { usd: -1, message: 'input: price must be a non-negative number' },
    { usd: Number.NaN, message: 'input: price must be a non-negative number' },
    { usd: Number.POSITIVE_INFINITY, message: 'input: price must be a non-negative number' },
  ])('toMicro($usd) is refused', ({ usd, message }) => {
    expect(() => toMicro(usd, 'input')).toThrow(new PriceError('input', message.slice('input: '.length)));
    expect(() => toMicro(usd, 'input')).toThrow(message);
  });

  it('names the offending price key', () => {
    let err: unknown;
    try {
      overridePricing({ input: 1, output: 2, cache_write: 0.00000001 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PriceError);
    expect([(err as PriceError).what, (err as PriceError).detail]).toEqual(['cache_write', 'price 0.00000001 has more than 6 decimal places (USD per million tokens)']);
  });
});

describe('describeRate', () => {
  it.each([
    { rate: undefined, text: '—' },
    { rate: { base: 0, tiers: [] }, text: '$0' },
    { rate: { base: 75_000, tiers: [] }, text: '$0.075' },
    { rate: { base: 3_000_000, tiers: [{ start: 200_000, rate: 6_000_000 }] }, text: '$3 / $6 >200,000' },
  ])('$text', ({ rate, text }) => {
    expect(describeRate(rate)).toBe(text);
  });
});
