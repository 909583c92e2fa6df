import type { ModelConfig } from '../core/policy/types.js';
import { ProviderError, type Provider } from './types.js';

export { ProviderError } from './types.js';
export type { GenerateRequest, GenerateResult, EmbedRequest, EmbedResult, Provider } from './types.js';

const DEFAULT_KEY_ENV: Record<string, string | undefined> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  'openai-compatible': undefined,
};

/** The environment variable a model's key is read from, if it needs one. */
export function keyVariable(m: ModelConfig): string | undefined {
  return m.apiKeyEnv ?? DEFAULT_KEY_ENV[m.provider];
}

/**
 * Builds each model's adapter on first use, loading only the SDK that model needs. Keys are read
 * from the environment here and handed to the SDK; they are never stored anywhere else.
 */
export class ProviderPool {
  private readonly cache = new Map<string, Promise<Provider>>();
  /** Adapters already built, by model alias: a batch takes them without waiting a turn. */
  private readonly built = new Map<string, Provider>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeoutMs: number,
  ) {}

  /** Throws ProviderError('missing-key') when the key variable is unset: nothing is sent. */
  get(m: ModelConfig): Promise<Provider> {
    const variable = keyVariable(m);
    const key = variable ? this.env[variable] : undefined;
    if (variable && !key) {
      return Promise.reject(new ProviderError(`${variable} is not set (needed for ${m.alias}: ${m.provider}/${m.model})`, 'missing-key'));
    }
    let provider = this.cache.get(m.alias);
    if (!provider) {
      provider = this.create(m, key).then((p) => {
        this.built.set(m.alias, p);
        return p;
      });
      this.cache.set(m.alias, provider);
    }
    return provider;
  }

  /** The model's adapter if it is already built (its key was present), else undefined: call get. */
  ready(m: ModelConfig): Provider | undefined {
    return this.built.get(m.alias);
  }

  private async create(m: ModelConfig, key: string | undefined): Promise<Provider> {
    if (m.provider === 'anthropic') {
      const { AnthropicProvider } = await import('./anthropic.js');
      return new AnthropicProvider({ apiKey: key!, baseURL: m.baseUrl ?? this.env.ANTHROPIC_BASE_URL, timeoutMs: this.timeoutMs });
    }
    const { OpenAIProvider } = await import('./openai.js');
    return new OpenAIProvider({
      apiKey: key,
      baseURL: m.baseUrl ?? this.env.OPENAI_BASE_URL,
      // Responses is OpenAI's own current API; compatible servers implement Chat Completions.
      api: m.api ?? (m.provider === 'openai' ? 'responses' : 'chat'),
      timeoutMs: this.timeoutMs,
      batch: m.provider === 'openai',
    });
  }
}
