import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/core/errors.js';
import { parsePolicy } from '../../../src/core/policy/parse.js';
import { flatRate } from '../../../src/core/money/pricing.js';
import { NOW } from '../../support.js';

const load = (models: string) => parsePolicy(`default: a\nmodels:\n${models}`, 'routes.yaml', { now: NOW });

describe('batch keys in routes.yaml', () => {
  it('batch: true marks a model; every openai/anthropic model has batch rates at half price', () => {
    const p = load('  a: { provider: openai, model: gpt-5.4-mini, batch: true, price: { input: 2, output: 8 } }\n  b: { provider: anthropic, model: claude-haiku-4-5 }\n');
    expect(p.models.get('a')).toMatchObject({ batch: true, batchRates: { input: flatRate(1, 'i'), output: flatRate(4, 'o') } });
    const b = p.models.get('b')!;
    expect(b.batch).toBeUndefined();
    expect(b.batchRates!.input.base * 2).toBe(b.pricing.rates.input.base);
  });

  it('price: { batch: SHARE } alone keeps the catalogue prices and sets the batch share', () => {
    const m = load('  a: { provider: anthropic, model: claude-haiku-4-5, price: { batch: 0.25 } }\n').models.get('a')!;
    expect(m.pricing.source.kind).toBe('catalogue');
    expect(m.batchRates!.output.base).toBe(Math.round(m.pricing.rates.output.base * 0.25));
  });

  it('price: { batch: {input, output} } gives explicit batch prices', () => {
    const m = load('  a: { provider: openai, model: gpt-5.4-mini, price: { input: 2, output: 8, batch: { input: 0.9, output: 3 } } }\n').models.get('a')!;
    expect(m.batchRates).toEqual({ input: flatRate(0.9, 'i'), output: flatRate(3, 'o') });
  });

  it('refuses batch: true on an openai-compatible server, and a half-given price', () => {
    expect(() => load('  a: { provider: openai-compatible, model: llama, base_url: "http://x/v1", batch: true, price: { input: 0, output: 0 } }\n')).toThrow(PolicyError);
    expect(() => load('  a: { provider: openai, model: gpt-5.4-mini, price: { input: 2 } }\n')).toThrow(/give both input and output/);
    expect(() => load('  a: { provider: openai, model: gpt-5.4-mini, price: { batch: 2 } }\n')).toThrow(PolicyError);
  });
});
