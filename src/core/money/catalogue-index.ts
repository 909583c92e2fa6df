import { findProvider } from '@pydantic/genai-prices';
import { lookupCatalogue } from './catalogue.js';
import type { ModelPricing } from './pricing.js';

/**
 * The catalogue's answer for every model id it lists for the providers frugal prices from it,
 * worked out by the catalogue itself (lookupCatalogue) at build time, so that a policy naming
 * those ids validates without loading the catalogue. Prices that depend on the date are left out:
 * they are resolved for each run.
 */
export function catalogueIndex(at: Date): Record<string, ModelPricing> {
  const prices: Record<string, ModelPricing> = {};
  for (const provider of ['openai', 'anthropic'] as const) {
    for (const { id } of findProvider({ providerId: provider })?.models ?? []) {
      const found = lookupCatalogue(provider, id, at);
      if (found && !(found.source.kind === 'catalogue' && found.source.timeDependent === true)) prices[`${provider}\0${id}`] = found;
    }
  }
  return prices;
}
