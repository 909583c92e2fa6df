import type { ModelConfig } from '../core/policy/types.js';
import { apiOf, effectiveBaseUrl, keyVariable, providerSpec } from './registry.js';
import { Secrets } from '../core/secrets.js';
import { ProviderError, type Provider } from './types.js';

export { ProviderError } from './types.js';
export type { GenerateRequest, GenerateResult, EmbedRequest, EmbedResult, Provider } from './types.js';
export { apiOf, effectiveBaseUrl, keyVariable, PROVIDER_REGISTRY } from './registry.js';
export { Secrets, redactKeyish } from '../core/secrets.js';

export interface PoolOptions {
  /** An SDK warning about a model (e.g. deprecated), in frugal's words; called once per model and text. Default: one line on stderr. */
  onWarning?: (modelAlias: string, text: string) => void;
}

const toStderr = (alias: string, text: string) => process.stderr.write(`frugal: model "${alias}": ${text}\n`);

/**
 * Builds each model's adapter on first use, loading only the SDK that model needs. Keys are read
 * from the environment here and handed to the SDK; their values join `secrets`, so that no error
 * text carries them.
 */
export class ProviderPool {
  private readonly cache = new Map<string, Promise<Provider>>();
  /** Adapters already built, by model alias: a batch takes them without waiting a turn. */
  private readonly built = new Map<string, Provider>();
  private readonly warned = new Set<string>();
  /** Every key value read so far; the ledger and writers can redact with it too. */
  readonly secrets = new Secrets();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeoutMs: number,
    private readonly options: PoolOptions = {},
  ) {}

  /** Throws ProviderError('missing-key') when the key variable is unset: nothing is sent. */
  get(m: ModelConfig): Promise<Provider> {
    const variable = keyVariable(m);
    const key = variable ? this.env[variable] : undefined;
    if (variable && !key) {
      return Promise.reject(new ProviderError(`${variable} is not set (needed for ${m.alias}: ${m.provider}/${m.model})`, 'missing-key'));
    }
    this.secrets.add(key);
    let provider = this.cache.get(m.alias);
    if (!provider) {
      provider = this.create(m, key, variable).then((p) => {
        this.built.set(m.alias, p);
        return p;
      });
      this.cache.set(m.alias, provider);
    }
    return provider;
  }

  /** Where the model's requests go, this pool's environment included: key the response cache by it. */
  baseUrlOf(m: Pick<ModelConfig, 'provider' | 'baseUrl'>): string {
    return effectiveBaseUrl(m, this.env);
  }

  /** The model's adapter if it is already built (its key was present), else undefined: call get. */
  ready(m: ModelConfig): Provider | undefined {
    return this.built.get(m.alias);
  }

  private warn(alias: string, text: string): void {
    const once = `${alias}\n${text}`;
    if (this.warned.has(once)) return;
    this.warned.add(once);
    (this.options.onWarning ?? toStderr)(alias, text);
  }

  private create(m: ModelConfig, key: string | undefined, variable: string | undefined): Promise<Provider> {
    const baseUrl = effectiveBaseUrl(m, this.env);
    return providerSpec(m.provider).create(
      {
        apiKey: key,
        baseURL: baseUrl,
        timeoutMs: this.timeoutMs,
        label: { alias: m.alias, provider: m.provider, baseUrl, keyVariable: variable },
        secrets: this.secrets,
        onWarning: (text) => this.warn(m.alias, text),
      },
      apiOf(m),
    );
  }
}
