import { dirname, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { SeenIds } from '../core/execution/seen-ids.js';
import type { ModelConfig, Policy } from '../core/policy/types.js';
import type { PromptRecord } from '../core/prompt.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import type { ResponseCache } from '../io/cache.js';
import { readPrompts, type InputOptions } from '../io/input.js';
import type { Ledger } from '../io/ledger.js';
import { readPriorResults } from '../io/resume.js';
import { ProviderPool } from '../providers/index.js';
import { batched, createJob, routeBatched } from '../run/batch-create.js';
import { newJobId } from '../run/batch-job.js';
import { runLivePrompts, type LivePrompt } from '../run/batch-live.js';
import { batchOpsOf, batchProgress, finishRun, inputErrorLine, JobDriver, jobBudget, jobCascades, openJobs, pollTimes, sleep } from '../run/batch-session.js';
import { answerKey } from '../run/session.js';
import { runPlanner } from './run-planner.js';
import { dryRunFeatures, withFeatures, type FeatureStep } from './dry-run-features.js';
import { similarMatchers } from '../core/routing/similar.js';
import type { PromptFeatures } from '../core/routing/features.js';
import type { CallRecord } from '../core/execution/calls.js';
import { BatchSink, recordedIds } from '../run/batch-sink.js';
import type { RunStore } from '../view/run-store.js';
import { write, type Context } from './context.js';
import { leanHeap } from './heap.js';
import type { RunOptions } from './run-shared.js';

export interface BatchRunOptions extends RunOptions {
  batch?: boolean;
  /** --no-wait sets this false. */
  wait: boolean;
}

/** Does this run use a batch API at all: --batch, or a model with `batch: true`. */
export function wantsBatch(policy: Policy, opts: { batch?: boolean; dryRun?: boolean }): boolean {
  if (opts.dryRun) return false;
  return opts.batch === true || [...policy.models.values()].some((m) => batched(m, false));
}

/**
 * `frugal run --batch`: prompts routed to openai/anthropic models go through the providers' batch
 * APIs as one durable job; the others run live through the seam in run/batch-live.ts. The job is
 * in the SQLite home before anything is submitted, so `--resume` (or `frugal batch collect`)
 * carries on after any kill without submitting a prompt twice or writing a record twice.
 */
export async function runBatch(ctx: Context, run: { policy: Policy; counter: TokenCounter; input: InputOptions; store: RunStore; opts: BatchRunOptions }): Promise<number> {
  const { policy, opts, store: runStore } = run;
  if (!opts.output) throw new UserError('a batch run needs -o FILE: its results arrive long after they are sent, and the job is found again by its output', 'frugal run --batch prompts.jsonl -o results.jsonl');
  const output = resolve(ctx.cwd, opts.output);
  await leanHeap();
  const { db, store, dir } = openJobs(ctx, opts.home);
  const ledger: Ledger | undefined = opts.ledger ? (await import('../io/ledger.js')).openLedger(dir) : undefined;
  const cache: ResponseCache | undefined = opts.cache ? (await import('../io/cache.js')).openCache(dir) : undefined;
  let features: FeatureStep | undefined;
  try {
    let job = opts.resume ? store.openJobFor(output) : undefined;
    if (job?.state === 'creating') {
      // Cut short while its lines were being written: nothing of it was submitted.
      store.dropJob(job.id);
      job = undefined;
    }
    const prior = opts.resume ? await readPriorResults(output) : undefined;
    const written = opts.resume ? await recordedIds(output) : undefined;
    const jobId = job?.id ?? newJobId(ctx.now().getTime());
    // What the job spent before: its records, the earlier steps of cascades under way, and (in the
    // ledger) live calls that were in flight when it stopped, booked at their reservations.
    const before = job ? (prior?.spent ?? 0n) + store.escalatedSpent(job.id) : 0n;
    const booked = job && ledger ? ledger.jobSpend(job.id).cost : 0n;
    const budget = jobBudget(policy, opts.maxSpend, job?.settings, before > booked ? before : booked);
    const pool = new ProviderPool(ctx.env, opts.timeout * 1000);
    const keyOf = (m: ModelConfig, r: Parameters<typeof answerKey>[2]) => answerKey(pool, m, r);
    const sink = new BatchSink(output, opts.resume === true, {
      policy, store: runStore, runId: jobId, now: ctx.now, clock: ctx.clock, ledger, cache, logPrompts: opts.logPrompts, keyOf, resumed: job !== undefined,
      onError: opts.quiet ? undefined : (r) => write(ctx.stderr, `frugal: ${r.id}: ${r.error!.status ? `${r.error!.status} ` : ''}${r.error!.message}`),
    });
    runStore.apply({ type: 'run-start', at: ctx.clock(), dryRun: false });
    const live: LivePrompt[] = [];
    const journal = ledger?.journal({ runId: jobId, jobId, now: ctx.now, logPrompts: opts.logPrompts });
    // similar_to classes: each batch of prompts is embedded before it is routed, as in a live run.
    features = similarMatchers(policy).length > 0 ? await dryRunFeatures(ctx, policy, run.counter, { home: opts.home }) : undefined;
    const featuresOf = new WeakMap<PromptRecord, PromptFeatures>();
    const recordEmbeds = (calls: CallRecord[], first: PromptRecord) => {
      for (const call of calls) journal?.record({ kind: call.kind, prompt: first, class: null, model: policy.models.get(call.route)!, worstCase: call.cost }, call);
      if (calls.length > 0) runStore.apply({ type: 'batch-calls', at: ctx.clock(), calls });
    };
    const items = features ? withFeatures(readPrompts(run.input), features, featuresOf, recordEmbeds) : readPrompts(run.input);
    const onInputError = (e: { file: string; line?: number | undefined; message: string }) => {
      runStore.apply({ type: 'input-error', at: ctx.clock(), file: e.file, line: e.line, message: e.message });
      inputErrorLine(ctx, e);
    };
    const planner = runPlanner(policy, run.counter, opts, (p) => featuresOf.get(p));
    const all = opts.batch === true;
    if (!job) {
      await createJob({
        store, jobId, output, policy, planner, items, all, retries: opts.retries, maxSpend: opts.maxSpend, budgetActive: budget.active, now: ctx.now().getTime(),
        policyDir: resolve(ctx.cwd, dirname(policy.file)), cache, keyOf, skip: prior?.done,
        onDone: (outcome, prompt) => sink.write(outcome, { system: prompt.system, messages: prompt.messages }, null),
        onLive: (prompt, decision) => live.push({ prompt, decision }),
        onInputError,
      });
      job = store.job(jobId)!;
    } else {
      write(ctx.stderr, `frugal: resuming batch job ${job.id}`);
      // The job holds its batched prompts; only the live ones are read again.
      const seen = new SeenIds();
      for await (const item of items) {
        if (item.kind !== 'prompt') continue;
        if (seen.add(item.prompt.id, item.prompt.source) !== undefined || prior?.done.has(item.prompt.id)) continue;
        const decision = planner.route(item.prompt);
        if (!routeBatched(policy, decision.route, all)) live.push({ prompt: item.prompt, decision });
      }
    }
    const detach = new AbortController();
    const shown = await batchProgress(ctx, job.id, runStore, policy, opts.quiet === true);
    const driver = new JobDriver(job, {
      store, ops: batchOpsOf(pool), sink, budget, now: () => ctx.now().getTime(), sleep, detach: detach.signal,
      progress: shown.progress, pollMs: pollTimes(ctx.env), written, cascades: await jobCascades(job.settings), countTokens: (text) => run.counter.count(text),
    });
    try {
      return await finishRun({ ctx, job, driver, wait: opts.wait, sink, runStore, policy, budget, quiet: opts.quiet === true, output }, async () => {
        // Submit first, so the provider works on the batches while the live prompts run.
        const first = await driver.drive(false);
        await runLivePrompts(ctx, { policy, planner, countTokens: (text) => run.counter.count(text), prompts: live, opts, pool, cache, budget, store: runStore, sink, journal });
        if (!opts.wait || first !== 'submitted') return first;
        const release = ctx.onInterrupt(() => detach.abort());
        try {
          return await driver.drive(true);
        } finally {
          release();
        }
      });
    } finally {
      shown.stop();
    }
  } finally {
    features?.close();
    ledger?.close();
    cache?.close();
    db.close();
  }
}
