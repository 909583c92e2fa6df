import { AimdLimiter } from './aimd.js';
import { BUDGET_DEFAULT_MAX_TOKENS, maxCost, type Budget, type Reservation } from '../money/budget.js';
import { classify, type Decision } from '../routing/classify.js';
import { grow, IdIndex } from './id-index.js';
import { formatUsd, type Pico } from '../money/money.js';
import type { PromptError, ResultRecord, RunEventListener, StopReason } from './events.js';
import type { ModelConfig, Policy } from '../policy/types.js';
import { costOf, ZERO_USAGE, type Usage } from '../money/pricing.js';
import { sourceText, type InputItem, type PromptRecord } from '../prompt.js';
import { DEFAULT_BACKOFF, isRetryable, isSendFailure, retryDelay, type BackoffPolicy, type SendFailure } from './retry.js';
import type { TokenCounter } from '../routing/tokens.js';

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
  /**
   * Receives each record as it finishes. A returned promise is awaited before the worker takes
   * another prompt (back-pressure); it must not settle before the event loop's next turn.
   */
  onRecord: (record: ResultRecord, prompt: PromptRecord) => Promise<void> | undefined;
  control: RunControl;
  clock: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Resolves once the event loop has turned (I/O done in the meantime): setImmediate. */
  nextTurn: () => Promise<void>;
  random: () => number;
  backoff?: BackoffPolicy | undefined;
  /** Caps on spend; nothing is sent whose worst-case cost could pass one. */
  budget?: Budget | undefined;
  /** --resume: ids that already have a successful record; they are not sent again. */
  skip?: { has(id: string): boolean } | undefined;
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

export function effectiveMaxTokens(flag: number | undefined, record: number | undefined, model: number | undefined): number | undefined {
  if (flag !== undefined && record !== undefined) return Math.min(flag, record);
  return flag ?? record ?? model;
}

export function decide(o: Pick<SchedulerOptions, 'policy' | 'counter' | 'forceRoute'>, prompt: PromptRecord): Decision {
  const decision = classify(o.policy, prompt, o.counter);
  if (o.forceRoute === undefined || o.forceRoute === decision.route) return decision;
  return { ...decision, route: o.forceRoute, reason: `forced by --model (the policy routes it to ${decision.route}: ${decision.reason})` };
}

/** A live record; one object literal with every field, since a batch builds one per prompt. */
function liveRecord(job: Job, usage: Usage, cost: Pico | undefined, baselineCost: Pico | undefined, attempts: number, latencyMs: number | undefined): ResultRecord {
  return {
    id: job.prompt.id,
    source: job.prompt.source,
    class: job.decision.class,
    route: job.model.alias,
    provider: job.model.provider,
    model: job.model.model,
    answeredBy: undefined,
    reason: job.decision.reason,
    estimated: false,
    usage,
    cost,
    baselineCost,
    output: undefined,
    latencyMs,
    attempts,
    cached: undefined,
    cacheSaved: undefined,
    error: undefined,
  };
}

/** Send one prompt, retrying what is worth retrying. Failed attempts are never billed, so never counted. */
async function runJob(o: SchedulerOptions, job: Job, limiter: AimdLimiter, inFlight: Set<AbortController>): Promise<ResultRecord> {
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
    // Each attempt gets a signal of its own, aborted with the run's: the SDKs never remove the
    // listeners they add to a signal, so a shared one would collect one per call.
    const attemptAbort = new AbortController();
    if (o.control.abort.aborted) attemptAbort.abort();
    inFlight.add(attemptAbort);
    try {
      const res = await o.send(job, attemptAbort.signal).finally(() => {
        inFlight.delete(attemptAbort);
        limiter.release();
      });
      limiter.onSuccess(o.clock());
      const cost = res.usage ? costOf(res.usage, job.model.pricing.rates) : undefined;
      const baselineCost = res.usage ? costOf(res.usage, baseline.pricing.rates) : undefined;
      const record = liveRecord(job, res.usage ?? ZERO_USAGE, res.cached ? 0n : cost, baselineCost, attempt, Math.round(o.clock() - started));
      record.answeredBy = res.answeredBy;
      record.output = res.text;
      if (res.cached) {
        record.cached = true;
        record.cacheSaved = cost;
      }
      return record;
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
      const record = liveRecord(job, ZERO_USAGE, 0n, 0n, attempt, Math.round(o.clock() - started));
      record.error = error;
      return record;
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
  // One listener on the run's signal aborts every attempt in flight (a listener per attempt on a
  // signal that has dozens costs more than the request's own bookkeeping).
  const inFlight = new Set<AbortController>();
  const abortAll = () => {
    for (const attempt of inFlight) attempt.abort();
  };
  o.control.abort.addEventListener('abort', abortAll, { once: true });
  const seen = new SeenIds();
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
      const first = seen.add(item.prompt.id, item.prompt.source);
      if (first !== undefined) {
        const message = `duplicate id "${item.prompt.id}" (first at ${sourceText(first.file, first.line)}); ids must be unique`;
        o.emit({ type: 'input-error', at: o.clock(), file: item.prompt.source.file, line: item.prompt.source.line, message });
        continue;
      }
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
      const record = planned.kind === 'refused' ? refused(o, job, planned.message) : await runJob(o, job, limiterFor(o, limiters, job.model), inFlight);
      if (reservation) o.budget!.settle(reservation, record.cost);
      o.emit({ type: 'prompt-end', at: o.clock(), record });
      // Let the loop turn before this worker sends again: an answer's promise settles before the
      // HTTP client has put the connection back in its pool, and a request sent at once opens a
      // new connection. On loopback, that churn cost a quarter of the CPU per prompt.
      await (o.onRecord(record, job.prompt) ?? o.nextTurn());
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  } finally {
    o.control.abort.removeEventListener('abort', abortAll);
  }
  const stop: StopReason = o.control.abort.aborted ? 'aborted' : budgetStop ? 'budget' : o.control.stopping && !inputDone ? 'interrupted' : 'done';
  for (const [key, l] of limiters) {
    if (l.throttles > 0) o.emit({ type: 'throttled', at: o.clock(), provider: key, throttles: l.throttles, lowestConcurrency: l.lowest });
  }
  o.emit({ type: 'run-end', at: o.clock(), stop });
  return stop;
}

/** Every id seen so far, with the file and line it was first seen on (line 0: a text prompt). */
class SeenIds {
  private readonly ids = new IdIndex();
  private lines = new Uint32Array(1 << 12);
  private files = new Uint32Array(1 << 12);
  private readonly fileNames: string[] = [];
  private readonly fileIndex = new Map<string, number>();

  /** Records where `id` is first seen; when it was seen before, returns that place instead. */
  add(id: string, source: PromptRecord['source']): PromptRecord['source'] | undefined {
    const known = this.ids.size;
    const i = this.ids.add(id);
    if (i < known) {
      const line = this.lines[i]!;
      return { file: this.fileNames[this.files[i]!]!, line: line === 0 ? undefined : line };
    }
    if (i >= this.lines.length) {
      this.lines = grow(this.lines, i + 1);
      this.files = grow(this.files, i + 1);
    }
    let f = this.fileIndex.get(source.file);
    if (f === undefined) {
      f = this.fileNames.push(source.file) - 1;
      this.fileIndex.set(source.file, f);
    }
    this.lines[i] = source.line ?? 0;
    this.files[i] = f;
    return undefined;
  }
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
  const record = liveRecord(job, ZERO_USAGE, 0n, 0n, 0, undefined);
  record.error = { message, kind: 'budget' };
  return record;
}
