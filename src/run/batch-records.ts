import type { PromptError, ResultRecord } from '../core/execution/events.js';
import type { Pico } from '../core/money/money.js';
import { costOf, ZERO_USAGE, type ModelRates } from '../core/money/pricing.js';
import type { ModelConfig } from '../core/policy/types.js';
import type { LineRow } from '../io/batch-jobs.js';
import { recordToJson } from '../io/results.js';
import type { GenerateResult } from '../providers/types.js';

/** The rates a batch line is billed at: the model's batch rates (every batchable model has them). */
export const batchRatesOf = (m: ModelConfig): ModelRates => m.batchRates ?? m.pricing.rates;

/** A batched prompt's record, and what the same call would have cost sent live. */
export interface BatchOutcome {
  record: ResultRecord;
  /** The normal (live) price of the same usage: the batch discount is liveCost - cost. */
  liveCost: Pico | undefined;
}

function base(line: LineRow, model: ModelConfig): ResultRecord {
  return {
    id: line.promptId,
    source: line.source,
    class: line.class,
    route: line.route,
    provider: model.provider,
    model: model.model,
    answeredBy: undefined,
    reason: line.reason,
    estimated: false,
    usage: ZERO_USAGE,
    cost: 0n,
    baselineCost: 0n,
    output: undefined,
    latencyMs: undefined,
    attempts: line.rounds,
    cached: false,
    cacheSaved: undefined,
    error: undefined,
  };
}

/**
 * A line that succeeded: priced at the model's batch rate; the baseline is the baseline model
 * doing the same work the same way, at its batch rate (its normal rate if it has no batch API).
 */
export function succeeded(line: LineRow, model: ModelConfig, baseline: ModelConfig, r: GenerateResult): BatchOutcome {
  const record = base(line, model);
  record.answeredBy = r.answeredBy;
  record.output = r.text;
  if (r.usage === undefined) {
    record.cost = undefined;
    record.baselineCost = undefined;
    return { record, liveCost: undefined };
  }
  record.usage = r.usage;
  record.cost = costOf(r.usage, batchRatesOf(model));
  record.baselineCost = costOf(r.usage, batchRatesOf(baseline));
  return { record, liveCost: costOf(r.usage, model.pricing.rates) };
}

/** A line that failed for good: not billed. */
export function failed(line: LineRow, model: ModelConfig, error: PromptError): BatchOutcome {
  const record = base(line, model);
  record.error = error;
  return { record, liveCost: 0n };
}

/** The JSON line: run's record format, with the id of the batch that carried the call. */
export function batchRecordJson(record: ResultRecord, batchId: string | null): string {
  return JSON.stringify({ ...recordToJson(record), batch_id: batchId });
}
