import type { FinishReason } from '../core/execution/calls.js';
import type { Usage } from '../core/money/pricing.js';
import type { GenerateResult, BodyRequest } from './types.js';
import { defined, isObject, malformed, num, str, wireName, type Json } from './wire.js';

interface ResponsesUsage {
  input_tokens: number;
  output_tokens: number;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export function responsesUsage(u: ResponsesUsage | null | undefined): Usage | undefined {
  if (!isObject(u) || num(u.input_tokens) === undefined || num(u.output_tokens) === undefined) return undefined;
  const reasoning = u.output_tokens_details?.reasoning_tokens ?? 0;
  return {
    input: u.input_tokens,
    output: u.output_tokens,
    cacheRead: u.input_tokens_details?.cached_tokens ?? 0,
    cacheWrite: 0,
    ...(reasoning > 0 ? { reasoning } : {}),
  };
}

/** Responses reports a status, and why an incomplete answer stopped. */
export function responsesFinish(status: string | null | undefined, incomplete: string | null | undefined): FinishReason | undefined {
  if (status === 'completed') return 'stop';
  if (status === 'incomplete') return incomplete === 'content_filter' ? 'content_filter' : 'length';
  return status ? 'other' : undefined;
}

/** The request body, model options and structured output under the Responses API's names. */
export function responsesBody(r: BodyRequest): Json {
  const o = r.options ?? {};
  return defined({
    model: r.model,
    input: r.messages.map((m) => ({ role: m.role, content: m.content })),
    instructions: r.system || undefined,
    max_output_tokens: r.maxTokens,
    temperature: o.temperature,
    top_p: o.top_p,
    reasoning: o.reasoning_effort && { effort: o.reasoning_effort },
    service_tier: o.service_tier,
    text: r.schema && { format: { type: 'json_schema', name: wireName(r.schema.name), schema: r.schema.schema } },
    store: false,
  });
}

/** The answer's text: its output_text parts in order (what the SDK calls output_text). */
function outputText(output: unknown): { text: string; refused: boolean } {
  let text = '';
  let refused = false;
  for (const item of Array.isArray(output) ? output : []) {
    if (!isObject(item) || item['type'] !== 'message' || !Array.isArray(item['content'])) continue;
    for (const part of item['content']) {
      if (isObject(part) && part['type'] === 'output_text') text += str(part['text']) ?? '';
      if (isObject(part) && part['type'] === 'refusal') refused = true;
    }
  }
  return { text, refused };
}

/** A whole response object, or a malformed answer. */
export function responsesResult(res: Json): GenerateResult {
  if (res['object'] !== 'response' || !Array.isArray(res['output'])) throw malformed('not a response object with an output list');
  const status = str(res['status']);
  if (status === 'failed') {
    const error = isObject(res['error']) ? str(res['error']['message']) : undefined;
    throw malformed(`the response failed${error ? `: ${error}` : ''}`);
  }
  const { text, refused } = outputText(res['output']);
  const incomplete = isObject(res['incomplete_details']) ? str(res['incomplete_details']['reason']) : undefined;
  return {
    text,
    usage: responsesUsage(res['usage'] as ResponsesUsage),
    rawUsage: res['usage'],
    answeredBy: str(res['model']),
    finishReason: refused ? 'refusal' : responsesFinish(status, incomplete),
  };
}

// The events that end a Responses stream; anything else last means the stream was cut.
const FINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Folds a Responses event stream; the final event carries the whole response. */
export class ResponsesStream {
  private text = '';
  private final: Json | undefined;

  constructor(private readonly onText: (delta: string) => void) {}

  add(event: unknown): void {
    if (!isObject(event)) throw malformed('a stream event that is not an object');
    const type = str(event['type']);
    if (type === 'response.output_text.delta') {
      const delta = str(event['delta']) ?? '';
      this.text += delta;
      if (delta) this.onText(delta);
    } else if (type !== undefined && FINAL.has(type) && isObject(event['response'])) {
      this.final = event['response'];
    }
  }

  result(): GenerateResult {
    if (!this.final) throw malformed('the stream ended before its last event (no response.completed)');
    // The streamed deltas are what the caller saw; the final response agrees with them.
    return { ...responsesResult(this.final), text: this.text };
  }
}
