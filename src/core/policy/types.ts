import type { Matcher } from '../routing/matchers.js';
import type { ProviderKind } from './schema.js';
import type { ModelPricing } from '../money/pricing.js';
import type { Cascade } from '../routing/cascade.js';

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
}

export interface ClassRule {
  name: string;
  description?: string | undefined;
  /** A model alias or a cascade name. */
  route: string;
  when: Matcher;
}

export interface Policy {
  file: string;
  baseline: string;
  /** True when routes.yaml named no baseline and the priciest model was taken. */
  baselineImplied: boolean;
  /** A model alias or a cascade name. */
  default: string;
  tokenizer: 'estimate' | 'o200k';
  models: Map<string, ModelConfig>;
  classes: ClassRule[];
  /** Cascades by name: routes may name one instead of a model. */
  cascades: Map<string, Cascade>;
  budget: { maxSpendUsd?: number | undefined; perModelUsd: Map<string, number> };
}
