import { chunks } from './prompt.js';
import { openaiErrorBody } from './openai-error.js';
import { pad, sse, type Answer, type SseEvent, type WireFormat } from './wire.js';

function usageOf(a: Answer) {
  return {
    prompt_tokens: a.usage.input,
    completion_tokens: a.usage.output,
    total_tokens: a.usage.input + a.usage.output,
    prompt_tokens_details: { cached_tokens: a.usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: a.usage.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const envelope = (a: Answer, object: string) => ({
  id: `chatcmpl-fake${pad(a.seq)}`,
  object,
  created: a.created,
  model: a.model,
  service_tier: 'default',
  system_fingerprint: null,
});

/** OpenAI Chat Completions: POST /v1/chat/completions. */
export const openaiChat: WireFormat = {
  requestIdHeader: 'x-request-id',

  json: (a) => ({
    ...envelope(a, 'chat.completion'),
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: a.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: usageOf(a),
  }),

  // With include_usage every chunk carries `usage: null`, and one extra chunk with empty
  // `choices` carries the usage just before [DONE]; without it no chunk has a usage key.
  events: (a, req) => {
    const base = envelope(a, 'chat.completion.chunk');
    const nullUsage = req.includeUsage ? { usage: null } : {};
    const chunk = (delta: Record<string, unknown>, finish: string | null): SseEvent =>
      sse(undefined, {
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...nullUsage,
      });
    const events = [
      chunk({ role: 'assistant', content: '', refusal: null }, null),
      ...chunks(a.text).map((c) => chunk({ content: c }, null)),
      chunk({}, 'stop'),
    ];
    if (req.includeUsage) events.push(sse(undefined, { ...base, choices: [], usage: usageOf(a) }));
    return events;
  },

  streamEnd: 'data: [DONE]\n\n',

  finalEvents: (req) => (req.includeUsage ? 2 : 1),

  errorBody: openaiErrorBody,
};
