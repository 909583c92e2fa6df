import OpenAI from 'openai';
import type { Usage } from '../core/money/pricing.js';
import { attempt } from './attempt.js';
import { ChatStream, chatBody, chatResult } from './openai-chat.js';
import { ResponsesStream, responsesBody, responsesResult } from './openai-responses.js';
import { sdkLogger } from './warnings.js';
import { isObject, malformed, num, readJson } from './wire.js';
import type { AdapterConfig, BatchOps, EmbedRequest, EmbedResult, GenerateRequest, GenerateResult, Provider } from './types.js';
import { OpenAIBatchOps } from './batch/openai.js';

export { chatFinish, chatUsage } from './openai-chat.js';
export { responsesFinish, responsesUsage } from './openai-responses.js';

export interface OpenAIOptions extends AdapterConfig {
  api: 'chat' | 'responses';
  /** OpenAI itself (not a compatible server): the Batch API is there. */
  batch?: boolean | undefined;
}

/** Embeddings bill input tokens only. */
export function embeddingsUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const input = num(u['prompt_tokens']) ?? num(u['total_tokens']);
  return input === undefined ? undefined : { input, output: 0, cacheRead: 0, cacheWrite: 0 };
}

/** OpenAI and OpenAI-compatible servers, through the official SDK (its own retries off: frugal retries). */
export class OpenAIProvider implements Provider {
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIOptions) {
    this.client = new OpenAI({
      // Compatible servers (Ollama, vLLM) need no key, but the SDK insists on one.
      apiKey: options.apiKey ?? 'no-key',
      baseURL: options.baseURL,
      maxRetries: 0,
      timeout: options.timeoutMs,
      logger: sdkLogger(options.onWarning),
    });
    this.batch = options.batch ? new OpenAIBatchOps(this.client, options.api) : undefined;
  }

  readonly batch: BatchOps | undefined;

  generate(r: GenerateRequest): Promise<GenerateResult> {
    return attempt(this.options, OpenAI, r.signal, (signal) => (this.options.api === 'responses' ? this.responses(r, signal) : this.chat(r, signal)));
  }

  /** Many texts per request; the vectors come back in input order whatever order the server used. */
  embed(r: EmbedRequest): Promise<EmbedResult> {
    return attempt(this.options, OpenAI, r.signal, async (signal) => {
      const body = { model: r.model, input: r.inputs, encoding_format: 'float' as const };
      const res = await readJson(await this.client.embeddings.create(body, { signal }).asResponse());
      const data = res['data'];
      if (!Array.isArray(data) || data.length !== r.inputs.length) throw malformed(`expected ${r.inputs.length} embeddings`);
      const vectors: number[][] = new Array<number[]>(r.inputs.length);
      for (const [i, item] of data.entries()) {
        const index = isObject(item) ? (num(item['index']) ?? i) : i;
        const vector = isObject(item) ? item['embedding'] : undefined;
        if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number') || vectors[index] !== undefined) {
          throw malformed(`embedding ${i} is not a list of numbers`);
        }
        vectors[index] = vector as number[];
      }
      if (vectors.some((v) => v === undefined)) throw malformed('an embedding index is missing');
      return { vectors, usage: embeddingsUsage(res['usage']), rawUsage: res['usage'] };
    });
  }

  private async chat(r: GenerateRequest, signal: AbortSignal): Promise<GenerateResult> {
    const body = chatBody(r) as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
    if (!r.onText) return chatResult(await readJson(await this.client.chat.completions.create(body, { signal }).asResponse()));
    const stream = await this.client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal });
    const fold = new ChatStream(r.onText);
    for await (const chunk of stream) fold.add(chunk);
    return fold.result();
  }

  private async responses(r: GenerateRequest, signal: AbortSignal): Promise<GenerateResult> {
    const body = responsesBody(r) as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming;
    if (!r.onText) return responsesResult(await readJson(await this.client.responses.create(body, { signal }).asResponse()));
    const stream = await this.client.responses.create({ ...body, stream: true }, { signal });
    const fold = new ResponsesStream(r.onText);
    for await (const event of stream) fold.add(event);
    return fold.result();
  }
}
