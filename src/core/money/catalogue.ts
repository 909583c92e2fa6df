import { calcPrice, type ModelPrice } from '@pydantic/genai-prices';
import { flatRate, toMicro, type ModelPricing, type ModelRates, type Rate } from './pricing.js';

// The price catalogue is a large module: only policy validation loads it (see io/policy-file.ts).

function catalogueRate(price: ModelPrice[string], what: string): Rate | undefined {
  if (price === undefined) return undefined;
  if (typeof price === 'number') return flatRate(price, what);
  const tiers = [...price.tiers]
    .sort((a, b) => a.start - b.start)
    .map((t) => ({ start: t.start, rate: toMicro(t.price, what) }));
  return { base: toMicro(price.base, what), tiers };
}

const CATALOGUE_PROVIDER: Record<string, string | undefined> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'openai-compatible': undefined,
};

/**
 * Look a model up in the bundled @pydantic/genai-prices catalogue. Prices that change over time
 * are resolved for `at`. Returns undefined when the catalogue has no text price for it.
 */
export function lookupCatalogue(provider: string, model: string, at: Date): ModelPricing | undefined {
  const providerId = CATALOGUE_PROVIDER[provider];
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId, timestamp: at });
  if (!found) return undefined;
  const p = found.model_price;
  const what = `catalogue ${found.provider.id}/${found.model.id}`;
  const input = catalogueRate(p.input_mtok, what);
  const output = catalogueRate(p.output_mtok, what);
  if (!input || !output) return undefined;
  const rates: ModelRates = { input, output };
  const cacheRead = catalogueRate(p.cache_read_mtok, what);
  const cacheWrite = catalogueRate(p.cache_write_mtok, what);
  if (cacheRead) rates.cacheRead = cacheRead;
  if (cacheWrite) rates.cacheWrite = cacheWrite;
  return {
    rates,
    source: {
      kind: 'catalogue',
      providerId: found.provider.id,
      catalogueId: found.model.id,
      // Prices with start dates or time-of-day windows were resolved for `at` only.
      timeDependent: Array.isArray(found.model.prices),
      exact: found.model.id.toLowerCase() === model.trim().toLowerCase(),
      ...(found.model.name ? { name: found.model.name } : {}),
    },
  };
}

