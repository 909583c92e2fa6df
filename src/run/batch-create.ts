import { effectiveMaxTokens } from '../core/execution/planner.js';
import { routingChain } from '../core/routing/chain.js';
import { BUDGET_DEFAULT_MAX_TOKENS } from '../core/money/budget.js';
import { costOf } from '../core/money/pricing.js';
import type { ModelConfig, Policy } from '../core/policy/types.js';
import type { InputItem, PromptRecord } from '../core/prompt.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import type { JobSettings, JobStore, NewLine } from '../io/batch-jobs.js';
import type { ResponseCache } from '../io/cache.js';
import { cacheKey } from '../io/hash.js';
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
  counter: TokenCounter;
  items: AsyncIterable<InputItem>;
  /** --batch: every prompt routed to openai/anthropic; without it only models with `batch: true`. */
  all: boolean;
  forceRoute?: string | undefined;
  maxTokens?: number | undefined;
  retries: number;
  maxSpend?: bigint | undefined;
  /** Under a budget every line needs an answer cap, so that its worst case is bounded. */
  budgetActive: boolean;
  now: number;
  cache?: ResponseCache | undefined;
  /** Prompt ids already done in the output (--resume): not batched again. */
  skip?: { has(id: string): boolean } | undefined;
  /** A prompt answered from the response cache: nothing submitted. */
  onCached: (outcome: BatchOutcome, prompt: PromptRecord) => void;
  /** A prompt for the live path (routed to a model without a batch API). */
  onLive: (prompt: PromptRecord) => void;
  onInputError: (item: Extract<InputItem, { kind: 'error' }>) => void;
}

const CHUNK = 2048;

/**
 * Reads and routes the prompts and writes the job's lines to the store before anything is
 * submitted. The job stays `creating` until the last line is in: a job cut short there is dropped
 * and built again, since none of it was sent. Returns how many lines were batched.
 */
export async function createJob(o: CreateJob): Promise<number> {
  const settings: JobSettings = {
    models: [...o.policy.models.values()],
    baseline: o.policy.baseline,
    retries: o.retries,
    maxSpend: o.maxSpend?.toString(),
  };
  o.store.createJob({ id: o.jobId, createdMs: o.now, output: o.output, settings });
  const baseline = o.policy.models.get(o.policy.baseline)!;
  let chunk: NewLine[] = [];
  let count = 0;
  for await (const item of o.items) {
    if (item.kind === 'error') {
      o.onInputError(item);
      continue;
    }
    const prompt = item.prompt;
    if (o.skip?.has(prompt.id)) continue;
    const decision = routingChain(o.policy, o.counter, o.forceRoute)(prompt);
    const model = o.policy.models.get(decision.route)!;
    if (!batched(model, o.all)) {
      o.onLive(prompt);
      continue;
    }
    let maxTokens = effectiveMaxTokens(o.maxTokens, prompt.maxTokens, model.maxTokens);
    if (maxTokens === undefined && o.budgetActive) maxTokens = BUDGET_DEFAULT_MAX_TOKENS;
    const request = { system: prompt.system, messages: prompt.messages, maxTokens };
    const hit = o.cache?.get(cacheKey({ provider: model.provider, model: model.model, baseUrl: model.baseUrl, api: model.api, ...request }));
    if (hit) {
      const usage = hit.usage;
      o.onCached(
        {
          record: {
            id: prompt.id, source: prompt.source, class: decision.class, route: model.alias, provider: model.provider, model: model.model,
            answeredBy: hit.answeredBy, reason: decision.reason, estimated: false, usage: usage ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
            cost: 0n, baselineCost: usage ? costOf(usage, batchRatesOf(baseline)) : undefined, output: hit.text, attempts: 0, cached: true,
            cacheSaved: usage ? costOf(usage, batchRatesOf(model)) : undefined,
          },
          liveCost: 0n,
        },
        prompt,
      );
      continue;
    }
    chunk.push({ customId: `r${(count++).toString(36)}`, promptId: prompt.id, route: model.alias, class: decision.class, reason: decision.reason, source: prompt.source, request });
    if (chunk.length >= CHUNK) {
      o.store.addLines(o.jobId, chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) o.store.addLines(o.jobId, chunk);
  o.store.setJobState(o.jobId, 'open');
  return count;
}
