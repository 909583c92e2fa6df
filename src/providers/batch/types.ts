import type { BodyRequest, GenerateResult } from '../types.js';

/** One line of a batch: the same request a live call would send, and the id it comes back under. */
export interface BatchLineRequest {
  customId: string;
  request: BodyRequest;
}

/** What one batch (one input file or one create call) may hold. */
export interface BatchLimits {
  maxRequests: number;
  maxBytes: number;
}

export type BatchEnd = 'completed' | 'expired' | 'cancelled' | 'failed';

/** A batch's status, the same for every provider. */
export interface BatchStatus {
  id: string;
  state: 'running' | 'cancelling' | 'ended';
  /** The provider's own status word (validating, in_progress, finalizing, canceling, ...). */
  status: string;
  end?: BatchEnd | undefined;
  total: number;
  succeeded: number;
  /** Errored, expired and cancelled lines so far. */
  failed: number;
  /** Unix ms. */
  createdAt: number;
  /** Why a batch failed as a whole (OpenAI validation errors). */
  errors?: string[] | undefined;
}

/**
 * How a line that did not succeed failed. `retryable`: 408/409/429/5xx (sent again in a new batch);
 * `invalid`: any other error (reported with the provider's message, never sent again); `expired`:
 * the batch's window ran out first (sent again); `cancelled`: the batch was cancelled first.
 */
export type LineFailure = 'retryable' | 'invalid' | 'expired' | 'cancelled';

export type BatchLineResult =
  | { customId: string; ok: true; result: GenerateResult }
  | { customId: string; ok: false; failure: LineFailure; status?: number | undefined; message: string };

/**
 * A provider's batch API. Status checks, lists and downloads are never billed; only the lines
 * that succeed are. Errors are thrown as ProviderError.
 */
export interface BatchOps {
  readonly limits: BatchLimits;
  /** Bytes the line takes in the batch body, for splitting at `limits.maxBytes`. */
  lineBytes(line: BatchLineRequest): number;
  /** Submits the lines as one batch. `tag` is stored with the batch where the API allows it. */
  submit(lines: readonly BatchLineRequest[], tag: string): Promise<BatchStatus>;
  /**
   * A batch this job submitted but whose id was never recorded (the process died in between):
   * found by its tag, or (Anthropic, which keeps no metadata) by its size and creation time.
   */
  find(tag: string, match: { since: number; lines: number; exclude: ReadonlySet<string> }): Promise<BatchStatus | undefined>;
  status(id: string): Promise<BatchStatus>;
  /** The results of an ended batch, streamed: never the whole file in memory. */
  results(id: string): AsyncIterable<BatchLineResult>;
  cancel(id: string): Promise<BatchStatus>;
}

/** 408, 409, 429 and 5xx are worth another try; other 4xx are the request's own fault. */
export const retryableStatus = (status: number | undefined) => status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
