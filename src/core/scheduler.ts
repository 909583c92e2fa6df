import { classify, type Decision } from './classify.js';
import type { PromptError, ResultRecord, RunEventListener, StopReason } from './events.js';
import type { ModelConfig, Policy } from './policy.js';
import { costOf, ZERO_USAGE, type Usage } from './pricing.js';
import type { InputItem, PromptRecord } from './prompt.js';
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
  onRecord: (record: ResultRecord) => Promise<void> | undefined;
  control: RunControl;
  clock: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
  backoff?: BackoffPolicy | undefined;
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
async function runJob(o: SchedulerOptions, job: Job): Promise<ResultRecord> {
  const baseline = o.policy.models.get(o.policy.baseline)!;
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  for (let attempt = 1; ; attempt++) {
    const started = o.clock();
    let failure: SendFailure;
    try {
      const res = await o.send(job, o.control.abort);
      return {
        ...baseRecord(o, job),
        answeredBy: res.answeredBy,
        output: res.text,
        usage: res.usage ?? ZERO_USAGE,
        cost: res.usage ? costOf(res.usage, job.model.pricing.rates) : undefined,
        baselineCost: res.usage ? costOf(res.usage, baseline.pricing.rates) : undefined,
        latencyMs: Math.round(o.clock() - started),
        attempts: attempt,
      };
    } catch (err) {
      if (!isSendFailure(err)) throw err;
      failure = err;
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
  let inputDone = false;
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
      const decision = decide(o, item.prompt);
      const model = o.policy.models.get(decision.route)!;
      const job: Job = { prompt: item.prompt, decision, model, maxTokens: effectiveMaxTokens(o.maxTokens, item.prompt.maxTokens, model.maxTokens) };
      o.emit({ type: 'prompt-start', at: o.clock(), id: job.prompt.id, route: model.alias, class: decision.class });
      const record = await runJob(o, job);
      o.emit({ type: 'prompt-end', at: o.clock(), record });
      const wait = o.onRecord(record);
      if (wait) await wait;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  const stop: StopReason = o.control.abort.aborted ? 'aborted' : o.control.stopping && !inputDone ? 'interrupted' : 'done';
  o.emit({ type: 'run-end', at: o.clock(), stop });
  return stop;
}
