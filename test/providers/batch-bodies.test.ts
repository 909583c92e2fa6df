// The exact lines each batch adapter puts on the wire: the uploaded JSONL file (OpenAI) and the
// requests of POST /v1/messages/batches (Anthropic). A wrong or extra field fails here, the answer
// cap's name above all (max_completion_tokens, max_output_tokens and max_tokens, one per API).
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import type { BatchLineRequest, BatchOps } from '../../src/providers/batch/types.js';
import { OpenAIProvider } from '../../src/providers/openai.js';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const PROMPT = 'What is six times seven?';
const lines: BatchLineRequest[] = [
  { customId: 'with-cap', request: { model: 'm', system: 'Be brief.', messages: [{ role: 'user', content: PROMPT }], maxTokens: 50 } },
  { customId: 'bare', request: { model: 'm', messages: [{ role: 'user', content: PROMPT }] } },
];

/** The lines of the file uploaded for the batch, each parsed, in order. */
async function uploaded(batchId: string): Promise<unknown[]> {
  const client = new OpenAI({ apiKey: 'k', baseURL: openaiBaseUrl(server), maxRetries: 0 });
  const file = (await client.batches.retrieve(batchId)).input_file_id;
  const text = await (await client.files.content(file)).text();
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
}

describe.each([
  {
    api: 'chat' as const,
    url: '/v1/chat/completions',
    bodies: [
      { model: 'm', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: PROMPT }], max_completion_tokens: 50 },
      { model: 'm', messages: [{ role: 'user', content: PROMPT }] },
    ],
  },
  {
    api: 'responses' as const,
    url: '/v1/responses',
    bodies: [
      { model: 'm', input: [{ role: 'user', content: PROMPT }], instructions: 'Be brief.', max_output_tokens: 50, store: false },
      { model: 'm', input: [{ role: 'user', content: PROMPT }], store: false },
    ],
  },
])('OpenAI batch lines for $url', ({ api, url, bodies }) => {
  it('are {custom_id, method, url, body} with the body the live adapter sends, answer cap under its own name', async () => {
    const ops: BatchOps = new OpenAIProvider({ apiKey: 'k', baseURL: openaiBaseUrl(server), api, timeoutMs: 10_000, batch: true }).batch!;
    const batch = await ops.submit(lines, 'job.bodies');
    expect(await uploaded(batch.id)).toEqual([
      { custom_id: 'with-cap', method: 'POST', url, body: bodies[0] },
      { custom_id: 'bare', method: 'POST', url, body: bodies[1] },
    ]);
    expect(server.batches.list().map((b) => b.endpoint)).toEqual([url]);
  });
});

describe('Anthropic Message Batches requests', () => {
  it('are {custom_id, params} with the Messages body; max_tokens always set (the API requires it)', async () => {
    const ops = new AnthropicProvider({ apiKey: 'k', baseURL: anthropicBaseUrl(server), timeoutMs: 10_000 }).batch;
    await ops.submit(lines, 'job.bodies');
    const [batch] = server.batches.list();
    expect(batch!.lines.map((l) => ({ custom_id: l.customId, params: l.body }))).toEqual([
      { custom_id: 'with-cap', params: { model: 'm', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: PROMPT }] } },
      { custom_id: 'bare', params: { model: 'm', max_tokens: 4096, messages: [{ role: 'user', content: PROMPT }] } },
    ]);
  });
});
