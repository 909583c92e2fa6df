import type { Usage } from '../core/money/pricing.js';
import type { Message } from '../core/prompt.js';

export interface CallRequest {
  model: string;
  messages: Message[];
  system?: string | undefined;
  maxTokens?: number | undefined;
  /** Receives the answer as it streams; when absent the call may be made without streaming. */
  onText?: ((delta: string) => void) | undefined;
  signal: AbortSignal;
}

export interface CallResult {
  text: string;
  /** Normalized usage; undefined when the server reported none (the cost is then unknown). */
  usage: Usage | undefined;
  /** The model id the server says answered. */
  answeredBy?: string | undefined;
}

/** One adapter per API family: send a request, get back text, usage and the model that answered. */
export interface Provider {
  call(request: CallRequest): Promise<CallResult>;
}

export type FailureKind = 'http' | 'connection' | 'timeout' | 'aborted' | 'missing-key';

/** A failed attempt, classified for the retry policy. Failed attempts are never billed. */
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
