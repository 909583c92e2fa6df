import { beforeEach, describe, expect, it } from 'vitest';
import type { ModelOptions } from '../../src/core/policy/options.js';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import { OpenAIProvider } from '../../src/providers/openai.js';
import type { GenerateRequest, Provider } from '../../src/providers/types.js';
import { anthropicBaseUrl, openaiBaseUrl } from '../fake/server.js';
import { fakeServerForFile } from './suite.js';

const fake = fakeServerForFile();
beforeEach(() => fake().setDefaults({ text: '{"answer":42}', usage: { input: 100, output: 50, reasoning: 30 } }));

const PROMPT = 'What is six times seven?';
const SCHEMA = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };
const OPTIONS: Record<string, ModelOptions> = {
  chat: { temperature: 0.2, top_p: 0.9, seed: 7, stop: ['END'], reasoning_effort: 'low', service_tier: 'flex' },
  responses: { temperature: 0.2, top_p: 0.9, reasoning_effort: 'low', service_tier: 'flex' },
  messages: { temperature: 0.2, top_p: 0.9, top_k: 40, stop: ['END'] },
};

interface Path {
  api: 'chat' | 'responses' | 'messages';
  make: () => Provider;
  plain: object;
  options: object;
  schema: object;
  streamExtra: object;
  reasoning: number | undefined;
}

const paths: Path[] = [
  {
    api: 'chat',
    make: () => new OpenAIProvider({ apiKey: 'k', baseURL: openaiBaseUrl(fake()), api: 'chat', timeoutMs: 5000 }),
    plain: { model: 'm', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: PROMPT }], max_completion_tokens: 100 },
    options: { temperature: 0.2, top_p: 0.9, seed: 7, stop: ['END'], reasoning_effort: 'low', service_tier: 'flex' },
    schema: { response_format: { type: 'json_schema', json_schema: { name: 'answer_shape', schema: SCHEMA } } },
    streamExtra: { stream: true, stream_options: { include_usage: true } },
    reasoning: 30,
  },
  {
    api: 'responses',
    make: () => new OpenAIProvider({ apiKey: 'k', baseURL: openaiBaseUrl(fake()), api: 'responses', timeoutMs: 5000 }),
    plain: { model: 'm', input: [{ role: 'user', content: PROMPT }], instructions: 'Be brief.', max_output_tokens: 100, store: false },
    options: { temperature: 0.2, top_p: 0.9, reasoning: { effort: 'low' }, service_tier: 'flex' },
    schema: { text: { format: { type: 'json_schema', name: 'answer_shape', schema: SCHEMA } } },
    streamExtra: { stream: true },
    reasoning: 30,
  },
  {
    api: 'messages',
    make: () => new AnthropicProvider({ apiKey: 'k', baseURL: anthropicBaseUrl(fake()), timeoutMs: 5000 }),
    plain: { model: 'm', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: PROMPT }] },
    options: { temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['END'] },
    schema: {
      tools: [{ name: 'answer_shape', description: 'Give the answer in this structure.', input_schema: SCHEMA }],
      tool_choice: { type: 'tool', name: 'answer_shape' },
    },
    streamExtra: { stream: true },
    // Anthropic reports no reasoning figure
    reasoning: undefined,
  },
];

/** The bodies without a system prompt or an answer cap. */
const BARE: Record<Path['api'], object> = {
  chat: { model: 'm', messages: [{ role: 'user', content: PROMPT }] },
  responses: { model: 'm', input: [{ role: 'user', content: PROMPT }], store: false },
  messages: { model: 'm', max_tokens: 4096, messages: [{ role: 'user', content: PROMPT }] },
};

const request = (extra: Partial<GenerateRequest>): GenerateRequest => ({
  model: 'm',
  system: 'Be brief.',
  messages: [{ role: 'user', content: PROMPT }],
  maxTokens: 100,
  signal: new AbortController().signal,
  ...extra,
});

const streaming = [false, true];

describe.each(paths)('$api request bodies', (p) => {
  it.each(streaming)('sends exactly the prompt, the system prompt and the answer cap (streaming: %s)', async (stream) => {
    await p.make().generate(request({ onText: stream ? () => undefined : undefined }));
    expect(fake().requests[0]!.body).toEqual({ ...p.plain, ...(stream ? p.streamExtra : {}) });
  });

  it.each(streaming)('maps every option the API accepts to its own field names (streaming: %s)', async (stream) => {
    await p.make().generate(request({ options: OPTIONS[p.api], onText: stream ? () => undefined : undefined }));
    expect(fake().requests[0]!.body).toEqual({ ...p.plain, ...p.options, ...(stream ? p.streamExtra : {}) });
  });

  it.each(streaming)('asks for structured output in the API’s own form, and answers with the JSON (streaming: %s)', async (stream) => {
    const deltas: string[] = [];
    const res = await p.make().generate(request({ schema: { name: 'answer shape', schema: SCHEMA }, onText: stream ? (d) => deltas.push(d) : undefined }));
    expect(fake().requests[0]!.body).toEqual({ ...p.plain, ...p.schema, ...(stream ? p.streamExtra : {}) });
    expect(JSON.parse(res.text)).toEqual({ answer: 42 });
    expect(res.finishReason).toBe('stop');
    if (stream) expect(deltas.join('')).toBe(res.text);
  });

  it.each(streaming)('reports reasoning tokens where the API does, inside output (streaming: %s)', async (stream) => {
    const res = await p.make().generate(request({ onText: stream ? () => undefined : undefined }));
    expect(res.usage?.output).toBe(50);
    expect(res.usage?.reasoning).toBe(p.reasoning);
  });

  it('omits the answer cap when none is set (the Messages API, which requires one, gets the default)', async () => {
    await p.make().generate(request({ maxTokens: undefined, system: undefined }));
    expect(fake().requests[0]!.body).toEqual(BARE[p.api]);
  });
});
