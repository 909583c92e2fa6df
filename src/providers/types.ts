import type { FailureKind } from '../core/execution/retry.js';
import type { FinishReason } from '../core/execution/calls.js';
import type { Usage } from '../core/money/pricing.js';
import type { Message } from '../core/prompt.js';
import type { ModelOptions } from '../core/policy/options.js';
import type { Secrets } from '../core/secrets.js';
import type { BatchOps } from './batch/types.js';

export type { BatchOps } from './batch/types.js';

export type { FailureKind } from '../core/execution/retry.js';

export interface GenerateRequest {
  model: string;
  messages: Message[];
  system?: string | undefined;
  maxTokens?: number | undefined;
  /** Sampling and reasoning options, already checked against the API (unsupportedOptions). */
  options?: ModelOptions | undefined;
  /** Ask for structured output: the answer text is JSON meant to match this JSON Schema. */
  schema?: { name: string; schema: object } | undefined;
  /** Receives the answer as it streams; when absent the call may be made without streaming. */
  onText?: ((delta: string) => void) | undefined;
  signal: AbortSignal;
}

/** What a request body is built from: the live adapters and the batch lines share it. */
export type BodyRequest = Omit<GenerateRequest, 'signal' | 'onText'>;

export interface GenerateResult {
  text: string;
  /** Normalized usage; undefined when the server reported none (the cost is then unknown). */
  usage: Usage | undefined;
  /** The usage object exactly as the API reported it, for the record. */
  rawUsage?: unknown;
  /** The model id the server says answered. */
  answeredBy?: string | undefined;
  /** Why the answer ended, mapped from the API's own field; undefined when it gave none. */
  finishReason?: FinishReason | undefined;
}

export interface EmbedRequest {
  model: string;
  /** Many texts per request: the embeddings APIs take a list. */
  inputs: string[];
  signal: AbortSignal;
}

export interface EmbedResult {
  /** One vector per input, in input order. */
  vectors: number[][];
  usage: Usage | undefined;
  rawUsage?: unknown;
}

/**
 * One adapter per API family. `generate` is every provider's; `embed` only where the API has an
 * embeddings endpoint. Errors are thrown as ProviderError.
 */
export interface Provider {
  generate(request: GenerateRequest): Promise<GenerateResult>;
  embed?(request: EmbedRequest): Promise<EmbedResult>;
  /** Only where the provider has a batch API (OpenAI, Anthropic): half price for work that can wait. */
  readonly batch?: BatchOps | undefined;
}

/** Who an adapter serves: named in connection, timeout and key errors. */
export interface AdapterLabel {
  alias: string;
  provider: string;
  /** The effective base URL (see effectiveBaseUrl). */
  baseUrl: string;
  keyVariable?: string | undefined;
}

/** What every adapter is built from. */
export interface AdapterConfig {
  apiKey: string | undefined;
  baseURL: string | undefined;
  /** Covers the whole attempt: connecting, headers and the whole body, streamed or not. */
  timeoutMs: number;
  label?: AdapterLabel | undefined;
  /** Key values to take out of every error message; key-shaped text is always taken out. */
  secrets?: Secrets | undefined;
  /** An SDK's warning (e.g. a deprecated model), in frugal's words; the pool shows it once. */
  onWarning?: ((text: string) => void) | undefined;
}

/** A failed attempt, classified for the retry policy. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly status?: number,
    /** What the server asked us to wait (retry-after-ms or retry-after), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
