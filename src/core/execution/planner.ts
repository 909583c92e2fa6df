import { BUDGET_DEFAULT_MAX_TOKENS, maxCost, type Budget, type Reservation } from '../money/budget.js';
import { formatUsd } from '../money/money.js';
import type { ModelOptions } from '../policy/options.js';
import type { ResolvedOptions } from '../policy/resolve-options.js';
import type { ModelConfig } from '../policy/types.js';
import type { JsonSchemaValidator } from '../quality/json-schema.js';
import type { PromptRecord } from '../prompt.js';
import type { Decision } from '../routing/chain.js';
import type { Cascade } from '../routing/cascade.js';

/** A prompt with its route decided: what the executor carries out. */
export interface Job {
  prompt: PromptRecord;
  decision: Decision;
  model: ModelConfig;
  maxTokens?: number | undefined;
  /** Model options for this request: the record's over --option over the model's. */
  options?: ModelOptions | undefined;
  /** The JSON Schema its answer must conform to (--schema, or its class's `schema:`). */
  schema?: JsonSchemaValidator | undefined;
}

export type HeldReservation = Reservation & { ok: true };

export type Plan =
  /** `steps`: a cascade's models after the first, each with its answer cap and its reservation. */
  | { kind: 'send'; job: Job; reservation?: HeldReservation | undefined; steps?: Step[] | undefined }
  | { kind: 'refused'; job: Job; message: string; why: 'budget' | 'options' }
  | { kind: 'stop' };

/** A later step of a cascade: its model and answer cap, reserved with the first call. */
export interface Step {
  model: ModelConfig;
  maxTokens?: number | undefined;
  /** The options a request to this step's model carries (each model's own, resolved for it). */
  options?: ModelOptions | undefined;
  reservation?: HeldReservation | undefined;
}

export interface Planner {
  /** The routing chain: --model override, the policy's classes, its default. */
  route: (prompt: PromptRecord) => Decision;
  models: ReadonlyMap<string, ModelConfig>;
  /** The policy's cascades: a route may name one (its steps are models). */
  cascades?: ReadonlyMap<string, Cascade> | undefined;
  /** --max-tokens: caps every answer (a record's own max_tokens may lower it further). */
  maxTokens?: number | undefined;
  budget?: Budget | undefined;
  /** The options a request to `model` carries, or why it cannot be sent (an option its API does not take). */
  optionsFor?: ((prompt: PromptRecord, model: ModelConfig) => ResolvedOptions) | undefined;
  /** The schema a class's answers must conform to. */
  schemaFor?: ((className: string | null) => JsonSchemaValidator | undefined) | undefined;
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
  const cascade = p.cascades?.get(decision.route);
  if (cascade) return planCascade(p, prompt, decision, cascade);
  let model = p.models.get(decision.route)!;
  let refusal: string | undefined;
  const jobFor = (m: ModelConfig, d: Decision): Job => {
    let maxTokens = effectiveMaxTokens(p.maxTokens, prompt.maxTokens, m.maxTokens);
    if (p.budget?.active && maxTokens === undefined) maxTokens = BUDGET_DEFAULT_MAX_TOKENS;
    const resolved = p.optionsFor?.(prompt, m);
    refusal = resolved && 'error' in resolved ? resolved.error : undefined;
    const options = resolved && 'options' in resolved && Object.keys(resolved.options).length > 0 ? resolved.options : undefined;
    return { prompt, decision: d, model: m, maxTokens, options, schema: p.schemaFor?.(d.class) };
  };
  const first = jobFor(model, decision);
  if (refusal !== undefined) return { kind: 'refused', job: first, message: refusal, why: 'options' };
  if (!p.budget?.active) return { kind: 'send', job: first };
  const tried: string[] = [];
  for (;;) {
    const job = jobFor(model, decision);
    if (refusal !== undefined) return { kind: 'refused', job, message: refusal, why: 'options' };
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
      return { kind: 'refused', job, why: 'budget', message: `budget for ${tried.join(', then ')} reached (${cap} per run)${next ? '' : ` and ${model.alias} names no fallback`}` };
    }
    decision = { ...decision, route: next.alias, reason: `${decision.reason}; ${model.alias} budget (${cap}) reached: fell back to ${next.alias}` };
    model = next;
  }
}

/**
 * A cascade reserves the worst case of its whole chain before the first call (every step may be
 * called); what the steps not called did not use is freed when the cascade keeps an answer.
 * Judge calls reserve their own when they are made.
 */
async function planCascade(p: Planner, prompt: PromptRecord, decision: Decision, cascade: Cascade): Promise<Plan> {
  let refusal: string | undefined;
  const steps = cascade.try.map((alias) => {
    const m = p.models.get(alias)!;
    let maxTokens = effectiveMaxTokens(p.maxTokens, prompt.maxTokens, m.maxTokens);
    if (p.budget?.active && maxTokens === undefined) maxTokens = BUDGET_DEFAULT_MAX_TOKENS;
    const resolved = p.optionsFor?.(prompt, m);
    if (resolved && 'error' in resolved) refusal ??= resolved.error;
    const options = resolved && 'options' in resolved && Object.keys(resolved.options).length > 0 ? resolved.options : undefined;
    return { model: m, maxTokens, options } as Step;
  });
  const first = steps[0]!;
  const job: Job = { prompt, decision, model: first.model, maxTokens: first.maxTokens, options: first.options, schema: p.schemaFor?.(decision.class) };
  // Every step may be called: an option one of its models' APIs does not take refuses the prompt before anything is sent.
  if (refusal !== undefined) return { kind: 'refused', job, message: refusal, why: 'options' };
  if (!p.budget?.active) return { kind: 'send', job, steps: steps.slice(1) };
  for (;;) {
    const held: HeldReservation[] = [];
    let failed: Reservation | undefined;
    for (const s of steps) {
      const r = p.budget.reserve(s.model.alias, worstCase({ ...job, model: s.model, maxTokens: s.maxTokens }));
      if (!r.ok) {
        failed = r;
        break;
      }
      held.push(r);
    }
    if (!failed) {
      steps.forEach((s, i) => (s.reservation = held[i]));
      return { kind: 'send', job, reservation: held[0], steps: steps.slice(1) };
    }
    for (const r of held) p.budget.settle(r, 0n);
    if (failed.ok === false && failed.limit === 'model') {
      return { kind: 'refused', job, why: 'budget', message: `budget for a model of cascade ${cascade.name} reached (${cascade.try.join(', ')})` };
    }
    if (!p.budget.pending || p.stopping()) return { kind: 'stop' };
    await p.budget.nextSettle();
  }
}

/** Frees every reservation of a plan that will not be sent (or of the steps it did not call). */
export function releasePlan(budget: Budget | undefined, reservation: HeldReservation | undefined, steps: readonly Step[] | undefined): void {
  for (const r of [reservation, ...(steps ?? []).map((s) => s.reservation)]) if (r) budget!.settle(r, 0n);
}
