import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { overridePricing } from '../../src/core/money/pricing.js';
import type { ModelConfig } from '../../src/core/policy/types.js';
import { cosine, unitDense } from '../../src/core/routing/similar.js';
import { remoteEmbedder } from '../../src/executors/embed.js';
import { dbPath } from '../../src/io/store-path.js';
import { openEmbeddingCache } from '../../src/io/embedding-cache.js';
import { ProviderError, type EmbedRequest, type Provider } from '../../src/providers/types.js';

// The fake server's embeddings endpoint is on the providers branch, not this one: this minimal
// in-test provider stands in for it (deterministic vectors, as that endpoint gives).
function stubProvider(script: (r: EmbedRequest, n: number) => void = () => {}): Provider & { requests: EmbedRequest[] } {
  const requests: EmbedRequest[] = [];
  return {
    requests,
    generate: () => Promise.reject(new Error('not used')),
    embed: (r) => {
      requests.push(r);
      script(r, requests.length);
      const vectors = r.inputs.map((t) => [t.length, t.charCodeAt(0) || 0, 3]);
      return Promise.resolve({ vectors, usage: { input: r.inputs.length * 10, output: 0, cacheRead: 0, cacheWrite: 0 } });
    },
  };
}

const model: ModelConfig = { alias: 'embed', provider: 'openai', model: 'text-embedding-3-small', pricing: overridePricing({ input: 0.02, output: 0 }) };

const options = (provider: Provider) => ({
  model,
  baseUrl: 'http://127.0.0.1:9/v1/',
  provider: () => Promise.resolve(provider),
  count: (t: string) => t.length,
  clock: () => 0,
  sleep: () => Promise.resolve(),
  random: () => 0.5,
});

describe('the remote embedder', () => {
  it('sends many texts per request and returns one embed call per request, priced at the input price', async () => {
    const provider = stubProvider();
    const e = remoteEmbedder({ ...options(provider), batchSize: 2, concurrency: 2 });
    expect(e.name).toBe('openai:text-embedding-3-small:http://127.0.0.1:9/v1');
    const { vectors, calls } = await e.embed(['a', 'bb', 'ccc', 'dddd', 'eeeee']);
    expect(provider.requests.map((r) => r.inputs)).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    // In input order, whatever order the requests finish in.
    vectors.forEach((v, i) => expect((v as Float32Array)[0]! / (v as Float32Array)[2]!).toBeCloseTo((i + 1) / 3, 5));
    expect(cosine(vectors[0]!, vectors[0]!)).toBeCloseTo(1, 6);
    expect(calls).toHaveLength(3);
    // 20 tokens at $0.02 per million = 400,000 picodollars.
    expect(calls[0]).toMatchObject({ kind: 'embed', route: 'embed', provider: 'openai', model: 'text-embedding-3-small', usage: { input: 20, output: 0 }, cost: 400_000n, unsettled: 0n, attempts: 1, cached: false });
  });

  it('retries a 429 and counts the attempts', async () => {
    const provider = stubProvider((_r, n) => {
      if (n === 1) throw new ProviderError('rate limited', 'http', 429);
    });
    const { calls } = await remoteEmbedder(options(provider)).embed(['x']);
    expect(calls[0]!.attempts).toBe(2);
  });

  it('a timed-out attempt keeps its input bound as unsettled cost; a 429 costs nothing', async () => {
    const provider = stubProvider((_r, n) => {
      if (n === 1) throw new ProviderError('request timed out', 'timeout');
      if (n === 2) throw new ProviderError('rate limited', 'http', 429);
    });
    const { calls } = await remoteEmbedder(options(provider)).embed(['hello']);
    // 10 tokens billed = 200,000 pico; the timeout: 5 UTF-8 bytes at $0.02 per million = 100,000 pico.
    expect(calls[0]).toMatchObject({ attempts: 3, cost: 300_000n, unsettled: 100_000n });
  });

  it('a 400 or a provider without embeddings is a user error, not a stack trace', async () => {
    const bad = stubProvider(() => {
      throw new ProviderError('model not found', 'http', 400);
    });
    await expect(remoteEmbedder(options(bad)).embed(['x'])).rejects.toThrow(UserError);
    const noEmbed: Provider = { generate: () => Promise.reject(new Error('x')) };
    await expect(remoteEmbedder(options(noEmbed)).embed(['x'])).rejects.toThrow(/cannot make embedding calls/);
  });

  it('without usage from the server, the cost is an estimate from the token count', async () => {
    const provider: Provider = { generate: () => Promise.reject(new Error('x')), embed: (r) => Promise.resolve({ vectors: r.inputs.map(() => [1, 0]), usage: undefined }) };
    const { calls } = await remoteEmbedder(options(provider)).embed(['abcd']);
    expect(calls[0]).toMatchObject({ usage: { input: 4 }, cost: 80_000n, unsettled: 80_000n });
  });
});

describe('the embedding cache', () => {
  it('stores vectors by embedder and text, exactly, in its own table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'frugal-embed-'));
    const cache = openEmbeddingCache(dir, { now: () => new Date('2026-01-01T00:00:00Z') });
    const v = unitDense([0.1, 0.2, 0.3]);
    cache.put('a', ['hello', 'world'], [v, unitDense([1, 0, 0])]);
    expect(cache.get('a', ['world', 'nope', 'hello'])).toEqual([unitDense([1, 0, 0]), undefined, v]);
    expect(cache.get('b', ['hello'])).toEqual([undefined]);
    // Sparse (builtin) vectors are not stored.
    cache.put('a', ['sparse'], [{ indices: Uint32Array.of(1), values: Float32Array.of(1) }]);
    expect(cache.get('a', ['sparse'])).toEqual([undefined]);
    const many = Array.from({ length: 1200 }, (_, i) => `t${i}`);
    cache.put('a', many, many.map((_, i) => unitDense([i + 1, 1])));
    expect(cache.get('a', many).every((x, i) => x !== undefined && (x as Float32Array)[0] === unitDense([i + 1, 1])[0])).toBe(true);
    cache.close();
    const db = new Database(dbPath(dir), { readonly: true });
    expect(db.prepare("SELECT length(text_hash) AS h, dims, created_ms FROM embeddings WHERE embedder = 'a' AND dims = 3 LIMIT 1").get()).toEqual({ h: 64, dims: 3, created_ms: Date.parse('2026-01-01T00:00:00Z') });
    expect(db.prepare('SELECT count(*) AS n FROM embeddings').get()).toEqual({ n: 1202 });
    db.close();
  });
});
