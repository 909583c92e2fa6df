import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import { OpenAIProvider } from '../../src/providers/openai.js';
import { ProviderError, type Provider } from '../../src/providers/types.js';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';

let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  server.setDefaults({ text: 'The answer is 42.', usage: { input: 1200, output: 40, cacheRead: 1000, cacheWrite: 100 } });
});

type Case = { name: string; make: () => Provider; model: string; usage: object };

const cases: Case[] = [
  {
    name: 'openai responses',
    make: () => new OpenAIProvider({ apiKey: 'k', baseURL: openaiBaseUrl(server), api: 'responses', timeoutMs: 5000 }),
    model: 'gpt-5.4-mini',
    // OpenAI reports no cache writes
    usage: { input: 1200, output: 40, cacheRead: 1000, cacheWrite: 0 },
  },
  {
    name: 'openai chat completions',
    make: () => new OpenAIProvider({ apiKey: 'k', baseURL: openaiBaseUrl(server), api: 'chat', timeoutMs: 5000 }),
    model: 'gpt-5.4-mini',
    usage: { input: 1200, output: 40, cacheRead: 1000, cacheWrite: 0 },
  },
  {
    name: 'anthropic messages',
    make: () => new AnthropicProvider({ apiKey: 'k', baseURL: anthropicBaseUrl(server), timeoutMs: 5000 }),
    model: 'claude-haiku-4-5',
    // the wire says input_tokens 100 (uncached only); frugal's input is the whole prompt
    usage: { input: 1200, output: 40, cacheRead: 1000, cacheWrite: 100 },
  },
];

const request = (model: string, onText?: (d: string) => void) => ({
  model,
  system: 'Be brief.',
  messages: [{ role: 'user' as const, content: 'What is six times seven?' }],
  maxTokens: 100,
  onText,
  signal: new AbortController().signal,
});

describe.each(cases)('$name', ({ make, model, usage }) => {
  it('returns the text, the normalized usage and the answering model', async () => {
    const res = await make().generate(request(model));
    expect(res).toMatchObject({ text: 'The answer is 42.', usage, answeredBy: model, finishReason: 'stop' });
    expect(res.rawUsage).toBeTypeOf('object');
    expect(server.requests[0]!.stream).toBe(false);
  });

  it('streams the answer through onText with the same usage', async () => {
    const deltas: string[] = [];
    const res = await make().generate(request(model, (d) => deltas.push(d)));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('The answer is 42.');
    expect(res.usage).toEqual(usage);
    expect(res.finishReason).toBe('stop');
    expect(server.requests[0]!.stream).toBe(true);
  });

  it('maps a 429 with retry-after-ms to a retryable ProviderError', async () => {
    server.enqueueFaults([{ status: 429, retryAfterMs: 1500, retryAfter: 9 }]);
    const err = await make().generate(request(model)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 1500 });
  });

  it('reads retry-after in seconds, above 60 s too', async () => {
    server.enqueueFaults([{ status: 429, retryAfter: 120 }]);
    const err = await make().generate(request(model)).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 120_000 });
  });

  it('maps 529 and a bad request with the server message', async () => {
    server.enqueueFaults([{ status: 529 }, { status: 400, message: 'prompt is too long: 300000 tokens > 200000 maximum' }]);
    await expect(make().generate(request(model))).rejects.toMatchObject({ kind: 'http', status: 529 });
    const err = (await make().generate(request(model)).catch((e: unknown) => e)) as ProviderError;
    expect(err.status).toBe(400);
    expect(err.message).toBe('prompt is too long: 300000 tokens > 200000 maximum');
  });

  it('maps a dropped connection, before or during the stream, to a connection failure', async () => {
    server.enqueueFaults([{ kind: 'reset' }, { kind: 'reset-mid-stream' }]);
    await expect(make().generate(request(model))).rejects.toMatchObject({ kind: 'connection' });
    await expect(make().generate(request(model, () => undefined))).rejects.toMatchObject({ kind: 'connection' });
  });

  it('maps an abort to kind aborted', async () => {
    server.setLatency(500);
    const controller = new AbortController();
    const pending = make().generate({ ...request(model), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
    server.setLatency(0);
  });
});
