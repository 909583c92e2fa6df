import { chunks } from './prompt.js';
import { openaiErrorBody } from './openai-error.js';
import { pad, sse, type Answer, type SseEvent, type WireFormat } from './wire.js';

const outputText = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });

const messageItem = (a: Answer, status: 'in_progress' | 'completed', text?: string) => ({
  id: `msg_fake${pad(a.seq)}`,
  type: 'message',
  status,
  role: 'assistant',
  content: text === undefined ? [] : [outputText(text)],
});

function usageOf(a: Answer) {
  return {
    input_tokens: a.usage.input,
    input_tokens_details: { cached_tokens: a.usage.cacheRead },
    output_tokens: a.usage.output,
    output_tokens_details: { reasoning_tokens: a.usage.reasoning },
    total_tokens: a.usage.input + a.usage.output,
  };
}

function responseObject(a: Answer, body: Record<string, unknown>, done: boolean) {
  return {
    id: `resp_fake${pad(a.seq)}`,
    object: 'response',
    created_at: a.created,
    status: done ? 'completed' : 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: typeof body['instructions'] === 'string' ? body['instructions'] : null,
    max_output_tokens: typeof body['max_output_tokens'] === 'number' ? body['max_output_tokens'] : null,
    model: a.model,
    output: done ? [messageItem(a, 'completed', a.text)] : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: done ? usageOf(a) : null,
    user: null,
    metadata: {},
  };
}

/** OpenAI Responses: POST /v1/responses. Streaming events carry `event:` lines and sequence numbers. */
export const openaiResponses: WireFormat = {
  requestIdHeader: 'x-request-id',

  json: (a, _req, body) => responseObject(a, body, true),

  events: (a, _req, body) => {
    const itemId = `msg_fake${pad(a.seq)}`;
    const at = { item_id: itemId, output_index: 0, content_index: 0 };
    const raw: Array<Record<string, unknown> & { type: string }> = [
      { type: 'response.created', response: responseObject(a, body, false) },
      { type: 'response.in_progress', response: responseObject(a, body, false) },
      { type: 'response.output_item.added', output_index: 0, item: messageItem(a, 'in_progress') },
      { type: 'response.content_part.added', ...at, part: outputText('') },
      ...chunks(a.text).map((delta) => ({ type: 'response.output_text.delta', ...at, delta, logprobs: [] })),
      { type: 'response.output_text.done', ...at, text: a.text, logprobs: [] },
      { type: 'response.content_part.done', ...at, part: outputText(a.text) },
      { type: 'response.output_item.done', output_index: 0, item: messageItem(a, 'completed', a.text) },
      { type: 'response.completed', response: responseObject(a, body, true) },
    ];
    return raw.map((e, i): SseEvent => sse(e.type, { ...e, sequence_number: i }));
  },

  finalEvents: () => 1,

  errorBody: openaiErrorBody,
};
