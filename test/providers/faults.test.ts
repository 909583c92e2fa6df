import { createServer } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import { OpenAIProvider } from '../../src/providers/openai.js';
import { Secrets } from '../../src/core/secrets.js';
import { ProviderError, type AdapterConfig, type Provider } from '../../src/providers/types.js';
import { anthropicBaseUrl, openaiBaseUrl, type Fault } from '../fake/server.js';
import { fakeServerForFile } from './suite.js';

const fake = fakeServerForFile();
beforeEach(() => {
  fake().setDefaults({ text: 'The answer is 42.', usage: { input: 12, output: 5 } });
});

const KEY = 'sk-live-0123456789abcdef';

function config(baseURL: string, timeoutMs = 5000, secrets = new Secrets()): AdapterConfig {
  secrets.add(KEY);
  return { apiKey: KEY, baseURL, timeoutMs, secrets, label: { alias: 'smart', provider: 'fake', baseUrl: baseURL, keyVariable: 'FAKE_KEY' } };
}

type Make = (baseURL: string | undefined, timeoutMs?: number, secrets?: Secrets) => Provider;
const paths: Array<{ name: string; make: Make; model: string; stream: boolean }> = [];
for (const stream of [false, true]) {
  const how = stream ? 'streaming' : 'not streaming';
  paths.push(
    { name: `chat, ${how}`, stream, model: 'gpt-x', make: (u, t, k) => new OpenAIProvider({ ...config(u ?? openaiBaseUrl(fake()), t, k), api: 'chat' }) },
    { name: `responses, ${how}`, stream, model: 'gpt-x', make: (u, t, k) => new OpenAIProvider({ ...config(u ?? openaiBaseUrl(fake()), t, k), api: 'responses' }) },
    { name: `messages, ${how}`, stream, model: 'claude-x', make: (u, t, k) => new AnthropicProvider(config(u ?? anthropicBaseUrl(fake()), t, k)) },
  );
}

const request = (model: string, stream: boolean) => ({
  model,
  messages: [{ role: 'user' as const, content: 'What is six times seven?' }],
  maxTokens: 100,
  onText: stream ? () => undefined : undefined,
  signal: new AbortController().signal,
});

async function failure(p: Provider, model: string, stream: boolean): Promise<ProviderError> {
  const err = await p.generate(request(model, stream)).then(
    (ok) => new Error(`expected a failure, got ${JSON.stringify(ok)}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe.each(paths)('$name', ({ make, model, stream }) => {
  it.each<Fault>([{ kind: 'malformed' }, { kind: 'html' }, { kind: 'empty' }, { kind: 'end-early' }])('a 200 with a $kind body is a malformed attempt', async (fault) => {
    fake().enqueueFaults([fault]);
    const err = await failure(make(undefined), model, stream);
    expect(err.kind).toBe('malformed');
    expect(err.message).toMatch(/^malformed answer|not valid JSON|stream ended with an error/);
  });

  it('a stream or body that stalls after the headers times out within the deadline', async () => {
    fake().enqueueFaults([{ kind: 'stall' }]);
    const started = Date.now();
    const err = await failure(make(undefined, 300), model, stream);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('model "smart"');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a body that trickles in one byte at a time times out within the deadline', async () => {
    fake().enqueueFaults([{ kind: 'trickle', intervalMs: 20 }]);
    const started = Date.now();
    const err = await failure(make(undefined, 300), model, stream);
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers normally after a malformed attempt (nothing is left broken)', async () => {
    fake().enqueueFaults([{ kind: 'html' }]);
    const p = make(undefined);
    await failure(p, model, stream);
    await expect(p.generate(request(model, stream))).resolves.toMatchObject({ text: 'The answer is 42.', finishReason: 'stop' });
  });

  it('a refused connection is kind refused and names the model, provider and base URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const err = await failure(make(url), model, stream);
    expect(err.kind).toBe('refused');
    expect(err.message).toBe(`cannot connect (ECONNREFUSED) (model "smart": fake at ${url})`);
  });

  it('a dropped connection is kind connection and names the model', async () => {
    fake().enqueueFaults([stream ? { kind: 'reset-mid-stream' } : { kind: 'reset' }]);
    const err = await failure(make(undefined), model, stream);
    expect(err.kind).toBe('connection');
    expect(err.message).toContain('(model "smart": fake at http://127.0.0.1:');
  });

  it('a 401 names the key variable, and the key the server echoed back is redacted', async () => {
    fake().enqueueFaults([{ status: 401, message: 'Incorrect API key', echoKey: true }]);
    const err = await failure(make(undefined), model, stream);
    expect(err).toMatchObject({ kind: 'http', status: 401 });
    expect(err.message).not.toContain('0123456789abcdef');
    expect(err.message).toContain('[redacted]');
    expect(err.message).toMatch(/Incorrect API key .*; key from FAKE_KEY\)$/);
  });

  it('redacts every key value it was given, even one with no key-like prefix', async () => {
    const other = 'plainkey-99887766';
    const secrets = new Secrets();
    secrets.add(other);
    fake().enqueueFaults([{ status: 500, message: `upstream rejected ${other}` }]);
    const err = await failure(make(undefined, 5000, secrets), model, stream);
    expect(err.message).toBe('upstream rejected [redacted]');
    fake().enqueueFaults([{ status: 500, message: `upstream rejected ${KEY}` }]);
    expect((await failure(make(undefined, 5000, secrets), model, stream)).message).toBe('upstream rejected [redacted]');
  });

  it('an abort by the caller is aborted, not a timeout', async () => {
    fake().enqueueFaults([{ kind: 'stall' }]);
    const controller = new AbortController();
    const pending = make(undefined).generate({ ...request(model, stream), signal: controller.signal });
    // Once the server has answered the headers and stalls: aborted earlier, on a loaded machine the
    // request could reach the server after this test, and take the next test's fault.
    const timer = setInterval(() => {
      if (fake().requests[0]?.outcome !== 'stalled') return;
      clearInterval(timer);
      controller.abort();
    }, 5);
    try {
      await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
    } finally {
      clearInterval(timer);
    }
    expect(fake().requests).toHaveLength(1);
  });
});

describe('chat streams from servers that send no usage chunk', () => {
  it('an answer that ended (finish_reason) stands, its cost unknown', async () => {
    // role chunk, 4 word chunks, finish chunk: everything but the usage chunk
    fake().enqueueFaults([{ kind: 'end-early', afterEvents: 6 }]);
    const p = paths[3]!.make(undefined);
    await expect(p.generate(request('gpt-x', true))).resolves.toMatchObject({ text: 'The answer is 42.', finishReason: 'stop', usage: undefined });
  });
});

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
