import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, openCache, type CacheKeyInput } from '../../src/io/cache.js';
import { openLedger } from '../../src/io/ledger.js';
import { call, mode, storedBytes, tempHome } from './ledger-fixtures.js';

let home: ReturnType<typeof tempHome>;
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.remove());

const request: CacheKeyInput = {
  provider: 'openai',
  model: 'gpt-5.4-mini',
  baseUrl: 'http://127.0.0.1:8080/v1',
  api: 'chat',
  system: 'Be brief.',
  messages: [{ role: 'user', content: 'What is the capital of Australia?' }],
  maxTokens: 300,
};

describe('cacheKey', () => {
  it('is a sha256 that depends only on what decides the answer', () => {
    const key = cacheKey(request);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    // Same request built in another order, with extra message fields a reader might carry.
    const reordered = { maxTokens: 300, messages: [{ content: 'What is the capital of Australia?', role: 'user', extra: 1 } as never], system: 'Be brief.', api: 'chat', baseUrl: 'http://127.0.0.1:8080/v1/', model: 'gpt-5.4-mini', provider: 'openai' };
    expect(cacheKey(reordered)).toBe(key);
  });

  it.each<[string, Partial<CacheKeyInput>]>([
    ['provider', { provider: 'openai-compatible' }],
    ['model', { model: 'gpt-5.4' }],
    ['base URL', { baseUrl: 'http://127.0.0.1:9090/v1' }],
    ['no base URL', { baseUrl: undefined }],
    ['api', { api: 'responses' }],
    ['system prompt', { system: undefined }],
    ['message text', { messages: [{ role: 'user', content: 'What is the capital of Austria?' }] }],
    ['message role', { messages: [{ role: 'developer', content: 'What is the capital of Australia?' }] }],
    ['another message', { messages: [...request.messages, { role: 'assistant', content: 'Canberra.' }] }],
    ['max tokens', { maxTokens: 301 }],
    ['no max tokens', { maxTokens: undefined }],
  ])('changes with the %s', (_name, change) => {
    expect(cacheKey({ ...request, ...change })).not.toBe(cacheKey(request));
  });

  it('a system prompt is not the same request as a first message with the same text', () => {
    expect(cacheKey({ ...request, system: undefined, messages: [{ role: 'system', content: 'Be brief.' }, ...request.messages] })).not.toBe(cacheKey(request));
  });
});

describe('openCache', () => {
  it('misses, then hits after a put, in this connection and in a new one', () => {
    const key = cacheKey(request);
    const cache = openCache(home.dir);
    expect(cache.get(key)).toBeUndefined();
    cache.put(key, { text: 'Canberra.', usage: { input: 14, output: 3, cacheRead: 2, cacheWrite: 1 }, answeredBy: 'gpt-5.4-mini-2026-03-01' });
    expect(cache.get(key)).toEqual({ text: 'Canberra.', usage: { input: 14, output: 3, cacheRead: 2, cacheWrite: 1 }, answeredBy: 'gpt-5.4-mini-2026-03-01' });
    expect(cache.get(cacheKey({ ...request, maxTokens: 10 }))).toBeUndefined();
    cache.close();
    const again = openCache(home.dir);
    expect(again.get(key)?.text).toBe('Canberra.');
    again.close();
  });

  it('keeps an answer without usage as such, and a later put replaces an earlier one', () => {
    const cache = openCache(home.dir);
    cache.put('k', { text: 'first', usage: undefined, answeredBy: undefined });
    expect(cache.get('k')).toEqual({ text: 'first', usage: undefined, answeredBy: undefined });
    cache.put('k', { text: '', usage: { input: 1, output: 0, cacheRead: 0, cacheWrite: 0 }, answeredBy: 'm' });
    expect(cache.get('k')).toEqual({ text: '', usage: { input: 1, output: 0, cacheRead: 0, cacheWrite: 0 }, answeredBy: 'm' });
    cache.close();
  });

  it('putResult keeps successful calls only: never errors, estimates or answers that came from the cache', () => {
    const cache = openCache(home.dir);
    const error = { status: 500, message: 'overloaded', kind: 'http' as const };
    expect(cache.putResult('error', call({ error, output: undefined }))).toBe(false);
    expect(cache.putResult('error-with-text', call({ error, output: 'partial stream' }))).toBe(false);
    expect(cache.putResult('estimate', call({ estimated: true, output: undefined }))).toBe(false);
    expect(cache.putResult('cached', call({ cached: true, cost: 0n }))).toBe(false);
    expect(cache.putResult('ok', call())).toBe(true);
    expect(cache.putResult('no-usage', call({ cost: undefined, baselineCost: undefined, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } }))).toBe(true);
    for (const k of ['error', 'error-with-text', 'estimate', 'cached']) expect([k, cache.get(k)]).toEqual([k, undefined]);
    expect(cache.get('ok')).toEqual({ text: 'Canberra.', usage: { input: 12, output: 30, cacheRead: 0, cacheWrite: 0 }, answeredBy: 'claude-haiku-4-5-20251001' });
    expect(cache.get('no-usage')?.usage).toBeUndefined();
    cache.close();
  });

  it('shares the ledger file (its own table) under the same permissions, and stores no prompt text', () => {
    const old = process.umask(0);
    try {
      const ledger = openLedger(home.dir);
      const cache = openCache(home.dir);
      cache.put(cacheKey({ ...request, messages: [{ role: 'user', content: 'PROMPT-SENTINEL-42' }] }), { text: 'answer', usage: undefined, answeredBy: undefined });
      expect(mode(home.dir)).toBe(0o700);
      for (const f of ['frugal.db', 'frugal.db-wal', 'frugal.db-shm']) expect([f, mode(join(home.dir, f))]).toEqual([f, 0o600]);
      expect(storedBytes(home.dir)).not.toContain('PROMPT-SENTINEL-42');
      cache.close();
      ledger.close();
    } finally {
      process.umask(old);
    }
    const db = new Database(join(home.dir, 'frugal.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM response_cache').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM calls').get()).toEqual({ n: 0 });
    db.close();
  });

  it('a cache opened on a fresh folder creates it 0700 with a 0600 file', () => {
    openCache(home.dir).close();
    expect(mode(home.dir)).toBe(0o700);
    expect(mode(join(home.dir, 'frugal.db'))).toBe(0o600);
  });
});
