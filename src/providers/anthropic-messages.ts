import type { FinishReason } from '../core/execution/calls.js';
import type { Usage } from '../core/money/pricing.js';
import type { GenerateResult, BodyRequest } from './types.js';
import { defined, isObject, malformed, num, str, wireName, type Json } from './wire.js';

/** The Messages API requires max_tokens; this is used when neither the record, flag nor policy sets one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** Anthropic's input_tokens excludes cache reads and writes; frugal's input counts the whole prompt. */
export function messagesUsage(u: MessagesUsage | null | undefined): Usage | undefined {
  if (!isObject(u) || num(u.input_tokens) === undefined || num(u.output_tokens) === undefined) return undefined;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  return { input: u.input_tokens + cacheRead + cacheWrite, output: u.output_tokens, cacheRead, cacheWrite };
}

/** Messages' stop_reason in frugal's vocabulary. */
export function stopReason(reason: string | null | undefined): FinishReason | undefined {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_use';
    case 'refusal':
      return 'refusal';
    case null:
    case undefined:
      return undefined;
    default:
      return 'other';
  }
}

/**
 * The request body. Structured output is a forced tool whose input_schema is the schema: the
 * answer is that tool's input, as JSON text.
 */
export function messagesBody(r: BodyRequest): Json {
  const messages = r.messages.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => ({ role: m.role, content: m.content }));
  // System and developer messages inside `messages` join the top-level system prompt.
  const system = [r.system, ...r.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content)].filter(Boolean).join('\n\n');
  const o = r.options ?? {};
  const tool = r.schema && wireName(r.schema.name);
  return defined({
    model: r.model,
    max_tokens: r.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    system: system || undefined,
    messages,
    temperature: o.temperature,
    top_p: o.top_p,
    top_k: o.top_k,
    stop_sequences: o.stop,
    tools: r.schema && [{ name: tool, description: 'Give the answer in this structure.', input_schema: r.schema.schema }],
    tool_choice: tool && { type: 'tool', name: tool },
  });
}

// A forced tool call is how the answer was asked for, so it ends the answer normally.
const finish = (reason: string | undefined, structured: boolean): FinishReason | undefined =>
  structured && reason === 'tool_use' ? 'stop' : stopReason(reason);

/** A whole message object, or a malformed answer. */
export function messagesResult(res: Json, structured: boolean): GenerateResult {
  if (res['type'] !== 'message' || !Array.isArray(res['content'])) throw malformed('not a message with a content list');
  let text = '';
  for (const block of res['content']) {
    if (!isObject(block)) continue;
    if (block['type'] === 'text' && !structured) text += str(block['text']) ?? '';
    if (block['type'] === 'tool_use' && structured) text += JSON.stringify(block['input'] ?? {});
  }
  return {
    text,
    usage: messagesUsage(res['usage'] as MessagesUsage),
    rawUsage: res['usage'],
    answeredBy: str(res['model']),
    finishReason: finish(str(res['stop_reason']), structured),
  };
}

/** Folds the Messages event stream; only message_stop makes the answer whole. */
export class MessagesStream {
  private text = '';
  private model: string | undefined;
  private usage: Json = {};
  private stop: string | undefined;
  private stopped = false;

  constructor(
    private readonly onText: (delta: string) => void,
    private readonly structured: boolean,
  ) {}

  add(event: unknown): void {
    if (!isObject(event)) throw malformed('a stream event that is not an object');
    switch (event['type']) {
      case 'message_start': {
        const message = isObject(event['message']) ? event['message'] : {};
        this.model = str(message['model']);
        if (isObject(message['usage'])) this.usage = { ...message['usage'] };
        return;
      }
      case 'content_block_delta': {
        const delta = isObject(event['delta']) ? event['delta'] : {};
        const piece = this.structured ? (delta['type'] === 'input_json_delta' ? str(delta['partial_json']) : undefined) : delta['type'] === 'text_delta' ? str(delta['text']) : undefined;
        if (piece) {
          this.text += piece;
          this.onText(piece);
        }
        return;
      }
      case 'message_delta': {
        // Its usage is cumulative and may restate any figure of message_start's.
        if (isObject(event['usage'])) for (const [k, v] of Object.entries(event['usage'])) if (v !== null && v !== undefined) this.usage[k] = v;
        if (isObject(event['delta'])) this.stop = str(event['delta']['stop_reason']) ?? this.stop;
        return;
      }
      case 'message_stop':
        this.stopped = true;
    }
  }

  result(): GenerateResult {
    if (!this.stopped) throw malformed('the stream ended before its last event (no message_stop)');
    return {
      text: this.text,
      usage: messagesUsage(this.usage as unknown as MessagesUsage),
      rawUsage: this.usage,
      answeredBy: this.model,
      finishReason: finish(this.stop, this.structured),
    };
  }
}
