import type { ApiKind } from '../core/policy/options.js';
import type { ModelConfig } from '../core/policy/types.js';
import type { ProviderKind } from '../core/policy/schema.js';
import type { AdapterConfig, Provider } from './types.js';

/** What frugal knows about one kind of provider. */
export interface ProviderSpec {
  /** Where its key is read from unless the model names another variable; undefined: no key. */
  keyVariable: string | undefined;
  /** The variable that moves its default endpoint, as the official SDK reads it. */
  baseUrlVariable: string;
  defaultBaseUrl: string;
  /** The APIs it speaks; the first is used unless the model says `api:`. */
  apis: readonly [ApiKind, ...ApiKind[]];
  capabilities: { generate: true; embed: boolean; batch: boolean };
  /** Builds the adapter, loading only the SDK it needs. */
  create(config: AdapterConfig, api: ApiKind): Promise<Provider>;
}

async function openai(config: AdapterConfig, api: ApiKind, batch = false): Promise<Provider> {
  const { OpenAIProvider } = await import('./openai.js');
  return new OpenAIProvider({ ...config, api: api === 'responses' ? 'responses' : 'chat', batch });
}

export const PROVIDER_REGISTRY = {
  openai: {
    keyVariable: 'OPENAI_API_KEY',
    baseUrlVariable: 'OPENAI_BASE_URL',
    defaultBaseUrl: 'https://api.openai.com/v1',
    // Responses is OpenAI's own current API.
    apis: ['responses', 'chat'],
    capabilities: { generate: true, embed: true, batch: true },
    // OpenAI itself has the Batch API; compatible servers do not.
    create: (config, api) => openai(config, api, true),
  },
  anthropic: {
    keyVariable: 'ANTHROPIC_API_KEY',
    baseUrlVariable: 'ANTHROPIC_BASE_URL',
    defaultBaseUrl: 'https://api.anthropic.com',
    apis: ['messages'],
    capabilities: { generate: true, embed: false, batch: true },
    create: async (config) => {
      const { AnthropicProvider } = await import('./anthropic.js');
      return new AnthropicProvider(config);
    },
  },
  'openai-compatible': {
    keyVariable: undefined,
    baseUrlVariable: 'OPENAI_BASE_URL',
    defaultBaseUrl: 'https://api.openai.com/v1',
    // Compatible servers (Ollama, vLLM, llama.cpp) implement Chat Completions.
    apis: ['chat', 'responses'],
    capabilities: { generate: true, embed: true, batch: false },
    create: openai,
  },
} as const satisfies Record<ProviderKind, ProviderSpec>;

export const providerSpec = (kind: ProviderKind): ProviderSpec => PROVIDER_REGISTRY[kind];

/** The environment variable a model's key is read from, if it needs one. */
export function keyVariable(m: Pick<ModelConfig, 'provider' | 'apiKeyEnv'>): string | undefined {
  return m.apiKeyEnv ?? providerSpec(m.provider).keyVariable;
}

/**
 * The base URL a model's requests really go to: its `base_url`, else the provider's base-URL
 * variable, else the provider's default. The response cache is keyed by it, so a different
 * server is never answered from the cache.
 */
export function effectiveBaseUrl(m: Pick<ModelConfig, 'provider' | 'baseUrl'>, env: Readonly<Record<string, string | undefined>>): string {
  const spec = providerSpec(m.provider);
  const url = m.baseUrl || env[spec.baseUrlVariable] || spec.defaultBaseUrl;
  return url.replace(/\/+$/, '');
}

/** The API a model's requests use: its `api:` when its provider speaks it, else the provider's first. */
export function apiOf(m: Pick<ModelConfig, 'provider' | 'api'>): ApiKind {
  const apis: readonly ApiKind[] = providerSpec(m.provider).apis;
  return m.api !== undefined && apis.includes(m.api) ? m.api : apis[0]!;
}
