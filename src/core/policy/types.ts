import type { Matcher } from '../routing/matchers.js';
import type { ProviderKind } from './schema.js';
import type { ModelPricing, ModelRates } from '../money/pricing.js';

export interface ModelConfig {
  alias: string;
  provider: ProviderKind;
  model: string;
  baseUrl?: string | undefined;
  apiKeyEnv?: string | undefined;
  api?: 'chat' | 'responses' | undefined;
  maxTokens?: number | undefined;
  fallback?: string | undefined;
  pricing: ModelPricing;
  /** routes.yaml `batch: true`: this model's prompts go through the provider's batch API. */
  batch?: boolean | undefined;
  /** The batch API's rates (see money/batch-price.ts); undefined when the provider has none. */
  batchRates?: ModelRates | undefined;
}

export interface ClassRule {
  name: string;
  description?: string | undefined;
  route: string;
  when: Matcher;
}

export interface Policy {
  file: string;
  baseline: string;
  /** True when routes.yaml named no baseline and the priciest model was taken. */
  baselineImplied: boolean;
  default: string;
  tokenizer: 'estimate' | 'o200k';
  models: Map<string, ModelConfig>;
  classes: ClassRule[];
  budget: { maxSpendUsd?: number | undefined; perModelUsd: Map<string, number> };
}
