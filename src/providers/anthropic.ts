import Anthropic from '@anthropic-ai/sdk';
import { attempt } from './attempt.js';
import { MessagesStream, messagesBody, messagesResult } from './anthropic-messages.js';
import { routingConsoleWarn, sdkLogger } from './warnings.js';
import { readJson } from './wire.js';
import type { AdapterConfig, BatchOps, GenerateRequest, GenerateResult, Provider } from './types.js';
import { AnthropicBatchOps } from './batch/anthropic.js';

export { ANTHROPIC_DEFAULT_MAX_TOKENS, messagesUsage, stopReason } from './anthropic-messages.js';

export type AnthropicOptions = AdapterConfig;

// Above this an answer can take long enough for idle connections to be cut: stream it.
const STREAM_ABOVE_TOKENS = 16_000;

export class AnthropicProvider implements Provider {
  private readonly client: Anthropic;

  constructor(private readonly options: AnthropicOptions) {
    this.client = new Anthropic({
      apiKey: options.apiKey ?? null,
      // Not read from the environment behind frugal's back: the key frugal read is the one sent.
      authToken: null,
      baseURL: options.baseURL,
      maxRetries: 0,
      timeout: options.timeoutMs,
      logger: sdkLogger(options.onWarning),
    });
    this.batch = new AnthropicBatchOps(this.client);
  }

  readonly batch: BatchOps;

  generate(r: GenerateRequest): Promise<GenerateResult> {
    return attempt(this.options, Anthropic, r.signal, (signal) => this.send(r, signal));
  }

  private async send(r: GenerateRequest, signal: AbortSignal): Promise<GenerateResult> {
    const body = messagesBody(r) as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const structured = r.schema !== undefined;
    const warn = this.options.onWarning;
    if (!r.onText && (body.max_tokens ?? 0) <= STREAM_ABOVE_TOKENS) {
      const response = await routingConsoleWarn(warn, () => this.client.messages.create(body, { signal }).asResponse());
      return messagesResult(await readJson(response), structured);
    }
    // Raw events rather than the SDK's MessageStream: a stream cut before message_stop must fail.
    const stream = await routingConsoleWarn(warn, () => this.client.messages.create({ ...body, stream: true }, { signal }));
    const fold = new MessagesStream(r.onText ?? (() => undefined), structured);
    for await (const event of stream) fold.add(event);
    return fold.result();
  }
}
