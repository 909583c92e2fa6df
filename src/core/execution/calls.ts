import type { Pico } from '../money/money.js';
import type { Usage } from '../money/pricing.js';
import type { FailureKind } from './retry.js';

/** What a billable request was for. */
export type CallKind = 'answer' | 'check' | 'embed';

/** Why an answer ended, in one vocabulary across APIs. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_use' | 'refusal' | 'other';

export type ErrorKind = FailureKind | 'budget';

export interface CallError {
  /** HTTP status when the provider answered with one. */
  status?: number | undefined;
  message: string;
  kind?: ErrorKind | undefined;
}

/**
 * One billable request (with its retries): an answer, an escalation, a judge or check call, an
 * embedding. It is written down before its request leaves, with its reserved worst-case cost,
 * and settled when the answer or the error comes back.
 *
 * `cost` is what is booked for it. When every attempt settled with reported usage it is exact;
 * otherwise (`costExact: false`) it includes, for each attempt whose answer never came back
 * whole (timed out, dropped, aborted, killed) or came back without usage, that attempt's
 * reservation: providers bill work the client stopped waiting for, so it is never $0.
 */
export interface CallRecord {
  kind: CallKind;
  route: string;
  provider: string;
  model: string;
  answeredBy?: string | undefined;
  usage: Usage;
  cost: Pico;
  costExact: boolean;
  latencyMs?: number | undefined;
  attempts: number;
  finishReason?: FinishReason | undefined;
  cached: boolean;
  /** A cache hit: what the call would have cost. */
  cacheSaved?: Pico | undefined;
  error?: CallError | undefined;
  /** The text it returned (answers and checks). */
  output?: string | undefined;
}
