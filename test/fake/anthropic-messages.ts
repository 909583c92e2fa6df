import { chunks } from './prompt.js';
import { pad, sse, type Answer, type ErrorSpec, type SseEvent, type WireFormat } from './wire.js';

// Anthropic's input_tokens excludes cache reads and writes; the configured `input` includes them.
function usageOf(a: Answer, outputTokens: number) {
  const { input, cacheRead, cacheWrite } = a.usage;
  return {
    input_tokens: input - cacheRead - cacheWrite,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    server_tool_use: null,
    service_tier: 'standard',
  };
}

/** The tool a request forces (tool_choice {type: 'tool'}): the answer is then that tool's input. */
function forcedTool(body: Record<string, unknown>): string | undefined {
  const choice = body['tool_choice'] as { type?: string; name?: string } | undefined;
  return choice?.type === 'tool' ? choice.name : undefined;
}

/** The answer text as a tool input: the JSON it holds, else {"answer": text}. */
function toolInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { answer: text };
  }
}

function contentOf(a: Answer, tool: string | undefined) {
  if (tool === undefined) return { type: 'text', text: a.text, citations: null };
  return { type: 'tool_use', id: `toolu_fake${pad(a.seq)}`, name: tool, input: toolInput(a.text) };
}

function message(a: Answer, done: boolean, tool?: string) {
  return {
    id: `msg_fake${pad(a.seq)}`,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content: done ? [contentOf(a, tool)] : [],
    stop_reason: done ? (tool === undefined ? 'end_turn' : 'tool_use') : null,
    stop_sequence: null,
    // Like the real API, message_start reports a token or so of output; the cumulative
    // figure that counts arrives in message_delta.
    usage: usageOf(a, done ? a.usage.output : Math.min(1, a.usage.output)),
  };
}

function errorType(status: number): string {
  switch (status) {
    case 400: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 529: return 'overloaded_error';
    default: return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** Anthropic Messages: POST /v1/messages. */
export const anthropicMessages: WireFormat = {
  requestIdHeader: 'request-id',

  json: (a, _req, body) => message(a, true, forcedTool(body)),

  events: (a, _req, body) => {
    const { cacheRead, cacheWrite, input, output } = a.usage;
    const tool = forcedTool(body);
    const start = tool === undefined ? { type: 'text', text: '', citations: null } : { ...contentOf(a, tool), input: {} };
    const deltas = tool === undefined
      ? chunks(a.text).map((text) => ({ type: 'text_delta', text }))
      : chunks(JSON.stringify(toolInput(a.text))).map((partial_json) => ({ type: 'input_json_delta', partial_json }));
    const raw: Array<Record<string, unknown> & { type: string }> = [
      { type: 'message_start', message: message(a, false) },
      { type: 'content_block_start', index: 0, content_block: start },
      { type: 'ping' },
      ...deltas.map((delta) => ({ type: 'content_block_delta', index: 0, delta })),
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: tool === undefined ? 'end_turn' : 'tool_use', stop_sequence: null },
        usage: {
          input_tokens: input - cacheRead - cacheWrite,
          cache_creation_input_tokens: cacheWrite,
          cache_read_input_tokens: cacheRead,
          output_tokens: output,
        },
      },
      { type: 'message_stop' },
    ];
    return raw.map((e): SseEvent => sse(e.type, e));
  },

  finalEvents: () => 1,

  errorBody: (spec: ErrorSpec) => ({
    type: 'error',
    error: { type: errorType(spec.status), message: spec.message },
    request_id: spec.requestId,
  }),
};
