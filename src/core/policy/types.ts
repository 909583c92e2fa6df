import type { Matcher } from '../routing/matchers.js';
import type { ProviderKind } from './schema.js';
import type { ModelPricing, ModelRates } from '../money/pricing.js';
import type { ModelOptions } from './options.js';
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
  /** The model's `options:` from routes.yaml, checked. */
  options?: ModelOptions | undefined;
  pricing: ModelPricing;
  /** routes.yaml `batch: true`: this model's prompts go through the provider's batch API. */
  batch?: boolean | undefined;
  /** The batch API's rates (see money/batch-price.ts); undefined when the provider has none. */
  batchRates?: ModelRates | undefined;
}

export interface ClassRule {
  name: string;
  description?: string | undefined;
  /** A model alias or a cascade name. */
  route: string;
  when: Matcher;
  /** A JSON Schema the class's answers must conform to (compile it with core/quality/json-schema.ts). */
  schema?: Record<string, unknown> | undefined;
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
  /** What computes `similar_to` similarities: `builtin` (lexical, in process) or a model alias. */
  embedder: string;
  /** The policy's `tests:`, as written (records like input lines, plus `class` or `route`). */
  tests: Record<string, unknown>[];
  /** `tests_file:` as written (relative to the policy file). */
  testsFile?: string | undefined;
}
