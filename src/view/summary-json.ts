import { failures, savings, type RunTotals } from '../core/money/accounting.js';
import { DEFAULT_ESCALATION_RATE, DEFAULT_OUTPUT_TOKENS } from '../core/money/estimate.js';
import { pctNumber, picoToUsd } from '../core/money/money.js';
import type { Policy } from '../core/policy/types.js';

/** The run summary as JSON (--summary-json): the same figures as the table, unrounded. */
export function summaryJson(t: RunTotals, policy: Policy, extra: { outputTokens?: number | undefined; escalationRate?: number | undefined } = {}) {
  const baseline = policy.models.get(policy.baseline)!;
  const saved = savings(t);
  const models = [...t.models.values()]
    .filter((m) => m.calls > 0)
    .map((m) => ({
      route: m.route,
      provider: m.provider,
      model: m.model,
      calls: m.calls,
      failed: m.failed,
      input_tokens: m.inputTokens,
      output_tokens: m.outputTokens,
      cache_read_tokens: m.cacheReadTokens,
      cache_write_tokens: m.cacheWriteTokens,
      cost_usd: picoToUsd(m.cost),
      unsettled_usd: picoToUsd(m.unsettled),
      unsettled_calls: m.unsettledCalls,
      cost_unknown: m.costUnknown,
      share_pct: pctNumber(m.cost, t.cost),
    }));
  return {
    policy: policy.file,
    estimated: t.dryRun,
    prompts: t.prompts + t.inputErrors.length,
    succeeded: t.succeeded,
    failed: failures(t),
    input_errors: t.inputErrors.length,
    retries: t.retries,
    skipped: t.skipped,
    throttled: t.throttled.map((th) => ({ provider: th.provider, responses_429: th.throttles, lowest_concurrency: th.lowestConcurrency })),
    cache_hits: t.cacheHits,
    cache_saved_usd: picoToUsd(t.cacheSaved),
    stopped: t.stop ?? null,
    baseline: { route: baseline.alias, provider: baseline.provider, model: baseline.model },
    models,
    calls: t.calls,
    cost_usd: picoToUsd(t.cost),
    unsettled_usd: picoToUsd(t.unsettled),
    unsettled_calls: t.unsettledCalls,
    escalated: t.escalated,
    cascades: [...t.cascades].map(([route, c]) => ({ route, prompts: c.prompts, escalated: c.escalated, discarded_cost_usd: picoToUsd(c.discardedCost) })),
    discarded_cost_usd: picoToUsd(t.discardedCost),
    batched_calls: t.batchedCalls,
    batch_discount_usd: picoToUsd(t.batchSaved),
    refused: t.refused.map((r) => ({ route: r.route, message: r.message })),
    not_sent: t.notSent,
    cost_unknown: t.costUnknown,
    baseline_cost_usd: picoToUsd(t.baselineCost),
    savings_usd: picoToUsd(saved),
    savings_pct: pctNumber(saved, t.baselineCost),
    ...(t.dryRun
      ? {
          output_tokens_assumption: {
            per_prompt: extra.outputTokens ?? DEFAULT_OUTPUT_TOKENS,
            from_flag: t.outputTokenSources.flag,
            from_max_tokens: t.outputTokenSources.max_tokens,
            from_default: t.outputTokenSources.default,
          },
          ...(policy.cascades.size > 0 ? { escalation_rate_assumption: extra.escalationRate ?? DEFAULT_ESCALATION_RATE } : {}),
        }
      : {}),
    elapsed_ms: t.startedAt !== undefined && t.endedAt !== undefined ? t.endedAt - t.startedAt : null,
  };
}
