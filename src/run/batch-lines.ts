import { randomBytes } from 'node:crypto';
import { BUDGET_DEFAULT_MAX_TOKENS, maxCost } from '../core/money/budget.js';
import type { Pico } from '../core/money/money.js';
import type { ModelConfig } from '../core/policy/types.js';
import type { LineRow } from '../io/batch-jobs.js';
import type { BatchLineRequest } from '../providers/batch/types.js';
import type { ProviderError } from '../providers/types.js';
import { batchRatesOf } from './batch-records.js';

/** A submit that failed on the way: the batch may exist all the same. */
export class SubmitFailed extends Error {
  constructor(override readonly cause: ProviderError) {
    super(cause.message);
  }
}

/** Worth asking again: the network, a timeout, 408/409/429/5xx. */
export const transient = (e: ProviderError) => e.kind === 'connection' || e.kind === 'timeout' || (e.kind === 'http' && (e.status === undefined || e.status >= 500 || [408, 409, 429].includes(e.status)));

export function lineRequest(line: LineRow, model: ModelConfig): BatchLineRequest {
  const r = line.request;
  return { customId: line.customId, request: { model: model.model, messages: r.messages, system: r.system, maxTokens: r.maxTokens, options: r.options, schema: r.schema } };
}

/** The worst a line can cost at the model's batch rate (see money/budget.ts maxCost). */
export function lineMaxCost(line: LineRow, model: ModelConfig): Pico {
  const priced: ModelConfig = { ...model, pricing: { ...model.pricing, rates: batchRatesOf(model) } };
  const prompt = { id: line.promptId, messages: line.request.messages, system: line.request.system, fields: {}, source: line.source };
  return maxCost(prompt, priced, line.request.maxTokens ?? BUDGET_DEFAULT_MAX_TOKENS);
}

/** A job id: short, sortable by time, safe in a file name and a custom_id prefix. */
export function newJobId(now: number): string {
  return `job-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

