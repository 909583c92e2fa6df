import OpenAI from 'openai';
import type { Usage } from '../core/money/pricing.js';
import { fromSdkError } from './errors.js';
import type { FinishReason } from '../core/execution/calls.js';
import type { BatchOps, GenerateRequest, GenerateResult, Provider } from './types.js';
import { OpenAIBatchOps } from './batch/openai.js';

export interface OpenAIOptions {
  apiKey: string | undefined;
  baseURL: string | undefined;
  api: 'chat' | 'responses';
  timeoutMs: number;
  /** OpenAI itself (not a compatible server): the Batch API is there. */
  batch?: boolean | undefined;
}

interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

interface ResponsesUsage {
  input_tokens: number;
  output_tokens: number;
  input_tokens_details?: { cached_tokens?: number | null } | null;
}

/** Chat Completions: prompt_tokens includes the cached ones; OpenAI bills no cache writes. */
export function chatUsage(u: ChatUsage | null | undefined): Usage | undefined {
  if (!u) return undefined;
  return { input: u.prompt_tokens, output: u.completion_tokens, cacheRead: u.prompt_tokens_details?.cached_tokens ?? 0, cacheWrite: 0 };
}

export function responsesUsage(u: ResponsesUsage | null | undefined): Usage | undefined {
  if (!u) return undefined;
  return { input: u.input_tokens, output: u.output_tokens, cacheRead: u.input_tokens_details?.cached_tokens ?? 0, cacheWrite: 0 };
}

/** What a request body is built from: the live adapters and the batch lines share it. */
export type BodyInput = Pick<GenerateRequest, 'model' | 'messages' | 'system' | 'maxTokens'>;

function chatMessages(r: BodyInput): OpenAI.Chat.ChatCompletionMessageParam[] {
  const out: OpenAI.Chat.ChatCompletionMessageParam[] = r.system ? [{ role: 'system', content: r.system }] : [];
  for (const m of r.messages) out.push({ role: m.role, content: m.content } as OpenAI.Chat.ChatCompletionMessageParam);
  return out;
}

/** OpenAI and OpenAI-compatible servers, through the official SDK (its own retries off: frugal retries). */
export class OpenAIProvider implements Provider {
  private readonly client: OpenAI;
  readonly batch: BatchOps | undefined;

  constructor(private readonly options: OpenAIOptions) {
    this.client = new OpenAI({
      // Compatible servers (Ollama, vLLM) need no key, but the SDK insists on one.
      apiKey: options.apiKey ?? 'no-key',
      baseURL: options.baseURL,
      maxRetries: 0,
      timeout: options.timeoutMs,
    });
    this.batch = options.batch ? new OpenAIBatchOps(this.client, options.api) : undefined;
  }

  async generate(r: GenerateRequest): Promise<GenerateResult> {
    try {
      return this.options.api === 'responses' ? await this.responses(r) : await this.chat(r);
    } catch (err) {
      throw fromSdkError(err, Date.now(), OpenAI);
    }
  }

  private async chat(r: GenerateRequest): Promise<GenerateResult> {
    const body = chatBody(r);
    if (!r.onText) {
      const res = await this.client.chat.completions.create(body, { signal: r.signal });
      return { text: res.choices[0]?.message?.content ?? '', usage: chatUsage(res.usage), rawUsage: res.usage, answeredBy: res.model, finishReason: chatFinish(res.choices[0]?.finish_reason) };
    }
    const stream = await this.client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal: r.signal });
    let text = '';
    let usage: Usage | undefined;
    let answeredBy: string | undefined;
    let finishReason: FinishReason | undefined;
    let rawUsage: unknown;
    for await (const chunk of stream) {
      answeredBy ??= chunk.model;
      finishReason = chatFinish(chunk.choices[0]?.finish_reason) ?? finishReason;
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) {
        text += delta;
        r.onText(delta);
      }
      if (chunk.usage) {
        usage = chatUsage(chunk.usage);
        rawUsage = chunk.usage;
      }
    }
    return { text, usage, rawUsage, answeredBy, finishReason };
  }

  private async responses(r: GenerateRequest): Promise<GenerateResult> {
    const body = responsesBody(r);
    if (!r.onText) {
      const res = await this.client.responses.create(body, { signal: r.signal });
      return { text: res.output_text, usage: responsesUsage(res.usage), rawUsage: res.usage, answeredBy: res.model, finishReason: responsesFinish(res.status, res.incomplete_details?.reason) };
    }
    const stream = await this.client.responses.create({ ...body, stream: true }, { signal: r.signal });
    let text = '';
    let usage: Usage | undefined;
    let answeredBy: string | undefined;
    let finishReason: FinishReason | undefined;
    let rawUsage: unknown;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') {
        text += event.delta;
        r.onText(event.delta);
      } else if (event.type === 'response.completed') {
        usage = responsesUsage(event.response.usage);
        rawUsage = event.response.usage;
        answeredBy = event.response.model;
        finishReason = responsesFinish(event.response.status, event.response.incomplete_details?.reason);
      }
    }
    return { text, usage, rawUsage, answeredBy, finishReason };
  }
}

/** The Chat Completions request body (without stream options). */
export function chatBody(r: BodyInput) {
  return {
    model: r.model,
    messages: chatMessages(r),
    ...(r.maxTokens !== undefined ? { max_completion_tokens: r.maxTokens } : {}),
  };
}

/** The Responses request body (without stream). */
export function responsesBody(r: BodyInput) {
  const input = r.messages.map((m) => ({ role: m.role, content: m.content }) as OpenAI.Responses.EasyInputMessage);
  return {
    model: r.model,
    input,
    ...(r.system ? { instructions: r.system } : {}),
    ...(r.maxTokens !== undefined ? { max_output_tokens: r.maxTokens } : {}),
    store: false,
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

/** Responses reports a status, and why an incomplete answer stopped. */
export function responsesFinish(status: string | null | undefined, incomplete: string | null | undefined): FinishReason | undefined {
  if (status === 'completed') return 'stop';
  if (status === 'incomplete') return incomplete === 'content_filter' ? 'content_filter' : 'length';
  return status ? 'other' : undefined;
}
