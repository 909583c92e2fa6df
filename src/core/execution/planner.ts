import { BUDGET_DEFAULT_MAX_TOKENS, maxCost, type Budget, type Reservation } from '../money/budget.js';
import { formatUsd } from '../money/money.js';
import type { ModelConfig } from '../policy/types.js';
import type { PromptRecord } from '../prompt.js';
import type { Decision } from '../routing/chain.js';

/** A prompt with its route decided: what the executor carries out. */
export interface Job {
  prompt: PromptRecord;
  decision: Decision;
  model: ModelConfig;
  maxTokens?: number | undefined;
}

export type HeldReservation = Reservation & { ok: true };

export type Plan =
  | { kind: 'send'; job: Job; reservation?: HeldReservation | undefined }
  | { kind: 'refused'; job: Job; message: string }
  | { kind: 'stop' };

export interface Planner {
  /** The routing chain: --model override, the policy's classes, its default. */
  route: (prompt: PromptRecord) => Decision;
  models: ReadonlyMap<string, ModelConfig>;
  /** --max-tokens: caps every answer (a record's own max_tokens may lower it further). */
  maxTokens?: number | undefined;
  budget?: Budget | undefined;
  /** True once the run stops taking new prompts (Ctrl-C): a prompt waiting for budget gives up. */
  stopping: () => boolean;
}

export function effectiveMaxTokens(flag: number | undefined, record: number | undefined, model: number | undefined): number | undefined {
  if (flag !== undefined && record !== undefined) return Math.min(flag, record);
  return flag ?? record ?? model;
}

/** The most one attempt of a job can cost; without an answer cap, the cap frugal assumes (4096 tokens). */
export function worstCase(job: Job): bigint {
  return maxCost(job.prompt, job.model, job.maxTokens ?? BUDGET_DEFAULT_MAX_TOKENS);
}

/**
 * Route a prompt and, under a budget, reserve its worst-case cost: on its route, else down the
 * route's fallback chain when a per-model cap is reached (the budget-fallback step of the routing
 * chain). A run cap that cannot take it waits for prompts in flight to settle, or stops the run.
 * `decided` is a decision made already (a route known in advance).
 */
export async function plan(p: Planner, prompt: PromptRecord, decided?: Decision): Promise<Plan> {
  let decision = decided ?? p.route(prompt);
  let model = p.models.get(decision.route)!;
  const jobFor = (m: ModelConfig, d: Decision): Job => {
    let maxTokens = effectiveMaxTokens(p.maxTokens, prompt.maxTokens, m.maxTokens);
    if (p.budget?.active && maxTokens === undefined) maxTokens = BUDGET_DEFAULT_MAX_TOKENS;
    return { prompt, decision: d, model: m, maxTokens };
  };
  if (!p.budget?.active) return { kind: 'send', job: jobFor(model, decision) };
  const tried: string[] = [];
  for (;;) {
    const job = jobFor(model, decision);
    const r = p.budget.reserve(model.alias, worstCase(job));
    if (r.ok) return { kind: 'send', job, reservation: r };
    if (r.limit === 'total') {
      // What is in flight was reserved at its worst case; once booked, this may fit after all.
      if (!p.budget.pending || p.stopping()) return { kind: 'stop' };
      await p.budget.nextSettle();
      continue;
    }
    tried.push(model.alias);
    const next = model.fallback === undefined ? undefined : p.models.get(model.fallback);
    const cap = formatUsd(p.budget.limits.perModel.get(model.alias));
    if (!next || tried.includes(next.alias)) {
      return { kind: 'refused', job, message: `budget for ${tried.join(', then ')} reached (${cap} per run)${next ? '' : ` and ${model.alias} names no fallback`}` };
    }
    decision = { ...decision, route: next.alias, reason: `${decision.reason}; ${model.alias} budget (${cap}) reached: fell back to ${next.alias}` };
    model = next;
  }
}
