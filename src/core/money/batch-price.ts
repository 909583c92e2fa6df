import type { ProviderKind } from '../policy/schema.js';
import { flatRate, type ModelRates, type Rate } from './pricing.js';

/**
 * The share of the normal price the providers' batch APIs bill: half, for OpenAI's Batch API and
 * Anthropic's Message Batches alike. The price catalogue has no batch prices, so this is the
 * default; a model's `price: { batch: ... }` overrides it. OpenAI-compatible servers have no batch API.
 */
export const BATCH_SHARE: Record<ProviderKind, number | undefined> = {
  openai: 0.5,
  anthropic: 0.5,
  'openai-compatible': undefined,
};

/** A model's `price.batch`: the share of its normal prices, or its own batch prices (USD per million tokens). */
export type BatchPriceOverride = number | { input: number; output: number; cache_read?: number | undefined; cache_write?: number | undefined };

// Rates are whole picodollars per token; a share of an odd rate rounds to the nearest one.
const scale = (rate: Rate, share: number): Rate => ({ base: Math.round(rate.base * share), tiers: rate.tiers.map((t) => ({ start: t.start, rate: Math.round(t.rate * share) })) });

export function scaleRates(rates: ModelRates, share: number): ModelRates {
  const out: ModelRates = { input: scale(rates.input, share), output: scale(rates.output, share) };
  if (rates.cacheRead) out.cacheRead = scale(rates.cacheRead, share);
  if (rates.cacheWrite) out.cacheWrite = scale(rates.cacheWrite, share);
  return out;
}

/** A model's batch rates, cache reads and writes included; undefined when it has no batch price. Throws PriceError on a bad explicit price. */
export function batchRates(provider: ProviderKind, rates: ModelRates, override: BatchPriceOverride | undefined): ModelRates | undefined {
  if (typeof override === 'object') {
    const out: ModelRates = { input: flatRate(override.input, 'batch.input'), output: flatRate(override.output, 'batch.output') };
    if (override.cache_read !== undefined) out.cacheRead = flatRate(override.cache_read, 'batch.cache_read');
    if (override.cache_write !== undefined) out.cacheWrite = flatRate(override.cache_write, 'batch.cache_write');
    return out;
  }
  const share = override ?? BATCH_SHARE[provider];
  return share === undefined ? undefined : scaleRates(rates, share);
}

/**
 * OpenAI's flex tier (`service_tier: flex`) is billed at the Batch API's prices; other tiers at
 * the normal ones. Anthropic has no flex tier.
 */
export function serviceTierRates(provider: ProviderKind, rates: ModelRates, batch: ModelRates | undefined, tier: string | undefined): ModelRates {
  return tier === 'flex' && provider === 'openai' && batch ? batch : rates;
}
