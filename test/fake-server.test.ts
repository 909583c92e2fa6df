import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from './fake/server.js';

let server: FakeServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  server = await startFakeServer();
  openai = new OpenAI({ apiKey: 'test-key', baseURL: openaiBaseUrl(server), maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'test-anthropic-key', baseURL: anthropicBaseUrl(server), maxRetries: 0 });
});

afterAll(() => server.close());

afterEach(() => server.reset());

const usage = { input: 1200, output: 34, cacheRead: 1000, cacheWrite: 0, reasoning: 4 };

describe('OpenAI Chat Completions', () => {
  beforeAll(() =>
    server.setModel('gpt-5.4-mini', { text: 'Paris is the capital.', usage, responseModel: 'gpt-5.4-mini-2026-03-17' }),
  );

  it('answers non-streaming with the configured text and exact usage', async () => {
    const res = await openai.chat.completions.create({
      model: 'gpt-5.4-mini',
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    expect(res.choices[0]?.message.content).toBe('Paris is the capital.');
    expect(res.model).toBe('gpt-5.4-mini-2026-03-17');
    expect(res.usage).toMatchObject({
      prompt_tokens: 1200,
      completion_tokens: 34,
      total_tokens: 1234,
      prompt_tokens_details: { cached_tokens: 1000 },
      completion_tokens_details: { reasoning_tokens: 4 },
    });
    const [rec] = server.requests;
    expect(rec).toMatchObject({ path: '/v1/chat/completions', api: 'chat', model: 'gpt-5.4-mini', stream: false });
    expect(rec?.headers['authorization']).toBe('Bearer test-key');
    expect(server.billed()).toHaveLength(1);
  });

  it('streams deltas and a final usage chunk with include_usage', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-5.4-mini',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const usages = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usages.push({ usage: chunk.usage, choices: chunk.choices.length });
    }
    expect(text).toBe('Paris is the capital.');
    expect(usages).toEqual([{ usage: expect.objectContaining({ prompt_tokens: 1200, completion_tokens: 34 }), choices: 0 }]);
    expect(server.requests[0]?.stream).toBe(true);
  });

  it('works with the SDK stream helper', async () => {
    const final = await openai.chat.completions
      .stream({ model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } })
      .finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Paris is the capital.');
    expect(final.usage?.total_tokens).toBe(1234);
  });

  it('defaults to an echo answer and word-count usage for unconfigured models', async () => {
    const res = await openai.chat.completions.create({
      model: 'some-other-model',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'one two three' },
      ],
    });
    expect(res.choices[0]?.message.content).toBe('echo: one two three');
    expect(res.model).toBe('some-other-model');
    expect(res.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 4 });
  });
});

describe('OpenAI Responses', () => {
  beforeAll(() => server.setModel('gpt-5.4', { text: (p) => `R: ${p}`, usage: { input: 50, output: 7, cacheRead: 10 } }));

  it('answers non-streaming', async () => {
    const res = await openai.responses.create({ model: 'gpt-5.4', input: 'hello there' });
    expect(res.output_text).toBe('R: hello there');
    expect(res.usage).toMatchObject({
      input_tokens: 50,
      output_tokens: 7,
      total_tokens: 57,
      input_tokens_details: { cached_tokens: 10 },
      output_tokens_details: { reasoning_tokens: 0 },
    });
    expect(server.requests[0]?.path).toBe('/v1/responses');
  });

  it('streams raw events ending in response.completed with usage', async () => {
    const stream = await openai.responses.create({
      model: 'gpt-5.4',
      input: [{ role: 'user', content: 'hello there' }],
      stream: true,
    });
    let deltas = '';
    const types: string[] = [];
    let completedUsage;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.completed') completedUsage = event.response.usage;
    }
    expect(deltas).toBe('R: hello there');
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.done');
    expect(types.at(-1)).toBe('response.completed');
    expect(completedUsage).toMatchObject({ input_tokens: 50, output_tokens: 7, total_tokens: 57 });
  });

  it('works with the SDK stream helper', async () => {
    const final = await openai.responses.stream({ model: 'gpt-5.4', input: 'hi' }).finalResponse();
    expect(final.output_text).toBe('R: hi');
    expect(final.usage?.input_tokens).toBe(50);
  });
});

describe('Anthropic Messages', () => {
  // input is the whole prompt; Anthropic reports input_tokens without the cached parts.
  beforeAll(() =>
    server.setModel('claude-haiku-4-5', {
      text: 'Bonjour tout le monde',
      usage: { input: 3000, output: 12, cacheRead: 2000, cacheWrite: 500 },
    }),
  );
  const params = {
    model: 'claude-haiku-4-5',
    max_tokens: 100,
    system: 'Translate.',
    messages: [{ role: 'user' as const, content: 'Hello world' }],
  };
  const wireUsage = { input_tokens: 500, cache_read_input_tokens: 2000, cache_creation_input_tokens: 500, output_tokens: 12 };

  it('answers non-streaming, input_tokens excluding cache tokens', async () => {
    const msg = await anthropic.messages.create(params);
    expect(msg.content).toEqual([expect.objectContaining({ type: 'text', text: 'Bonjour tout le monde' })]);
    expect(msg.usage).toMatchObject(wireUsage);
    expect(msg.stop_reason).toBe('end_turn');
    const [rec] = server.requests;
    expect(rec?.path).toBe('/v1/messages');
    // @anthropic-ai/sdk 1.x sends the key as a Bearer token; older versions used x-api-key.
    expect(rec?.headers['x-api-key'] ?? rec?.headers['authorization']).toMatch(/^(Bearer )?test-anthropic-key$/);
    expect(rec?.headers['anthropic-version']).toBeDefined();
    expect(rec?.usage).toMatchObject({ input: 3000, cacheRead: 2000, cacheWrite: 500, output: 12 });
  });

  it('streams through the SDK helper to a final message with exact usage', async () => {
    const stream = anthropic.messages.stream(params);
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    expect(text).toBe('Bonjour tout le monde');
    expect(final.usage).toMatchObject(wireUsage);
  });

  it('streams raw events', async () => {
    const stream = await anthropic.messages.create({ ...params, stream: true });
    const types: string[] = [];
    let text = '';
    let startUsage;
    let outputTokens;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_start') startUsage = event.message.usage;
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') outputTokens = event.usage.output_tokens;
    }
    expect(text).toBe('Bonjour tout le monde');
    expect(startUsage).toMatchObject({ input_tokens: 500, cache_read_input_tokens: 2000, cache_creation_input_tokens: 500 });
    expect(outputTokens).toBe(12);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
  });
});

describe('faults', () => {
  it('surfaces a scripted 429 as RateLimitError with retry-after visible', async () => {
    server.enqueueFaults([{ status: 429, retryAfter: 7, retryAfterMs: 6500 }]);
    const err = await openai.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const rateErr = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateErr.headers.get('retry-after')).toBe('7');
    expect(rateErr.headers.get('retry-after-ms')).toBe('6500');
    expect(rateErr.code).toBe('rate_limit_exceeded');
    expect(server.billed()).toHaveLength(0);
    expect(server.stats().byStatus[429]).toBe(1);
  });

  it('answers Anthropic errors in its own shape, 529 overloaded included', async () => {
    server.enqueueFaults([{ status: 529 }, { status: 400, message: 'prompt is too long: 300000 tokens > 200000 maximum' }]);
    const req = () =>
      anthropic.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    const overloaded = await req();
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error' },
    });
    const tooLong = await req();
    expect(tooLong).toBeInstanceOf(Anthropic.BadRequestError);
    expect((tooLong as Error).message).toContain('prompt is too long');
  });

  it('applies rules by model and prompt substring', async () => {
    server.addFaultRule({ model: 'flaky', promptIncludes: 'boom', fault: { status: 500 }, times: 1 });
    const ask = (model: string, content: string) =>
      openai.chat.completions.create({ model, messages: [{ role: 'user', content }] }).then(
        () => 'ok',
        (e: unknown) => (e as { status?: number }).status,
      );
    expect(await ask('steady', 'boom')).toBe('ok');
    expect(await ask('flaky', 'quiet')).toBe('ok');
    expect(await ask('flaky', 'boom')).toBe(500);
    expect(await ask('flaky', 'boom')).toBe('ok');
  });

  it('surfaces a reset as a connection error', async () => {
    server.enqueueFaults([{ kind: 'reset' }]);
    const err = await openai.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(server.requests[0]?.outcome).toBe('reset');
  });

  it('breaks a stream midway on reset-mid-stream', async () => {
    server.enqueueFaults([{ kind: 'reset-mid-stream', afterEvents: 3 }]);
    const stream = anthropic.messages.stream({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'a b c d e f' }] });
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(server.billed()).toHaveLength(0);
    expect(server.requests[0]?.outcome).toBe('reset-mid-stream');
  });

  it('cuts an OpenAI stream midway so iteration throws', async () => {
    server.enqueueFaults([{ kind: 'reset-mid-stream', afterEvents: 2 }]);
    const stream = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'a b c d e f' }],
      stream: true,
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow();
    expect(seen).toEqual(['', 'echo: ']);
  });

  it('delays answers by latencyMs', async () => {
    server.enqueueFaults([{ kind: 'ok', latencyMs: 120 }]);
    const started = performance.now();
    await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });
});

describe('rate limiter', () => {
  it('rejects requests beyond N per second with retry-after-ms', async () => {
    let t = 10_000;
    const limited = await startFakeServer({ rateLimit: { requestsPerSecond: 2 }, now: () => t });
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: openaiBaseUrl(limited), maxRetries: 0 });
      const ask = () =>
        client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).then(
          () => 'ok',
          (e: unknown) => e,
        );
      expect(await ask()).toBe('ok');
      t += 400;
      expect(await ask()).toBe('ok');
      t += 100;
      const err = await ask();
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      const headers = (err as InstanceType<typeof OpenAI.RateLimitError>).headers;
      expect(headers.get('retry-after-ms')).toBe('500');
      expect(headers.get('retry-after')).toBe('1');
      t += 500;
      expect(await ask()).toBe('ok');
      expect(limited.stats()).toMatchObject({ requests: 4, billed: 3, rateLimited: 1 });
    } finally {
      await limited.close();
    }
  });
});

describe('server options', () => {
  it('rejects a wrong key with 401 in each API shape when apiKey is set', async () => {
    const guarded = await startFakeServer({ apiKey: 'right' });
    try {
      const wrong = new OpenAI({ apiKey: 'wrong', baseURL: openaiBaseUrl(guarded), maxRetries: 0 });
      const right = new Anthropic({ apiKey: 'right', baseURL: anthropicBaseUrl(guarded), maxRetries: 0 });
      await expect(wrong.responses.create({ model: 'm', input: 'x' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      const msg = await right.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
      expect(msg.content[0]).toMatchObject({ text: 'echo: x' });
    } finally {
      await guarded.close();
    }
  });

  it('close() ends in-flight requests and keep-alive sockets promptly', async () => {
    const slow = await startFakeServer({ latencyMs: 10_000 });
    const client = new OpenAI({ apiKey: 'k', baseURL: openaiBaseUrl(slow), maxRetries: 0 });
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { timeout: 50 }).catch(() => {});
    const pending = client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    await slow.close();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(performance.now() - started).toBeLessThan(500);
    expect(slow.billed()).toHaveLength(0);
  });
});
