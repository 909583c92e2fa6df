import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROVIDERS } from '../../src/core/policy/schema.js';
import type { ModelConfig } from '../../src/core/policy/types.js';
import { ProviderPool } from '../../src/providers/index.js';
import { PROVIDER_REGISTRY, apiOf, effectiveBaseUrl, keyVariable } from '../../src/providers/registry.js';
import { anthropicBaseUrl, openaiBaseUrl } from '../fake/server.js';
import { fakeServerForFile } from './suite.js';

const fake = fakeServerForFile();
afterEach(() => vi.restoreAllMocks());

const model = (m: Partial<ModelConfig> & Pick<ModelConfig, 'provider'>): ModelConfig =>
  ({ alias: 'm', model: 'gpt-x', pricing: { rates: {}, source: { kind: 'override' } }, ...m }) as ModelConfig;

const ask = { messages: [{ role: 'user' as const, content: 'hi' }], signal: new AbortController().signal };

describe('the provider registry', () => {
  it('knows every provider kind of the policy schema', () => {
    expect(Object.keys(PROVIDER_REGISTRY).sort()).toEqual([...PROVIDERS].sort());
  });

  it('names the key variable: the model’s own, else the provider’s, none for compatible servers', () => {
    expect(keyVariable(model({ provider: 'openai' }))).toBe('OPENAI_API_KEY');
    expect(keyVariable(model({ provider: 'anthropic' }))).toBe('ANTHROPIC_API_KEY');
    expect(keyVariable(model({ provider: 'openai-compatible' }))).toBeUndefined();
    expect(keyVariable(model({ provider: 'openai', apiKeyEnv: 'MY_KEY' }))).toBe('MY_KEY');
  });

  it('gives the base URL requests really go to: base_url, else the variable, else the default', () => {
    const env = { OPENAI_BASE_URL: 'http://proxy:8080/v1/', ANTHROPIC_BASE_URL: 'http://claude-proxy' };
    expect(effectiveBaseUrl(model({ provider: 'openai', baseUrl: 'http://own/v1' }), env)).toBe('http://own/v1');
    expect(effectiveBaseUrl(model({ provider: 'openai' }), env)).toBe('http://proxy:8080/v1');
    expect(effectiveBaseUrl(model({ provider: 'openai-compatible' }), env)).toBe('http://proxy:8080/v1');
    expect(effectiveBaseUrl(model({ provider: 'anthropic' }), env)).toBe('http://claude-proxy');
    expect(effectiveBaseUrl(model({ provider: 'openai' }), {})).toBe('https://api.openai.com/v1');
    expect(effectiveBaseUrl(model({ provider: 'anthropic' }), { OPENAI_BASE_URL: 'http://x' })).toBe('https://api.anthropic.com');
  });

  it('picks the API: the model’s when its provider speaks it, else the provider’s first', () => {
    expect(apiOf(model({ provider: 'openai' }))).toBe('responses');
    expect(apiOf(model({ provider: 'openai', api: 'chat' }))).toBe('chat');
    expect(apiOf(model({ provider: 'openai-compatible' }))).toBe('chat');
    expect(apiOf(model({ provider: 'anthropic', api: 'chat' }))).toBe('messages');
  });
});

describe('ProviderPool', () => {
  it('sends to the base URL from the environment it was given', async () => {
    const pool = new ProviderPool({ OPENAI_API_KEY: 'sk-test-abcdefgh', OPENAI_BASE_URL: openaiBaseUrl(fake()) }, 5000);
    const p = await pool.get(model({ provider: 'openai' }));
    await expect(p.generate({ model: 'gpt-x', ...ask })).resolves.toMatchObject({ finishReason: 'stop' });
    expect(fake().requests[0]).toMatchObject({ path: '/v1/responses', headers: { authorization: 'Bearer sk-test-abcdefgh' } });
  });

  it('tells where a model’s requests go, its environment included', () => {
    const pool = new ProviderPool({ ANTHROPIC_BASE_URL: 'http://gateway/' }, 5000);
    expect(pool.baseUrlOf(model({ provider: 'anthropic' }))).toBe('http://gateway');
    expect(pool.baseUrlOf(model({ provider: 'openai' }))).toBe('https://api.openai.com/v1');
  });

  it('refuses a model whose key variable is unset, naming it', async () => {
    const pool = new ProviderPool({}, 5000);
    await expect(pool.get(model({ provider: 'anthropic', alias: 'smart', model: 'claude-x' }))).rejects.toMatchObject({
      kind: 'missing-key',
      message: 'ANTHROPIC_API_KEY is not set (needed for smart: anthropic/claude-x)',
    });
  });

  it('a refused key names the alias, provider, base URL and variable, and the echoed key is redacted', async () => {
    const key = 'team-key-0000111122223333';
    const pool = new ProviderPool({ TEAM_KEY: key, OPENAI_BASE_URL: openaiBaseUrl(fake()) }, 5000);
    const p = await pool.get(model({ provider: 'openai', alias: 'fast', apiKeyEnv: 'TEAM_KEY' }));
    fake().enqueueFaults([{ status: 401, message: 'Incorrect API key', echoKey: true }]);
    const err = (await p.generate({ model: 'gpt-x', ...ask }).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: 'http', status: 401 });
    expect(err.message).toBe(`Incorrect API key (you sent: authorization=[redacted] x-api-key=) (model "fast": openai at ${openaiBaseUrl(fake())}; key from TEAM_KEY)`);
    expect(pool.secrets.redact(`echo ${key}`)).toBe('echo [redacted]');
  });

  it('shows an SDK deprecation warning once per model, in frugal’s words, not on the console', async () => {
    const warnings: string[] = [];
    const consoleWarn = vi.spyOn(console, 'warn');
    const pool = new ProviderPool({ ANTHROPIC_API_KEY: 'sk-ant-abcdefgh', ANTHROPIC_BASE_URL: anthropicBaseUrl(fake()) }, 5000, {
      onWarning: (alias, text) => warnings.push(`${alias}: ${text}`),
    });
    const old = model({ provider: 'anthropic', alias: 'old', model: 'claude-sonnet-4-5' });
    const p = await pool.get(old);
    for (const onText of [undefined, () => undefined, undefined]) await p.generate({ model: old.model, ...ask, onText });
    const other = await pool.get({ ...old, alias: 'old2' });
    await other.generate({ model: old.model, ...ask });
    expect(warnings).toEqual([
      'old: claude-sonnet-4-5 is deprecated by its provider and stops working on November 30th, 2026; move this route to a newer model',
      'old2: claude-sonnet-4-5 is deprecated by its provider and stops working on November 30th, 2026; move this route to a newer model',
    ]);
    expect(consoleWarn).not.toHaveBeenCalled();
  });

  it('by default writes the warning to stderr, once', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const pool = new ProviderPool({ ANTHROPIC_API_KEY: 'sk-ant-abcdefgh', ANTHROPIC_BASE_URL: anthropicBaseUrl(fake()) }, 5000);
    const old = model({ provider: 'anthropic', alias: 'old', model: 'claude-sonnet-4-5' });
    const p = await pool.get(old);
    await p.generate({ model: old.model, ...ask });
    await p.generate({ model: old.model, ...ask });
    const lines = write.mock.calls.map((c) => String(c[0])).filter((t) => t.includes('deprecated'));
    expect(lines).toEqual(['frugal: model "old": claude-sonnet-4-5 is deprecated by its provider and stops working on November 30th, 2026; move this route to a newer model\n']);
  });
});
