import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/core/policy/types.js';
import { ProviderPool } from '../../src/providers/index.js';
import { OpenAIProvider } from '../../src/providers/openai.js';
import { openaiBaseUrl } from '../fake/server.js';
import { fakeServerForFile } from './suite.js';
import { cosine, textVector } from '../fake/vectors.js';

const fake = fakeServerForFile();

const signal = new AbortController().signal;
const provider = () => new OpenAIProvider({ apiKey: 'k', baseURL: openaiBaseUrl(fake()), api: 'chat', timeoutMs: 5000 });
const texts = ['Where is my refund?', 'I want a refund for my order', 'Write a haiku about autumn leaves'];

describe('embed (OpenAI embeddings endpoint)', () => {
  it('sends many texts in one request and returns one vector per text, in order, with usage', async () => {
    const res = await provider().embed({ model: 'text-embedding-3-small', inputs: texts, signal });
    expect(fake().requests).toHaveLength(1);
    expect(fake().requests[0]!.path).toBe('/v1/embeddings');
    expect(fake().requests[0]!.body).toEqual({ model: 'text-embedding-3-small', input: texts, encoding_format: 'float' });
    expect(res.vectors).toHaveLength(3);
    expect(res.vectors.map((v) => v.length)).toEqual([256, 256, 256]);
    expect(res.vectors[0]).toEqual(textVector(texts[0]!));
    // 4 + 7 + 6 words
    expect(res.usage).toEqual({ input: 17, output: 0, cacheRead: 0, cacheWrite: 0 });
    expect(res.rawUsage).toEqual({ prompt_tokens: 17, total_tokens: 17 });
  });

  it('the fake’s vectors put texts that share words close together', async () => {
    const { vectors } = await provider().embed({ model: 'e', inputs: [...texts, 'refunds and orders'], signal });
    const [a, b, c, d] = vectors as [number[], number[], number[], number[]];
    expect(cosine(a, a)).toBeCloseTo(1, 6);
    expect(cosine(a, b)).toBeGreaterThan(0.3);
    expect(cosine(b, d)).toBeGreaterThan(cosine(c, d));
    expect(Math.abs(cosine(a, c))).toBeLessThan(0.2);
  });

  it('the fake speaks the SDK’s default base64 encoding too', async () => {
    const client = new OpenAI({ apiKey: 'k', baseURL: openaiBaseUrl(fake()), maxRetries: 0 });
    const res = await client.embeddings.create({ model: 'e', input: 'Where is my refund?' });
    const got = Array.from(res.data[0]!.embedding);
    textVector('Where is my refund?').forEach((x, i) => expect(got[i]).toBeCloseTo(x, 6));
  });

  it('maps a 429 and a malformed body like generate does', async () => {
    fake().enqueueFaults([{ status: 429, retryAfterMs: 200 }, { kind: 'html' }]);
    await expect(provider().embed({ model: 'e', inputs: texts, signal })).rejects.toMatchObject({ kind: 'http', status: 429, retryAfterMs: 200 });
    await expect(provider().embed({ model: 'e', inputs: texts, signal })).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('is offered by openai and openai-compatible models, not by anthropic ones', async () => {
    const pool = new ProviderPool({ OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', OPENAI_BASE_URL: openaiBaseUrl(fake()) }, 5000);
    const model = (provider: ModelConfig['provider']) => ({ alias: provider, provider, model: 'e', pricing: {} }) as unknown as ModelConfig;
    expect((await pool.get(model('openai'))).embed).toBeTypeOf('function');
    const local = await pool.get(model('openai-compatible'));
    await expect(local.embed!({ model: 'nomic-embed-text', inputs: ['a b'], signal })).resolves.toMatchObject({ usage: { input: 2 } });
    expect((await pool.get(model('anthropic'))).embed).toBeUndefined();
  });
});
