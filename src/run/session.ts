import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setMaxListeners } from 'node:events';
import type { CallJournal, CallSpec, RunControl, SendResult } from '../core/execution/call-runner.js';
import type { CallRecord } from '../core/execution/calls.js';
import { validateAnswer } from '../core/quality/json-schema.js';
import type { ModelConfig } from '../core/policy/types.js';
import type { PromptRecord } from '../core/prompt.js';
import type { RunEvent } from '../core/execution/events.js';
import { execute, type Sinks, type Work } from '../core/execution/interactive.js';
import { DEFAULT_BACKOFF } from '../core/execution/retry.js';
import { Budget, type BudgetLimits } from '../core/money/budget.js';
import type { ResponseCache } from '../io/cache.js';
import { cacheKey, type CacheKeyInput } from '../io/hash.js';
import type { JobSpend, Ledger } from '../io/ledger.js';
import { dataDir } from '../io/store-path.js';
import { ProviderPool } from '../providers/index.js';
import { apiOf } from '../providers/registry.js';
import type { RunStore } from '../view/run-store.js';
import type { Context } from '../commands/context.js';
import { nextTurn, sleep } from '../commands/sleep.js';
import { UserError } from '../core/errors.js';
import { dbPath } from '../io/store-path.js';
import { guardJournal, WriteFaults } from './write-faults.js';

/** How a live session runs its calls (run and compare share these flags). */
export interface SessionOptions {
  concurrency: number;
  retries: number;
  timeoutMs: number;
  maxRetryWaitMs: number;
  cache: boolean;
  ledger: boolean;
  logPrompts: boolean;
  home?: string | undefined;
  budget: BudgetLimits;
  /** The -o file of the job, whose earlier spend --resume counts against the budget. */
  job?: { output: string; resume: boolean } | undefined;
}

/** The flags run and compare share for a live session. */
export interface LiveFlags {
  concurrency: number;
  retries: number;
  /** Seconds. */
  timeout: number;
  /** Seconds. */
  maxRetryWait: number;
  cache?: boolean | undefined;
  ledger: boolean;
  logPrompts?: boolean | undefined;
  home?: string | undefined;
  output?: string | undefined;
  resume?: boolean | undefined;
}

export function sessionOptions(ctx: Context, flags: LiveFlags, budget: BudgetLimits): SessionOptions {
  return {
    concurrency: flags.concurrency,
    retries: flags.retries,
    timeoutMs: flags.timeout * 1000,
    maxRetryWaitMs: flags.maxRetryWait * 1000,
    cache: flags.cache === true,
    ledger: flags.ledger,
    logPrompts: flags.logPrompts === true,
    home: flags.home,
    budget,
    job: flags.output ? { output: resolve(ctx.cwd, flags.output), resume: flags.resume === true } : undefined,
  };
}

/**
 * Ctrl-C (and SIGTERM, which `timeout`, CI and service managers send): the first stops sending
 * new prompts, the second aborts those in flight. Both are events, so the views can say so.
 */
export function liveControl(ctx: Context, store: RunStore, onStopping?: () => void): { control: RunControl; release: () => void } {
  const abort = new AbortController();
  // Each retry wait links to this signal for as long as it lasts.
  setMaxListeners(0, abort.signal);
  const control: RunControl = { stopping: false, abort: abort.signal };
  const release = ctx.onInterrupt(() => {
    const hard = control.stopping;
    store.apply({ type: 'interrupt', at: ctx.clock(), hard });
    if (hard) return abort.abort();
    control.stopping = true;
    onStopping?.();
  });
  return { control, release };
}

/**
 * One live session for run and compare: the provider pool, the response cache, the write-ahead
 * ledger, the budget, Ctrl-C and the executor. `open` it, `run` the work, `close` it.
 */
export class LiveSession {
  readonly budget: Budget;
  readonly control: RunControl;
  /** What the job had booked before this run (--resume), from the ledger; undefined when it does not know the job. */
  readonly prior: JobSpend | undefined;
  readonly runId = randomUUID();
  /** The first write that failed (-o or the ledger): the run stops sending, and ends saying so. */
  readonly faults: WriteFaults;
  private readonly releaseControl: () => void;
  private readonly pool: ProviderPool;

  private constructor(
    private readonly ctx: Context,
    store: RunStore,
    private readonly opts: SessionOptions,
    private readonly ledger: Ledger | undefined,
    private readonly cache: ResponseCache | undefined,
    private readonly jobId: string | undefined,
    resumed: boolean,
    onStopping: (() => void) | undefined,
  ) {
    this.prior = ledger && jobId && resumed ? ledger.jobSpend(jobId) : undefined;
    this.budget = new Budget(opts.budget, this.prior?.cost ?? 0n);
    this.pool = new ProviderPool(ctx.env, opts.timeoutMs);
    const { control, release } = liveControl(ctx, store, onStopping);
    this.control = control;
    this.releaseControl = release;
    this.faults = new WriteFaults(() => {
      control.stopping = true;
    });
  }

  /** `priorSpent`: the job's earlier spend when the ledger cannot tell it (no ledger: the -o file's records). */
  static async open(ctx: Context, store: RunStore, opts: SessionOptions, onStopping?: () => void): Promise<LiveSession> {
    const home = opts.ledger || opts.cache ? dataDir(ctx.env, ctx.cwd, opts.home) : undefined;
    // SQLite loads only when the ledger or the cache is on.
    const ledger = opts.ledger ? (await import('../io/ledger.js')).openLedger(home!) : undefined;
    const cache = opts.cache ? (await import('../io/cache.js')).openCache(home!) : undefined;
    let job: { jobId: string; resumed: boolean } | undefined;
    try {
      job = ledger && opts.job ? ledger.jobFor(opts.job.output, opts.job.resume, randomUUID) : undefined;
    } catch (err) {
      ledger!.close();
      cache?.close();
      throw ledgerUnwritable(home!, err);
    }
    return new LiveSession(ctx, store, opts, ledger, cache, job?.jobId, job?.resumed === true, onStopping);
  }

  /** With --resume and a job the ledger does not know (or no ledger), the earlier spend as the -o file tells it. */
  addPriorSpend(spent: bigint): void {
    if (this.prior === undefined) this.budget.addSpent(spent);
  }

  private journalOnce: CallJournal | undefined;

  private journal(): CallJournal | undefined {
    if (this.journalOnce || !this.ledger) return this.journalOnce;
    const journal = this.ledger.journal({ runId: this.runId, jobId: this.jobId, now: this.ctx.now, logPrompts: this.opts.logPrompts });
    this.journalOnce = guardJournal(journal, this.faults, dbPath(this.ledger.dir));
    return this.journalOnce;
  }

  /**
   * Calls made for a batch of prompts rather than one (the embeddings of similar_to routing): into
   * the ledger, labelled with the first prompt of the batch, and into the run's totals.
   */
  recordBatchCalls(calls: readonly CallRecord[], first: PromptRecord, models: ReadonlyMap<string, ModelConfig>, emit: (e: RunEvent) => void): void {
    if (calls.length === 0) return;
    const journal = this.journal();
    for (const call of calls) {
      const model = models.get(call.route);
      if (journal && model) journal.record({ kind: call.kind, prompt: first, class: null, model, worstCase: call.cost }, call);
    }
    emit({ type: 'batch-calls', at: this.ctx.clock(), calls: [...calls] });
  }

  /** Runs the work; `onText` receives a streamed answer, `beforeSend` runs before any request leaves. */
  async run(work: Work, sinks: Omit<Sinks, 'send' | 'journal'>, onText?: (delta: string) => void, beforeSend?: () => void) {
    const journal = this.journal();
    return execute(
      work,
      { concurrency: this.opts.concurrency, retries: this.opts.retries, backoff: { ...DEFAULT_BACKOFF, maxRetryAfterMs: this.opts.maxRetryWaitMs }, budget: this.budget },
      {
        ...sinks,
        send: this.sender(onText, beforeSend),
        journal,
        // A run stopped by a failed write says so, whatever else was going on.
        emit: (e: RunEvent) => sinks.emit(e.type === 'run-end' && this.faults.first ? { ...e, stop: 'write-failed' } : e),
      },
      { control: this.control, clock: this.ctx.clock, sleep, nextTurn, random: Math.random },
    );
  }

  private sender(onText: ((delta: string) => void) | undefined, beforeSend: (() => void) | undefined) {
    return makeSender(this.pool, this.cache, onText, () => {
      beforeSend?.();
      // The -o file or the ledger could not be written: nothing more leaves.
      if (this.faults.first) throw this.faults.notSent();
    });
  }

  close(): void {
    this.releaseControl();
    try {
      this.ledger?.close();
    } catch (err) {
      // Its last checkpoint failed (a full disk): the WAL keeps the rows, and the next open recovers them.
      this.faults.fail('ledger', dbPath(this.ledger!.dir), err);
    }
    this.cache?.close();
  }
}

function cacheKeyOf(pool: ProviderPool, spec: CallSpec): string {
  return answerKey(pool, spec.model, { system: spec.prompt.system, messages: spec.prompt.messages, maxTokens: spec.maxTokens, options: spec.options, schema: spec.schema?.schema });
}

/**
 * The response cache's key: same provider, model, endpoint (as the environment sets it too), API,
 * messages, answer cap, options and schema is the same request, live or batched.
 */
export function answerKey(pool: ProviderPool, m: ModelConfig, r: Omit<CacheKeyInput, 'provider' | 'model' | 'baseUrl' | 'api'>): string {
  return cacheKey({ provider: m.provider, model: m.model, baseUrl: pool.baseUrlOf(m), api: apiOf(m), system: r.system, messages: r.messages, maxTokens: r.maxTokens, options: r.options, schema: r.schema });
}

/**
 * The executor's `send`: the response cache first when there is one, else the model's provider
 * (an answer that conforms goes into the cache). `onText` receives a streamed answer, cached or
 * not; `beforeSend` runs before anything goes to a provider; `leaving` writes the call down.
 */
export function makeSender(pool: ProviderPool, cache: ResponseCache | undefined, onText?: (delta: string) => void, beforeSend?: () => void) {
  return async (spec: CallSpec, signal: AbortSignal, leaving: () => void): Promise<SendResult> => {
    const key = cache ? cacheKeyOf(pool, spec) : undefined;
    const hit = key ? cache!.get(key) : undefined;
    if (hit) {
      onText?.(hit.text);
      return { ...hit, cached: true };
    }
    const provider = pool.ready(spec.model) ?? (await pool.get(spec.model));
    beforeSend?.();
    leaving();
    const schema = spec.schema ? { name: spec.schema.name, schema: spec.schema.schema } : undefined;
    const answer = await provider.generate({ model: spec.model.model, messages: spec.prompt.messages, system: spec.prompt.system, maxTokens: spec.maxTokens, options: spec.options, schema, onText, signal });
    const checked = spec.schema ? validateAnswer(answer.text, spec.schema) : undefined;
    // An answer that does not conform was billed, but it is a failure: never cached.
    if (checked && !checked.ok) return { ...answer, invalid: checked.message };
    if (key) cache!.put(key, { text: answer.text, usage: answer.usage, answeredBy: answer.answeredBy });
    return answer;
  };
}

/** The ledger could not record the job before anything was sent (a full disk, a damaged file). */
function ledgerUnwritable(home: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  return new UserError(`${dbPath(home)}: cannot write (${code}); nothing was sent`, 'free some space, move a damaged ledger aside (frugal starts a new one), or run with --no-ledger');
}
