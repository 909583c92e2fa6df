import { recordOf } from '../core/execution/endpoint.js';
import type { ResultRecord } from '../core/execution/events.js';
import { effectiveMaxTokens, plan, type Job, type Planner } from '../core/execution/planner.js';
import { SeenIds } from '../core/execution/seen-ids.js';
import { BUDGET_DEFAULT_MAX_TOKENS } from '../core/money/budget.js';
import { costOf } from '../core/money/pricing.js';
import type { ModelOptions } from '../core/policy/options.js';
import type { ModelConfig, Policy } from '../core/policy/types.js';
import { sourceText, type InputItem, type PromptRecord } from '../core/prompt.js';
import type { Cascade } from '../core/routing/cascade.js';
import type { Decision } from '../core/routing/chain.js';
import type { Check } from '../core/routing/checks/types.js';
import type { JobSettings, JobStore, LineRequest, LineStep, NewLine } from '../io/batch-jobs.js';
import type { CachedAnswer, ResponseCache } from '../io/cache.js';
import type { CacheKeyInput } from '../io/hash.js';
import { batchRatesOf, type BatchOutcome } from './batch-records.js';

/** Providers whose batch API frugal speaks; a typed table so a new provider kind must say. */
const HAS_BATCH_API: Record<ModelConfig['provider'], boolean> = { openai: true, anthropic: true, 'openai-compatible': false };

/** Does this model's prompt go through a batch API? `--batch` sends every batchable model; `batch: true` one model. */
export function batched(model: ModelConfig, all: boolean): boolean {
  return HAS_BATCH_API[model.provider] && model.batchRates !== undefined && (all || model.batch === true);
}

export interface CreateJob {
  store: JobStore;
  jobId: string;
  output: string | null;
  policy: Policy;
  /** How a prompt is routed and what its request carries (run's planner, without a budget). */
  planner: Omit<Planner, 'stopping' | 'budget'>;
  items: AsyncIterable<InputItem>;
  /** --batch: every prompt routed to openai/anthropic; without it only models with `batch: true`. */
  all: boolean;
  retries: number;
  maxSpend?: bigint | undefined;
  /** Under a budget every line needs an answer cap, so that its worst case is bounded. */
  budgetActive: boolean;
  now: number;
  /** The policy's folder (the files its checks name) and tokenizer, for collecting its cascades later. */
  policyDir: string;
  cache?: ResponseCache | undefined;
  /** The response cache's key of a request to a model (the same as a live run's). */
  keyOf: (model: ModelConfig, request: Omit<CacheKeyInput, 'provider' | 'model' | 'baseUrl' | 'api'>) => string;
  /** Prompt ids already done in the output (--resume): not batched again. */
  skip?: { has(id: string): boolean } | undefined;
  /** A prompt finished without a batch: answered from the response cache, or refused before sending. */
  onDone: (outcome: BatchOutcome, prompt: PromptRecord) => void;
  /** A prompt for the live path (routed to a model without a batch API), with its route. */
  onLive: (prompt: PromptRecord, decision: Decision) => void;
  onInputError: (item: Extract<InputItem, { kind: 'error' }>) => void;
}

const CHUNK = 2048;

/**
 * A cascade goes through batches when every model it calls has a batch API: its steps' and its
 * judges' (a judge's call then goes through a batch of its own after the answer it judges).
 */
export function batchedCascade(cascade: Cascade, models: ReadonlyMap<string, ModelConfig>, all: boolean): boolean {
  return [...cascade.try, ...judges(cascade.accept)].every((alias) => batched(models.get(alias)!, all));
}

function judges(c: Check): string[] {
  if (c.kind === 'judge') return [c.model];
  if (c.kind === 'all' || c.kind === 'any') return c.of.flatMap(judges);
  if (c.kind === 'not') return judges(c.of);
  return [];
}

/** Does a prompt routed to `route` (a model or a cascade) go through a batch API? */
export function routeBatched(policy: Policy, route: string, all: boolean): boolean {
  const cascade = policy.cascades.get(route);
  return cascade ? batchedCascade(cascade, policy.models, all) : batched(policy.models.get(route)!, all);
}

/** Each step of a cascade (or fallback) as its line carries it: model, answer cap, options. */
const stepOf = (model: ModelConfig, maxTokens: number | undefined, options: ModelOptions | undefined, budgetActive: boolean): LineStep => ({
  route: model.alias,
  maxTokens: maxTokens ?? (budgetActive ? BUDGET_DEFAULT_MAX_TOKENS : undefined),
  options,
});

/**
 * Under per-model caps, what a line's request becomes down its model's fallback chain (as far as
 * the chain has batch APIs and options its models take): the driver moves lines there when the
 * model's cap is reached, as the live planner does.
 */
function fallbacksOf(o: CreateJob, prompt: PromptRecord, model: ModelConfig): LineStep[] | undefined {
  if (o.policy.budget.perModelUsd.size === 0) return undefined;
  const out: LineStep[] = [];
  const seen = new Set([model.alias]);
  for (let m = model; m.fallback !== undefined && !seen.has(m.fallback); ) {
    m = o.policy.models.get(m.fallback)!;
    seen.add(m.alias);
    const resolved = o.planner.optionsFor?.(prompt, m);
    if (!batched(m, o.all) || (resolved && 'error' in resolved)) break;
    const options = resolved && 'options' in resolved && Object.keys(resolved.options).length > 0 ? resolved.options : undefined;
    out.push(stepOf(m, effectiveMaxTokens(o.planner.maxTokens, prompt.maxTokens, m.maxTokens), options, o.budgetActive));
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Reads and routes the prompts and writes the job's lines to the store before anything is
 * submitted. The job stays `creating` until the last line is in: a job cut short there is dropped
 * and built again, since none of it was sent. Returns how many lines were batched.
 */
export async function createJob(o: CreateJob): Promise<number> {
  const cascades = [...o.policy.cascades.values()].filter((c) => batchedCascade(c, o.policy.models, o.all));
  const settings: JobSettings = {
    models: [...o.policy.models.values()],
    baseline: o.policy.baseline,
    retries: o.retries,
    maxSpend: o.maxSpend?.toString(),
    cascades: cascades.map((c) => ({ name: c.name, try: c.try, accept: c.spec })),
    policyDir: o.policyDir,
    tokenizer: o.policy.tokenizer,
  };
  o.store.createJob({ id: o.jobId, createdMs: o.now, output: o.output, settings });
  const baseline = o.policy.models.get(o.policy.baseline)!;
  const seen = new SeenIds();
  const planner: Planner = { ...o.planner, stopping: () => false };
  let chunk: NewLine[] = [];
  let count = 0;
  for await (const item of o.items) {
    if (item.kind === 'error') {
      o.onInputError(item);
      continue;
    }
    const prompt = item.prompt;
    const first = seen.add(prompt.id, prompt.source);
    if (first !== undefined) {
      o.onInputError({ kind: 'error', file: prompt.source.file, line: prompt.source.line, message: `duplicate id "${prompt.id}" (first at ${sourceText(first.file, first.line)}); ids must be unique` });
      continue;
    }
    if (o.skip?.has(prompt.id)) continue;
    const planned = await plan(planner, prompt);
    if (planned.kind === 'stop') throw new Error('a plan without a budget does not stop');
    const { job } = planned;
    if (!routeBatched(o.policy, job.decision.route, o.all)) {
      o.onLive(prompt, job.decision);
      continue;
    }
    if (planned.kind === 'refused') {
      o.onDone({ record: refusedRecord(job, planned.message, planned.why) }, prompt);
      continue;
    }
    const maxTokens = job.maxTokens ?? (o.budgetActive ? BUDGET_DEFAULT_MAX_TOKENS : undefined);
    const schema = job.schema ? { name: job.schema.name, schema: job.schema.schema } : undefined;
    const request: LineRequest = { system: prompt.system, messages: prompt.messages, maxTokens, options: job.options, schema };
    const model = job.model;
    const cascade = planned.steps ? o.policy.cascades.get(job.decision.route) : undefined;
    if (!cascade) {
      const hit = o.cache?.get(o.keyOf(model, { ...request, schema: request.schema?.schema }));
      if (hit) {
        o.onDone({ record: cachedRecord(job, hit, baseline) }, prompt);
        continue;
      }
    }
    const line: NewLine = { customId: `r${(count++).toString(36)}`, promptId: prompt.id, route: model.alias, class: job.decision.class, reason: job.decision.reason, source: prompt.source, request };
    if (!cascade) request.fallbacks = fallbacksOf(o, prompt, model);
    if (cascade) {
      const steps = [stepOf(model, job.maxTokens, job.options, o.budgetActive), ...planned.steps!.map((st) => stepOf(st.model, st.maxTokens, st.options, o.budgetActive))];
      line.cascade = { name: cascade.name, step: 0, steps, prior: [] };
    }
    chunk.push(line);
    if (chunk.length >= CHUNK) {
      o.store.addLines(o.jobId, chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) o.store.addLines(o.jobId, chunk);
  o.store.setJobState(o.jobId, 'open');
  return count;
}

/** An option the model's API does not take: refused before anything is sent, as a live run does. */
function refusedRecord(job: Job, message: string, why: 'budget' | 'options'): ResultRecord {
  return recordOf(job, [], 0n, { message, kind: why });
}

/** A prompt the response cache answers: nothing submitted; what it saved is priced at the batch rate. */
function cachedRecord(job: Job, hit: CachedAnswer, baseline: ModelConfig): ResultRecord {
  const usage = hit.usage;
  const m = job.model;
  return {
    id: job.prompt.id, source: job.prompt.source, class: job.decision.class, route: m.alias, provider: m.provider, model: m.model,
    answeredBy: hit.answeredBy, reason: job.decision.reason, estimated: false, usage: usage ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    cost: 0n, baselineCost: usage ? costOf(usage, batchRatesOf(baseline)) : undefined, output: hit.text, attempts: 0, cached: true,
    cacheSaved: usage ? costOf(usage, batchRatesOf(m)) : undefined,
  };
}
