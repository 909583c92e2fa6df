import type { FailureKind } from '../core/execution/retry.js';
import type { FinishReason } from '../core/execution/calls.js';
import type { Usage } from '../core/money/pricing.js';
import type { Message } from '../core/prompt.js';
import type { BatchOps } from './batch/types.js';

export type { FailureKind } from '../core/execution/retry.js';
export type { BatchOps } from './batch/types.js';

export interface GenerateRequest {
  model: string;
  messages: Message[];
  system?: string | undefined;
  maxTokens?: number | undefined;
  /** Receives the answer as it streams; when absent the call may be made without streaming. */
  onText?: ((delta: string) => void) | undefined;
  signal: AbortSignal;
}

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
 * embeddings endpoint; `batch` only where the provider has a batch API (OpenAI, Anthropic).
 * Errors are thrown as ProviderError.
 */
export interface Provider {
  generate(request: GenerateRequest): Promise<GenerateResult>;
  embed?(request: EmbedRequest): Promise<EmbedResult>;
  readonly batch?: BatchOps | undefined;
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
