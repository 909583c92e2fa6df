import Anthropic from '@anthropic-ai/sdk';
import type { Usage } from '../core/money/pricing.js';
import { fromSdkError } from './errors.js';
import type { FinishReason } from '../core/execution/calls.js';
import type { BatchOps, GenerateRequest, GenerateResult, Provider } from './types.js';
import { AnthropicBatchOps } from './batch/anthropic.js';

export interface AnthropicOptions {
  apiKey: string;
  baseURL: string | undefined;
  timeoutMs: number;
}

/** The Messages API requires max_tokens; this is used when neither the record, flag nor policy sets one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

// Above this the SDK refuses a non-streaming request (it could outlast the HTTP timeout).
const STREAM_ABOVE_TOKENS = 16_000;

interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** Anthropic's input_tokens excludes cache reads and writes; frugal's input counts the whole prompt. */
export function messagesUsage(u: MessagesUsage | null | undefined): Usage | undefined {
  if (!u) return undefined;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  return { input: u.input_tokens + cacheRead + cacheWrite, output: u.output_tokens, cacheRead, cacheWrite };
}

export class AnthropicProvider implements Provider {
  private readonly client: Anthropic;
  readonly batch: BatchOps;

  constructor(options: AnthropicOptions) {
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, timeout: options.timeoutMs });
    this.batch = new AnthropicBatchOps(this.client);
  }

  async generate(r: GenerateRequest): Promise<GenerateResult> {
    const body = messagesBody(r);
    const maxTokens = body.max_tokens;
    try {
      if (!r.onText && maxTokens <= STREAM_ABOVE_TOKENS) {
        const res = await this.client.messages.create(body, { signal: r.signal });
        return { text: textOf(res.content), usage: messagesUsage(res.usage), rawUsage: res.usage, answeredBy: res.model, finishReason: stopReason(res.stop_reason) };
      }
      const stream = this.client.messages.stream(body, { signal: r.signal });
      if (r.onText) stream.on('text', r.onText);
      const final = await stream.finalMessage();
      return { text: textOf(final.content), usage: messagesUsage(final.usage), rawUsage: final.usage, answeredBy: final.model, finishReason: stopReason(final.stop_reason) };
    } catch (err) {
      throw fromSdkError(err, Date.now(), Anthropic);
    }
  }
}

/** The Messages request body; the live adapter and the batch lines share it. */
export function messagesBody(r: Pick<GenerateRequest, 'model' | 'messages' | 'system' | 'maxTokens'>) {
  const messages = r.messages
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
  // System and developer messages inside `messages` join the top-level system prompt.
  const system = [r.system, ...r.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content)]
    .filter(Boolean)
    .join('\n\n');
  return { model: r.model, max_tokens: r.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS, messages, ...(system ? { system } : {}) };
}

export function textOf(content: Anthropic.ContentBlock[]): string {
  return content.map((b) => (b.type === 'text' ? b.text : '')).join('');
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
