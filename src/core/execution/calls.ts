import type { Pico } from '../money/money.js';
import type { Usage } from '../money/pricing.js';
import type { FailureKind } from './retry.js';

/** What a billable request was for. */
export type CallKind = 'answer' | 'check' | 'embed';

/** Why an answer ended, in one vocabulary across APIs. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_use' | 'refusal' | 'other';

/**
 * `budget`: refused by a cap; `not-sent`: its model had already refused the key; `options`: an
 * option its model's API does not take (nothing sent); `schema`: an answer that does not conform.
 */
export type ErrorKind = FailureKind | 'budget' | 'not-sent' | 'options' | 'schema' | BatchLineFailure;

/** How a batch line ended without an answer: `retryable` (5xx, rate limited), `expired` with its batch, `cancelled`, or its whole batch failed. */
export type BatchLineFailure = 'retryable' | 'expired' | 'cancelled' | 'batch-failed';

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
 * otherwise (`unsettled` > 0) it includes, for each attempt whose answer never came back
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
  /** Booked: exact where usage came back, reservations where it may have been billed unseen. */
  cost: Pico;
  /** The part of `cost` that is reservations of attempts that never settled: an upper bound. */
  unsettled: Pico;
  latencyMs?: number | undefined;
  attempts: number;
  finishReason?: FinishReason | undefined;
  cached: boolean;
  /** A cache hit: what the call would have cost. */
  cacheSaved?: Pico | undefined;
  error?: CallError | undefined;
  /** The text it returned (answers and checks). */
  output?: string | undefined;
  /** A cascade step: the checks its answer passed and failed (ids are their key paths in the policy). */
  checks?: { id: string; ok: boolean; why: string }[] | undefined;
  /** The provider batch that carried it (a batch run), and what the batch price saved against the live price. */
  batchId?: string | undefined;
  batchSaved?: Pico | undefined;
  /** Where the write-ahead journal keeps it (not part of the record written out). */
  journalHandle?: number | undefined;
}

/** A call's usage summed into a prompt's. */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum: Usage = { input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite };
  if (a.reasoning !== undefined || b.reasoning !== undefined) sum.reasoning = (a.reasoning ?? 0) + (b.reasoning ?? 0);
  return sum;
}

/** What a prompt's calls cost together: the exact sum, and the part of it that is reservations. */
export function sumCalls(calls: readonly CallRecord[]): { cost: Pico; unsettled: Pico; usage: Usage } {
  let cost = 0n;
  let unsettled = 0n;
  let usage: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const c of calls) {
    cost += c.cost;
    unsettled += c.unsettled;
    usage = calls.length === 1 ? c.usage : addUsage(usage, c.usage);
  }
  return { cost, unsettled, usage };
}
