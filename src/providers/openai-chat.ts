import type { FinishReason } from '../core/execution/calls.js';
import type { Usage } from '../core/money/pricing.js';
import type { GenerateResult, BodyRequest } from './types.js';
import { defined, isObject, malformed, num, str, wireName, type Json } from './wire.js';

interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

/** Chat Completions: prompt_tokens includes the cached ones; OpenAI bills no cache writes. */
export function chatUsage(u: ChatUsage | null | undefined): Usage | undefined {
  if (!isObject(u) || num(u.prompt_tokens) === undefined || num(u.completion_tokens) === undefined) return undefined;
  const reasoning = u.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    input: u.prompt_tokens,
    output: u.completion_tokens,
    cacheRead: u.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWrite: 0,
    ...(reasoning > 0 ? { reasoning } : {}),
  };
}

/** Chat Completions' finish_reason in frugal's vocabulary. */
export function chatFinish(reason: string | null | undefined): FinishReason | undefined {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case null:
    case undefined:
      return undefined;
    default:
      return 'other';
  }
}

/** The request body, model options and structured output under Chat Completions' names. */
export function chatBody(r: BodyRequest): Json {
  const messages: Json[] = r.system ? [{ role: 'system', content: r.system }] : [];
  for (const m of r.messages) messages.push({ role: m.role, content: m.content });
  const o = r.options ?? {};
  return defined({
    model: r.model,
    messages,
    max_completion_tokens: r.maxTokens,
    temperature: o.temperature,
    top_p: o.top_p,
    seed: o.seed,
    stop: o.stop,
    reasoning_effort: o.reasoning_effort,
    service_tier: o.service_tier,
    response_format: r.schema && { type: 'json_schema', json_schema: { name: wireName(r.schema.name), schema: r.schema.schema } },
  });
}

/** A whole chat.completion object, or a malformed answer. */
export function chatResult(res: Json): GenerateResult {
  const choice = Array.isArray(res['choices']) ? (res['choices'][0] as unknown) : undefined;
  const message = isObject(choice) ? choice['message'] : undefined;
  if (!isObject(choice) || !isObject(message)) throw malformed('a chat completion without choices[0].message');
  const refusal = str(message['refusal']);
  return {
    text: str(message['content']) ?? '',
    usage: chatUsage(res['usage'] as ChatUsage),
    rawUsage: res['usage'],
    answeredBy: str(res['model']),
    finishReason: refusal ? 'refusal' : chatFinish(str(choice['finish_reason'])),
  };
}

/**
 * Folds a chat.completion.chunk stream. The answer is whole once a chunk carried its
 * finish_reason; the usage chunk follows it (servers that ignore include_usage send none: the
 * cost is then unknown, but the answer stands).
 */
export class ChatStream {
  private text = '';
  private usage: Usage | undefined;
  private rawUsage: unknown;
  private answeredBy: string | undefined;
  private finishReason: FinishReason | undefined;

  constructor(private readonly onText: (delta: string) => void) {}

  add(chunk: unknown): void {
    if (!isObject(chunk)) throw malformed('a stream chunk that is not an object');
    this.answeredBy ??= str(chunk['model']);
    const choice = Array.isArray(chunk['choices']) ? (chunk['choices'][0] as unknown) : undefined;
    if (isObject(choice)) {
      this.finishReason = chatFinish(str(choice['finish_reason'])) ?? this.finishReason;
      const delta = isObject(choice['delta']) ? str(choice['delta']['content']) : undefined;
      if (delta) {
        this.text += delta;
        this.onText(delta);
      }
    }
    if (isObject(chunk['usage'])) {
      this.usage = chatUsage(chunk['usage'] as unknown as ChatUsage);
      this.rawUsage = chunk['usage'];
    }
  }

  result(): GenerateResult {
    if (this.finishReason === undefined) throw malformed('the stream ended before its last chunk (no finish_reason)');
    return { text: this.text, usage: this.usage, rawUsage: this.rawUsage, answeredBy: this.answeredBy, finishReason: this.finishReason };
  }
}
