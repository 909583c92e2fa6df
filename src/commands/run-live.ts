import { failures, type RunTotals } from '../core/money/accounting.js';
import type { ResultRecord, RunEvent } from '../core/execution/events.js';
import { formatInt, formatUsd, usdNumberToPico, type Pico } from '../core/money/money.js';
import type { BudgetLimits } from '../core/money/budget.js';
import type { Policy } from '../core/policy/types.js';
import { sourceText, type InputItem, type PromptRecord } from '../core/prompt.js';
import type { PromptFeatures } from '../core/routing/features.js';
import { similarMatchers } from '../core/routing/similar.js';
import { dryRunFeatures, withFeatures } from './dry-run-features.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import { readPrompts, type InputOptions } from '../io/input.js';
import type { JobSpend } from '../io/ledger.js';
import { recordToJson, ResultWriter } from '../io/results.js';
import { ResultFile } from '../io/result-file.js';
import { readPriorResults, type PriorResults } from '../io/resume.js';
import { lockOutput } from '../io/output-lock.js';
import { LiveSession, sessionOptions } from '../run/session.js';
import type { RunStore } from '../view/run-store.js';
import { write, type Context } from './context.js';
import { leanHeap } from './heap.js';
import { startProgressLine } from '../view/progress-line.js';
import { oneLineSummary, sourceCount, type RunOptions } from './run-shared.js';
import { runPlanner } from './run-planner.js';

export interface LiveRun {
  policy: Policy;
  counter: TokenCounter;
  input: InputOptions;
  store: RunStore;
  opts: RunOptions;
  total?: (() => Promise<number | undefined>) | undefined;
}

/** Peek at the first item, to tell a single text prompt (answer on stdout) from a batch (JSONL). */
async function peek(items: AsyncIterator<InputItem>): Promise<{ first: IteratorResult<InputItem>; rest: AsyncIterable<InputItem> }> {
  const first = await items.next();
  // A plain iterator rather than an async generator: every prompt of a batch passes through it.
  let pending: IteratorResult<InputItem> | undefined = first;
  const iterator: AsyncIterator<InputItem> = {
    next: () => {
      if (pending === undefined) return items.next();
      const r = pending;
      pending = undefined;
      return Promise.resolve(r);
    },
  };
  return { first, rest: { [Symbol.asyncIterator]: () => iterator } };
}

function singleTextSource(input: InputOptions, first: IteratorResult<InputItem>): boolean {
  return sourceCount(input) === 1 && !first.done && first.value.kind === 'prompt' && first.value.prompt.source.line === undefined;
}

/** Send the prompts for real: providers, retries, the live view, the summary. Returns the exit code. */
export async function runLive(ctx: Context, run: LiveRun): Promise<number> {
  const { opts, store } = run;
  const { first, rest } = await peek(readPrompts(run.input)[Symbol.asyncIterator]());
  const textMode = opts.format === 'text' || (opts.format === 'auto' && singleTextSource(run.input, first));
  const streamAnswer = textMode && !opts.output && (ctx.stdout.isTTY === true || opts.stream === true);
  const showView = !textMode && !opts.quiet && ctx.stderr.isTTY === true;
  if (!textMode) await leanHeap();
  store.keepFinished = showView;
  const unlock = opts.output && opts.output !== '/dev/null' ? lockOutput(opts.output) : undefined;
  try {
    return await runLocked(ctx, run, { textMode, streamAnswer, showView, rest });
  } finally {
    unlock?.();
  }
}

async function runLocked(ctx: Context, run: LiveRun, how: { textMode: boolean; streamAnswer: boolean; showView: boolean; rest: AsyncIterable<InputItem> }): Promise<number> {
  const { policy, opts, store } = run;
  const { textMode, streamAnswer, showView, rest } = how;
  const prior = opts.resume && opts.output ? await readPriorResults(opts.output) : undefined;
  // A failed write (a full disk) stops the session: it is opened next, and the file cannot fail before a record.
  let onWriteFailed = (err: unknown): void => {
    throw err;
  };
  const file = opts.output ? ResultFile.open(opts.output, opts.resume === true, (err) => onWriteFailed(err)) : undefined;
  const writer = new ResultWriter(ctx.stdout, 'turn');
  const emitLine = (r: ResultRecord) => {
    if (!file) return writer.write(r);
    return file.writeLine(JSON.stringify(recordToJson(r)));
  };
  const session = await LiveSession.open(
    ctx,
    store,
    sessionOptions(ctx, opts, budgetLimits(policy, opts.maxSpend)),
    () => {
      if (!showView) write(ctx.stderr, `frugal: stopping: finishing the ${store.totals.inFlight} prompts in flight (Ctrl-C again to abort them)`);
    },
  );
  onWriteFailed = (err) => session.faults.fail('output', opts.output!, err);
  if (prior) {
    // Without the ledger, the -o file is all that tells what the job spent before.
    session.addPriorSpend(prior.spent);
    write(ctx.stderr, resumeNote(prior, session.prior));
  }

  const live = showView ? await import('../view/live/start.js') : undefined;
  const budget = session.budget;
  const view = live && await live.startLiveView({
    stderr: ctx.stderr as NodeJS.WriteStream,
    store,
    policy,
    clock: ctx.clock,
    color: live.colorAllowed(ctx.env),
    budget: () => (budget.limits.total === undefined ? undefined : { cap: budget.limits.total, spent: budget.totalSpent, reserved: budget.totalReserved }),
  });
  // Without a terminal, a long run says how far it has got every few seconds.
  const progress = !showView && !textMode && !opts.quiet ? startProgressLine({ store, write: (line) => write(ctx.stderr, line), clock: ctx.clock }) : undefined;
  const emit = (e: RunEvent) => {
    store.apply(e);
    if (e.type === 'model-refused') write(ctx.stderr, `frugal: ${e.message}; nothing more is sent to ${e.route}`);
    if (view) return;
    if (e.type === 'input-error') write(ctx.stderr, `frugal: ${sourceText(e.file, e.line)}: ${e.message}`);
    if (e.type === 'prompt-end' && e.record.error && !textMode && e.record.error.kind !== 'not-sent' && !(session.faults.first && e.record.error.kind === 'aborted')) write(ctx.stderr, `frugal: ${e.record.id}: ${e.record.error.message}`);
  };

  let lastRecord: ResultRecord | undefined;
  const onRecord = (r: ResultRecord) => {
    lastRecord = r;
    if (!textMode) return emitLine(r);
    if (r.error) {
      if (r.error.kind !== 'missing-key' || store.totals.refused.length === 0) write(ctx.stderr, `frugal: ${r.error.status ? `${r.error.status} ` : ''}${r.error.message}`);
      return undefined;
    }
    // Streamed answers are already on the terminal: end the line.
    return writer.writeLine(streamAnswer ? '' : (r.output ?? '').replace(/\n$/, ''));
  };

  const baseline = policy.models.get(policy.baseline)!;
  // similar_to classes: each batch of prompts is embedded (a features step) before it is routed.
  const step = similarMatchers(policy).length > 0 ? await dryRunFeatures(ctx, policy, run.counter, { home: opts.home }) : undefined;
  const featuresOf = new WeakMap<PromptRecord, PromptFeatures>();
  const items = step ? withFeatures(rest, step, featuresOf, (calls, first) => session.recordBatchCalls(calls, first, policy.models, emit)) : rest;
  try {
    await session.run(
      {
        items,
        total: run.total ? await run.total() : undefined,
        skip: prior?.done,
        planner: runPlanner(policy, run.counter, opts, (p) => featuresOf.get(p)),
        baseline,
        countTokens: (text) => run.counter.count(text),
      },
      { emit, onRecord },
      streamAnswer ? (delta) => ctx.stdout.write(delta) : undefined,
      () => file?.flush(),
    );
  } finally {
    progress?.stop();
    step?.close();
    session.close();
    await view?.stop();
    await writer.close(false);
    file?.close();
  }

  const t = store.totals;
  if (textMode) {
    const only = t.prompts === 1 ? lastRecord : undefined;
    if (only && (opts.summary || (ctx.stderr.isTTY && !opts.quiet))) write(ctx.stderr, oneLineSummary(only));
  } else if (!opts.quiet) {
    // cli-table3 loads only for batches: a one-shot answer in a shell script never needs it.
    const { summaryTable } = await import('../view/summary-table.js');
    write(ctx.stderr, summaryTable(t, policy, { columns: ctx.stderr.isTTY ? ctx.stderr.columns : undefined }));
  }
  // --resume: the summary above is this invocation's; the job's is the sum over all its runs.
  if (prior && !opts.quiet) write(ctx.stderr, jobTotal(prior, session.prior, t));
  session.faults.unwritten += file?.unwritten ?? 0;
  const fault = session.faults.report(opts.output);
  if (fault) {
    write(ctx.stderr, fault);
    return 1;
  }
  if (t.stop === 'budget') {
    const budget = session.budget;
    write(
      ctx.stderr,
      `frugal: stopped at the budget: ${formatUsd(budget.totalSpent)} spent of ${formatUsd(budget.limits.total)}; each prompt reserves its worst case (its answer cap at the output price) before it is sent, so a lower --max-tokens lets more fit; the prompts not sent can be run with --resume and a higher --max-spend`,
    );
    return 3;
  }
  if (t.stop === 'interrupted' || t.stop === 'aborted') return 130;
  if (t.prompts === 1 && t.failed === 1 && lastRecord?.error?.kind === 'missing-key') return 2;
  return failures(t) > 0 ? 1 : 0;
}


function resumeNote(prior: PriorResults, booked: JobSpend | undefined): string {
  const parts = [`resuming: ${formatInt(prior.done.size)} prompts already done (${formatUsd(prior.spent)})`];
  if (booked) {
    const unsettled = booked.unsettledCalls ? `, of which up to ${formatUsd(booked.unsettled)} for ${formatInt(booked.unsettledCalls)} calls that never settled` : '';
    parts.push(`the job has booked ${formatUsd(booked.cost)} in all${unsettled}`);
  }
  if (prior.failed) parts.push(`${formatInt(prior.failed)} failed records will be retried`);
  if (prior.tornBytes) parts.push(`a torn last line (${prior.tornBytes} bytes) was dropped`);
  if (prior.unreadable) parts.push(`${formatInt(prior.unreadable)} unreadable lines ignored`);
  return `frugal: ${parts.join('; ')}`;
}

/** The job in all: earlier spend as the ledger booked it (else as the -o file has it), plus this run's. */
function jobTotal(prior: PriorResults, booked: JobSpend | undefined, t: RunTotals): string {
  const earlier = booked?.cost ?? prior.spent;
  return `frugal: the job in all: ${formatInt(prior.done.size + t.succeeded)} prompts done, ${formatUsd(earlier + t.cost)} booked (${formatUsd(earlier)} in earlier runs, ${formatUsd(t.cost)} in this one)`;
}

/** --max-spend wins over the policy's budget.max_spend; per-model caps come from the policy. */
function budgetLimits(policy: Policy, flag: Pico | undefined): BudgetLimits {
  const perModel = new Map<string, Pico>();
  for (const [alias, usd] of policy.budget.perModelUsd) perModel.set(alias, usdNumberToPico(usd));
  const total = flag ?? (policy.budget.maxSpendUsd === undefined ? undefined : usdNumberToPico(policy.budget.maxSpendUsd));
  return { total, perModel };
}
