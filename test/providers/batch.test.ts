import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import type { BatchLineRequest, BatchLineResult, BatchOps } from '../../src/providers/batch/types.js';
import { OpenAIProvider } from '../../src/providers/openai.js';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';

let server: FakeServer;
let openai: BatchOps;
let chat: BatchOps;
let anthropic: BatchOps;

beforeAll(async () => {
  server = await startFakeServer();
  openai = new OpenAIProvider({ apiKey: 'k', baseURL: openaiBaseUrl(server), api: 'responses', timeoutMs: 10_000, batch: true }).batch!;
  chat = new OpenAIProvider({ apiKey: 'k', baseURL: openaiBaseUrl(server), api: 'chat', timeoutMs: 10_000, batch: true }).batch!;
  anthropic = new AnthropicProvider({ apiKey: 'k', baseURL: anthropicBaseUrl(server), timeoutMs: 10_000 }).batch;
  server.setModel('gpt-5.4-mini', { text: 'Paris.', usage: { input: 20, output: 3, cacheRead: 4 } });
  server.setModel('claude-haiku-4-5', { text: 'Lima.', usage: { input: 30, output: 4, cacheRead: 5, cacheWrite: 6 } });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const line = (customId: string, model: string, text: string): BatchLineRequest => ({ customId, request: { model, messages: [{ role: 'user', content: text }], system: 'Be brief.', maxTokens: 50 } });

async function all(ops: BatchOps, id: string): Promise<BatchLineResult[]> {
  const out: BatchLineResult[] = [];
  for await (const r of ops.results(id)) out.push(r);
  return out.sort((a, b) => a.customId.localeCompare(b.customId));
}

describe('a compatible server has no batch API', () => {
  it('offers batch only for OpenAI itself', () => {
    expect(new OpenAIProvider({ apiKey: undefined, baseURL: 'http://localhost:1/v1', api: 'chat', timeoutMs: 1000 }).batch).toBeUndefined();
  });
});

describe.each([
  ['OpenAI Responses', () => openai, 'gpt-5.4-mini', /^batch_/, { input: 20, output: 3, cacheRead: 4, cacheWrite: 0 }],
  ['OpenAI Chat Completions', () => chat, 'gpt-5.4-mini', /^batch_/, { input: 20, output: 3, cacheRead: 4, cacheWrite: 0 }],
  ['Anthropic Message Batches', () => anthropic, 'claude-haiku-4-5', /^msgbatch_/, { input: 30, output: 4, cacheRead: 5, cacheWrite: 6 }],
] as const)('%s', (_name, ops, model, idShape, usage) => {
  it('submits lines, reports progress, streams results joined by custom_id, bills at the batch price', async () => {
    server.batches.setProgress({ pollsToEnd: 2 });
    server.addFaultRule({ promptIncludes: 'boom', fault: { status: 500, message: 'internal' } });
    server.addFaultRule({ promptIncludes: 'bad', fault: { status: 400, message: 'messages: bad' } });
    const submitted = await ops().submit([line('a', model, 'capital of France'), line('b', model, 'boom'), line('c', model, 'bad'), line('d', model, 'x')], 'job.tag1');
    expect(submitted.id).toMatch(idShape);
    expect(submitted).toMatchObject({ state: 'running', total: 4, succeeded: 0 });
    const half = await ops().status(submitted.id);
    expect(half).toMatchObject({ state: 'running', succeeded: 1, failed: 1 });
    const done = await ops().status(submitted.id);
    expect(done).toMatchObject({ state: 'ended', end: 'completed', total: 4, succeeded: 2, failed: 2 });
    const results = await all(ops(), submitted.id);
    expect(results.map((r) => [r.customId, r.ok ? 'ok' : r.failure])).toEqual([['a', 'ok'], ['b', 'retryable'], ['c', 'invalid'], ['d', 'ok']]);
    const a = results[0]!;
    expect(a.ok && a.result).toMatchObject({ text: model.startsWith('gpt') ? 'Paris.' : 'Lima.', usage, answeredBy: model, finishReason: 'stop' });
    expect(results[2]).toMatchObject({ status: 400, message: 'messages: bad' });
    // The wire saw the live adapters' own bodies.
    const sent = server.batches.list()[0]!.lines[0]!.body as Record<string, unknown>;
    if (model.startsWith('claude')) expect(sent).toMatchObject({ model, max_tokens: 50, system: 'Be brief.' });
    else if (sent.input) expect(sent).toMatchObject({ model, instructions: 'Be brief.', max_output_tokens: 50, store: false });
    else expect(sent).toMatchObject({ model, max_completion_tokens: 50 });
    const stats = server.batches.stats();
    expect(stats).toMatchObject({ submittedLines: 4, billedLines: 2 });
    expect(stats.statusChecks).toBeGreaterThanOrEqual(2);
  });

  it('cancels: what ran is kept, the rest comes back cancelled', async () => {
    server.batches.setProgress({ pollsToEnd: 2 });
    const b = await ops().submit(['a', 'b', 'c', 'd'].map((id) => line(id, model, `q ${id}`)), 'job.tag2');
    await ops().status(b.id);
    const c = await ops().cancel(b.id);
    expect(c.state).toBe('cancelling');
    const ended = await ops().status(b.id);
    expect(ended).toMatchObject({ state: 'ended', end: 'cancelled' });
    const results = await all(ops(), b.id);
    expect(results.map((r) => (r.ok ? 'ok' : r.failure))).toEqual(['ok', 'ok', 'cancelled', 'cancelled']);
  });

  it('expires: what ran is kept, the rest comes back expired', async () => {
    server.batches.setProgress({ pollsToEnd: 1, expireAfterLines: 1 });
    const b = await ops().submit(['a', 'b'].map((id) => line(id, model, `q ${id}`)), 'job.tag3');
    expect(await ops().status(b.id)).toMatchObject({ state: 'ended', end: 'expired' });
    expect((await all(ops(), b.id)).map((r) => (r.ok ? 'ok' : r.failure))).toEqual(['ok', 'expired']);
  });

  it('finds a batch submitted by a process that died before recording its id', async () => {
    const since = Date.now();
    const b = await ops().submit([line('a', model, 'x'), line('b', model, 'y')], 'job-1.abc');
    await ops().submit([line('a', model, 'x')], 'job-1.other');
    const found = await ops().find('job-1.abc', { since, lines: 2, exclude: new Set() });
    expect(found?.id).toBe(b.id);
    expect(await ops().find('job-1.none', { since, lines: 3, exclude: new Set() })).toBeUndefined();
  });
});

describe('the fake server speaks the wire formats the SDKs expect', () => {
  it('OpenAI: files.create(purpose batch), batches.create/retrieve/list, output and error files', async () => {
    const client = new OpenAI({ apiKey: 'k', baseURL: openaiBaseUrl(server), maxRetries: 0 });
    const jsonl = ['ok', 'expire-me'].map((t, i) => JSON.stringify({ custom_id: `c${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-5.4-mini', messages: [{ role: 'user', content: t }] } })).join('\n');
    const file = await client.files.create({ file: await OpenAI.toFile(Buffer.from(jsonl), 'in.jsonl'), purpose: 'batch' });
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', bytes: Buffer.byteLength(jsonl) });
    server.batches.setProgress({ expireAfterLines: 1 });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { k: 'v' } });
    expect(created).toMatchObject({ object: 'batch', status: 'validating', request_counts: { total: 2, completed: 0, failed: 0 }, metadata: { k: 'v' } });
    const ended = await client.batches.retrieve(created.id);
    expect(ended).toMatchObject({ status: 'expired', request_counts: { total: 2, completed: 1, failed: 1 } });
    const out = await (await client.files.content(ended.output_file_id!)).text();
    expect(JSON.parse(out.trim())).toMatchObject({ custom_id: 'c0', response: { status_code: 200, body: { object: 'chat.completion' } }, error: null });
    const err = await (await client.files.content(ended.error_file_id!)).text();
    expect(JSON.parse(err.trim())).toMatchObject({ custom_id: 'c1', response: null, error: { code: 'batch_expired' } });
    const listed = [];
    for await (const b of client.batches.list()) listed.push(b.id);
    expect(listed).toEqual([created.id]);
  });

  it('OpenAI: a file mixing models fails validation with the errors listed', async () => {
    const client = new OpenAI({ apiKey: 'k', baseURL: openaiBaseUrl(server), maxRetries: 0 });
    const jsonl = ['gpt-5.4-mini', 'gpt-5.4'].map((m, i) => JSON.stringify({ custom_id: `c${i}`, method: 'POST', url: '/v1/responses', body: { model: m, input: 'x' } })).join('\n');
    const file = await client.files.create({ file: await OpenAI.toFile(Buffer.from(jsonl), 'in.jsonl'), purpose: 'batch' });
    const b = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/responses', completion_window: '24h' });
    const failed = await client.batches.retrieve(b.id);
    expect(failed.status).toBe('failed');
    expect(failed.errors?.data?.[0]).toMatchObject({ code: 'mismatched_model' });
    expect(server.batches.stats().submittedLines).toBe(0);
  });

  it('Anthropic: messages.batches create/retrieve/results/list, and custom_id checked', async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: anthropicBaseUrl(server), maxRetries: 0 });
    const params = { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    await expect(client.messages.batches.create({ requests: [{ custom_id: 'not ok!', params }] })).rejects.toMatchObject({ status: 400 });
    const b = await client.messages.batches.create({ requests: [{ custom_id: 'r1', params }] });
    expect(b).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', results_url: null, request_counts: { processing: 1 } });
    const done = await client.messages.batches.retrieve(b.id);
    expect(done).toMatchObject({ processing_status: 'ended', request_counts: { succeeded: 1, processing: 0 } });
    const results = [];
    for await (const r of await client.messages.batches.results(b.id)) results.push(r);
    expect(results).toEqual([{ custom_id: 'r1', result: { type: 'succeeded', message: expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'Lima.' })] }) } }]);
    const listed = [];
    for await (const x of client.messages.batches.list()) listed.push(x.id);
    expect(listed).toEqual([b.id]);
  });
});
