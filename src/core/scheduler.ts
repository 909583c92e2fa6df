import { AimdLimiter } from './aimd.js';
import { BUDGET_DEFAULT_MAX_TOKENS, maxCost, type Budget, type Reservation } from './budget.js';
import { classify, type Decision } from './classify.js';
import { formatUsd } from './money.js';
import type { PromptError, ResultRecord, RunEventListener, StopReason } from './events.js';
import type { ModelConfig, Policy } from './policy.js';
import { costOf, ZERO_USAGE, type Usage } from './pricing.js';
import { sourceText, type InputItem, type PromptRecord } from './prompt.js';
import { DEFAULT_BACKOFF, isRetryable, isSendFailure, retryDelay, type BackoffPolicy, type SendFailure } from './retry.js';
import type { TokenCounter } from './tokens.js';

export interface Job {
  prompt: PromptRecord;
  decision: Decision;
  model: ModelConfig;
  maxTokens?: number | undefined;
}

export interface SendResult {
  text: string;
  usage: Usage | undefined;
  answeredBy?: string | undefined;
  /** Answered from the response cache: nothing was sent, nothing is billed. */
  cached?: boolean | undefined;
}

/** Ctrl-C: the first sets `stopping` (send nothing new), the second aborts what is in flight. */
export interface RunControl {
  stopping: boolean;
  abort: AbortSignal;
}

export interface SchedulerOptions {
  items: AsyncIterable<InputItem>;
  policy: Policy;
  counter: TokenCounter;
  concurrency: number;
  retries: number;
  /** --model: every prompt goes to this alias; the baseline stays the policy's. */
  forceRoute?: string | undefined;
  /** --max-tokens: caps every answer (a record's own max_tokens may lower it further). */
  maxTokens?: number | undefined;
  total?: number | undefined;
  /** Throws a SendFailure for a failed attempt; anything else it throws is a bug. */
  send: (job: Job, signal: AbortSignal) => Promise<SendResult>;
  emit: RunEventListener;
  /** Receives each record as it finishes; a returned promise is awaited (back-pressure). */
  onRecord: (record: ResultRecord, prompt: PromptRecord) => Promise<void> | undefined;
  control: RunControl;
  clock: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
  backoff?: BackoffPolicy | undefined;
  /** Caps on spend; nothing is sent whose worst-case cost could pass one. */
  budget?: Budget | undefined;
  /** --resume: ids that already have a successful record; they are not sent again. */
  skip?: ReadonlySet<string> | undefined;
}

/** Per provider endpoint: lowered on 429s, raised again as calls succeed. */
export type Limiters = Map<string, AimdLimiter>;

function limiterFor(o: SchedulerOptions, limiters: Limiters, model: ModelConfig): AimdLimiter {
  const key = model.baseUrl ? `${model.provider} at ${model.baseUrl}` : model.provider;
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new AimdLimiter(Math.max(1, o.concurrency));
    limiters.set(key, limiter);
  }
  return limiter;
}

function effectiveMaxTokens(flag: number | undefined, record: number | undefined, model: number | undefined): number | undefined {
  if (flag !== undefined && record !== undefined) return Math.min(flag, record);
  return flag ?? record ?? model;
}

function decide(o: SchedulerOptions, prompt: PromptRecord): Decision {
  const decision = classify(o.policy, prompt, o.counter);
  if (o.forceRoute === undefined || o.forceRoute === decision.route) return decision;
  return { ...decision, route: o.forceRoute, reason: `forced by --model (the policy routes it to ${decision.route}: ${decision.reason})` };
}

function baseRecord(o: SchedulerOptions, job: Job): Omit<ResultRecord, 'usage' | 'cost' | 'baselineCost'> {
  return {
    id: job.prompt.id,
    source: job.prompt.source,
    class: job.decision.class,
    route: job.model.alias,
    provider: job.model.provider,
    model: job.model.model,
    reason: job.decision.reason,
    estimated: false,
  };
}

/** Send one prompt, retrying what is worth retrying. Failed attempts are never billed, so never counted. */
async function runJob(o: SchedulerOptions, job: Job, limiter: AimdLimiter): Promise<ResultRecord> {
  const baseline = o.policy.models.get(o.policy.baseline)!;
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  for (let attempt = 1; ; attempt++) {
    // The server said when it will take requests again: nobody sends before then. Each waiter
    // adds its own jitter, so the requests held back do not all arrive at once.
    for (let hold = limiter.pausedUntil - o.clock(); hold > 0 && !o.control.abort.aborted; hold = limiter.pausedUntil - o.clock()) {
      await o.sleep(hold + o.random() * Math.min(hold, 1000), o.control.abort);
    }
    const slot = limiter.acquire();
    if (slot) await slot;
    const started = o.clock();
    let failure: SendFailure;
    // Each attempt gets a signal of its own, linked to the run's for as long as it lasts: the SDKs
    // never remove the listeners they add to a signal, so a shared one would collect one per call.
    const attemptAbort = new AbortController();
    const link = () => attemptAbort.abort();
    if (o.control.abort.aborted) attemptAbort.abort();
    else o.control.abort.addEventListener('abort', link, { once: true });
    try {
      const res = await o.send(job, attemptAbort.signal).finally(() => {
        o.control.abort.removeEventListener('abort', link);
        limiter.release();
      });
      limiter.onSuccess(o.clock());
      const cost = res.usage ? costOf(res.usage, job.model.pricing.rates) : undefined;
      return {
        ...baseRecord(o, job),
        answeredBy: res.answeredBy,
        output: res.text,
        usage: res.usage ?? ZERO_USAGE,
        cost: res.cached ? 0n : cost,
        baselineCost: res.usage ? costOf(res.usage, baseline.pricing.rates) : undefined,
        latencyMs: Math.round(o.clock() - started),
        attempts: attempt,
        ...(res.cached ? { cached: true, cacheSaved: cost } : {}),
      };
    } catch (err) {
      if (!isSendFailure(err)) throw err;
      failure = err;
      if (failure.status === 429) limiter.onThrottle(o.clock(), failure.retryAfterMs);
    }
    const delay = attempt <= o.retries && isRetryable(failure) && !o.control.abort.aborted ? retryDelay(attempt, failure, backoff, o.random) : undefined;
    if (delay === undefined) {
      const error: PromptError = { status: failure.status, message: failure.message, kind: failure.kind };
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > backoff.maxRetryAfterMs) {
        error.message += ` (the server asked to wait ${Math.ceil(failure.retryAfterMs / 1000)} s, over the ${backoff.maxRetryAfterMs / 1000} s limit)`;
      }
      return { ...baseRecord(o, job), usage: ZERO_USAGE, cost: 0n, baselineCost: 0n, attempts: attempt, latencyMs: Math.round(o.clock() - started), error };
    }
    o.emit({ type: 'retry', at: o.clock(), id: job.prompt.id, route: job.model.alias, attempt, delayMs: Math.round(delay), message: failure.message });
    await o.sleep(delay, o.control.abort);
  }
}

/**
 * Runs the prompts with at most `concurrency` in flight. Records come out in the order prompts
 * finish. Emits the run's events; the caller folds them with the accounting reducer.
 */
export async function schedule(o: SchedulerOptions): Promise<StopReason> {
  o.emit({ type: 'run-start', at: o.clock(), dryRun: false, total: o.total });
  const items = o.items[Symbol.asyncIterator]();
  const limiters: Limiters = new Map();
  const seen = new Map<string, PromptRecord['source']>();
  let inputDone = false;
  let budgetStop = false;
  const worker = async () => {
    while (!o.control.stopping && !inputDone) {
      const next = await items.next();
      if (next.done) {
        inputDone = true;
        return;
      }
      const item = next.value;
      if (item.kind === 'error') {
        o.emit({ type: 'input-error', at: o.clock(), file: item.file, line: item.line, message: item.message });
        continue;
      }
      const first = seen.get(item.prompt.id);
      if (first !== undefined) {
        const message = `duplicate id "${item.prompt.id}" (first at ${sourceText(first.file, first.line)}); ids must be unique`;
        o.emit({ type: 'input-error', at: o.clock(), file: item.prompt.source.file, line: item.prompt.source.line, message });
        continue;
      }
      seen.set(item.prompt.id, item.prompt.source);
      if (o.skip?.has(item.prompt.id)) {
        o.emit({ type: 'skip', at: o.clock(), id: item.prompt.id });
        continue;
      }
      const planned = await plan(o, item.prompt);
      if (planned.kind === 'stop') {
        if (!o.control.stopping) budgetStop = true;
        o.control.stopping = true;
        return;
      }
      const { job, reservation } = planned;
      o.emit({ type: 'prompt-start', at: o.clock(), id: job.prompt.id, route: job.model.alias, class: job.decision.class });
      const record = planned.kind === 'refused' ? refused(o, job, planned.message) : await runJob(o, job, limiterFor(o, limiters, job.model));
      if (reservation) o.budget!.settle(reservation, record.cost);
      o.emit({ type: 'prompt-end', at: o.clock(), record });
      const wait = o.onRecord(record, job.prompt);
      if (wait) await wait;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  const stop: StopReason = o.control.abort.aborted ? 'aborted' : budgetStop ? 'budget' : o.control.stopping && !inputDone ? 'interrupted' : 'done';
  for (const [key, l] of limiters) {
    if (l.throttles > 0) o.emit({ type: 'throttled', at: o.clock(), provider: key, throttles: l.throttles, lowestConcurrency: l.lowest });
  }
  o.emit({ type: 'run-end', at: o.clock(), stop });
  return stop;
}

type Plan =
  | { kind: 'send'; job: Job; reservation?: (Reservation & { ok: true }) | undefined }
  | { kind: 'refused'; job: Job; message: string; reservation?: undefined }
  | { kind: 'stop' };

/**
 * Route a prompt and, under a budget, reserve its worst-case cost: on its route, else down the
 * route's fallback chain when a per-model cap is reached. A run cap that cannot take it stops the run.
 */
async function plan(o: SchedulerOptions, prompt: PromptRecord): Promise<Plan> {
  const decision = decide(o, prompt);
  let model = o.policy.models.get(decision.route)!;
  const jobFor = (m: ModelConfig, d: Decision): Job => {
    let maxTokens = effectiveMaxTokens(o.maxTokens, prompt.maxTokens, m.maxTokens);
    if (o.budget?.active && maxTokens === undefined) maxTokens = BUDGET_DEFAULT_MAX_TOKENS;
    return { prompt, decision: d, model: m, maxTokens };
  };
  if (!o.budget?.active) return { kind: 'send', job: jobFor(model, decision) };
  const tried: string[] = [];
  let d = decision;
  for (;;) {
    const job = jobFor(model, d);
    const r = o.budget.reserve(model.alias, maxCost(prompt, model, job.maxTokens!));
    if (r.ok) return { kind: 'send', job, reservation: r };
    if (r.limit === 'total') {
      // What is in flight was reserved at its worst case; once booked, this may fit after all.
      if (!o.budget.pending || o.control.stopping) return { kind: 'stop' };
      await o.budget.nextSettle();
      continue;
    }
    tried.push(model.alias);
    const next = model.fallback === undefined ? undefined : o.policy.models.get(model.fallback);
    const cap = formatUsd(o.budget.limits.perModel.get(model.alias));
    if (!next || tried.includes(next.alias)) {
      return { kind: 'refused', job, message: `budget for ${tried.join(', then ')} reached (${cap} per run)${next ? '' : ` and ${model.alias} names no fallback`}` };
    }
    d = { ...d, route: next.alias, reason: `${d.reason}; ${model.alias} budget (${cap}) reached: fell back to ${next.alias}` };
    model = next;
  }
}

function refused(o: SchedulerOptions, job: Job, message: string): ResultRecord {
  return { ...baseRecord(o, job), usage: ZERO_USAGE, cost: 0n, baselineCost: 0n, attempts: 0, error: { message, kind: 'budget' } };
}
