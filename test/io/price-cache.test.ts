import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelPricing } from '../../src/core/money/pricing.js';
import { loadPolicyFile } from '../../src/io/policy-file.js';
import { catalogueSeed, CatalogueNeeded, PriceCache, priceCachePath } from '../../src/io/price-cache.js';

const now = new Date('2026-11-01');
const rate = (base: number) => ({ base, tiers: [] });
const priced = (input: number, timeDependent = false): ModelPricing => ({
  rates: { input: rate(input), output: rate(input * 4) },
  source: { kind: 'catalogue', providerId: 'openai', catalogueId: 'gpt-x', timeDependent, exact: true },
});

describe('the price cache', () => {
  it('keeps timeless catalogue answers (misses too) and answers them without the catalogue; never a dated one', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'frugal-prices-')), 'prices.json');
    const cache = new PriceCache(path, '1.0');
    expect(() => cache.cachedOnly('openai', 'gpt-x', now)).toThrow(CatalogueNeeded);
    let asked = 0;
    const catalogue = (_p: string, model: string) => {
      asked++;
      return model === 'gpt-x' ? priced(2) : model === 'gpt-dated' ? priced(3, true) : undefined;
    };
    const through = cache.through(catalogue);
    expect(through('openai', 'gpt-x', now)).toEqual(priced(2));
    expect(through('openai', 'nope', now)).toBeUndefined();
    expect(through('openai', 'gpt-dated', now)).toEqual(priced(3, true));
    expect(through('openai', 'gpt-x', now)).toEqual(priced(2));
    expect(asked).toBe(3);
    cache.save();
    const again = new PriceCache(path, '1.0');
    expect(again.cachedOnly('openai', 'gpt-x', now)).toEqual(priced(2));
    expect(again.cachedOnly('openai', 'nope', now)).toBeUndefined();
    expect(() => again.cachedOnly('openai', 'gpt-dated', now)).toThrow(CatalogueNeeded);
    // Another catalogue version: nothing known.
    expect(() => new PriceCache(path, '1.1').cachedOnly('openai', 'gpt-x', now)).toThrow(CatalogueNeeded);
    // A damaged file is no cache.
    writeFileSync(path, '{"version": "1.0", "pri');
    expect(() => new PriceCache(path, '1.0').cachedOnly('openai', 'gpt-x', now)).toThrow(CatalogueNeeded);
  });

  it("answers from the index built with frugal for the same catalogue version, and from its own answers first", () => {
    const index = JSON.stringify({ version: '1.0', prices: { 'openai\0gpt-x': priced(7) } });
    expect(catalogueSeed(index, '1.1')).toEqual({});
    expect(catalogueSeed('not json', '1.0')).toEqual({});
    expect(catalogueSeed(undefined, '1.0')).toEqual({});
    const path = join(mkdtempSync(join(tmpdir(), 'frugal-prices-')), 'prices.json');
    const seeded = new PriceCache(path, '1.0', catalogueSeed(index, '1.0'));
    expect(seeded.empty).toBe(false);
    expect(seeded.cachedOnly('openai', 'gpt-x', now)).toEqual(priced(7));
    expect(() => seeded.cachedOnly('openai', 'gpt-y', now)).toThrow(CatalogueNeeded);
    expect(seeded.through(() => priced(9))('openai', 'gpt-x', now)).toEqual(priced(7));
  });

  it('an edited policy whose models were priced before validates from the cache (what it holds is what prices it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frugal-prices-'));
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const path = join(dir, 'routes.yaml');
    // A dated id the build-time index does not list: the catalogue answers it, and the answer is kept.
    const text = 'default: mini\nmodels:\n  mini: { provider: anthropic, model: claude-haiku-4-5-20251001 }\n';
    writeFileSync(path, text);
    const first = await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    const catalogueRate = first.models.get('mini')!.pricing.rates.input.base;
    expect(catalogueRate).toBeGreaterThan(0);
    // Mark the kept answer, then edit routes.yaml (its policy cache misses).
    const file = priceCachePath(env)!;
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { prices: Record<string, ModelPricing> };
    stored.prices['anthropic\0claude-haiku-4-5-20251001']!.rates.input.base = 123;
    writeFileSync(file, JSON.stringify(stored));
    writeFileSync(path, `${text}# edited\n`);
    const edited = await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    expect(edited.models.get('mini')!.pricing.rates.input.base).toBe(123);
    // frugal validate (no caches) asks the catalogue itself.
    const checked = await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: false });
    expect(checked.models.get('mini')!.pricing.rates.input.base).toBe(catalogueRate);
  });
});
