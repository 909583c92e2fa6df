import { sumCalls, type CallError, type CallRecord } from '../core/execution/calls.js';
import type { ResultRecord } from '../core/execution/events.js';
import type { Pico } from '../core/money/money.js';
import { costOf, ZERO_USAGE, type ModelRates } from '../core/money/pricing.js';
import type { ModelConfig } from '../core/policy/types.js';
import type { LineRow } from '../io/batch-jobs.js';
import { recordToJson } from '../io/results.js';
import type { GenerateResult } from '../providers/types.js';

/** The rates a batch line is billed at: the model's batch rates (every batchable model has them). */
export const batchRatesOf = (m: ModelConfig): ModelRates => m.batchRates ?? m.pricing.rates;

/** A finished prompt's record; `journaled` when its calls are in the ledger already (the live part's). */
export interface BatchOutcome {
  record: ResultRecord;
  journaled?: boolean | undefined;
}

/**
 * The call a line made in a batch, priced at the model's batch rate. A line that came back
 * without usage was billed all the same: it is booked at its worst case, unsettled, never at $0.
 */
export function lineCall(line: LineRow, model: ModelConfig, r: GenerateResult, batchId: string, worstCase: () => Pico): CallRecord {
  const usage = r.usage;
  const cost = usage ? costOf(usage, batchRatesOf(model)) : worstCase();
  return {
    kind: 'answer',
    route: model.alias,
    provider: model.provider,
    model: model.model,
    answeredBy: r.answeredBy,
    usage: usage ?? ZERO_USAGE,
    cost,
    unsettled: usage ? 0n : cost,
    attempts: line.rounds,
    finishReason: r.finishReason,
    cached: false,
    output: r.text,
    batchId,
    ...(usage ? { batchSaved: costOf(usage, model.pricing.rates) - cost } : {}),
  };
}

/** A line that failed for good, or was never sent: nothing billed. */
export function failedCall(line: LineRow, model: ModelConfig, error: CallError, batchId: string | null): CallRecord {
  return {
    kind: 'answer',
    route: model.alias,
    provider: model.provider,
    model: model.model,
    usage: ZERO_USAGE,
    cost: 0n,
    unsettled: 0n,
    attempts: line.rounds,
    cached: false,
    error,
    ...(batchId === null ? {} : { batchId }),
  };
}

/**
 * A line's record once its last call is in: `calls` are a cascade's earlier steps and this one.
 * Its cost is their exact sum; the baseline is the baseline model doing the kept answer's work
 * the same way, at its batch rate (its normal rate if it has no batch API).
 */
export function lineRecord(line: LineRow, baseline: ModelConfig, calls: CallRecord[], cascade?: { escalated: boolean; failedCheck: string | undefined }): ResultRecord {
  // The kept call is the last answer (a cascade's judges come after the answer they judged).
  const kept = [...calls].reverse().find((c) => c.kind === 'answer') ?? calls[calls.length - 1]!;
  const error = kept.error;
  const sum = sumCalls(calls);
  return {
    id: line.promptId,
    source: line.source,
    class: line.class,
    route: kept.route,
    provider: kept.provider,
    model: kept.model,
    answeredBy: kept.answeredBy,
    reason: line.reason,
    estimated: false,
    usage: sum.usage,
    cost: sum.cost,
    unsettled: sum.unsettled,
    baselineCost: error ? 0n : kept.unsettled === 0n ? costOf(kept.usage, batchRatesOf(baseline)) : undefined,
    output: error ? undefined : kept.output,
    latencyMs: undefined,
    attempts: line.rounds,
    cached: false,
    cacheSaved: undefined,
    error,
    calls,
    ...(line.cascade ? { cascade: line.cascade.name, escalated: cascade?.escalated ?? line.cascade.step > 0, failedCheck: cascade?.failedCheck ?? line.cascade.failedCheck } : {}),
  };
}

/** The JSON line: run's record format, with the id of the batch that carried the kept call. */
export function batchRecordJson(record: ResultRecord, batchId: string | null): string {
  return JSON.stringify({ ...recordToJson(record), batch_id: batchId });
}
