import { failures } from '../core/money/accounting.js';
import type { ResultRecord, RunEvent } from '../core/execution/events.js';
import { formatInt, formatPct, formatUsd } from '../core/money/money.js';
import type { Policy } from '../core/policy/types.js';
import { sourceText, type InputItem, type PromptRecord } from '../core/prompt.js';
import { schedule } from '../core/execution/scheduler.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import { readPrompts, type InputOptions } from '../io/input.js';
import { recordToJson, ResultWriter } from '../io/results.js';
import { ResultFile } from '../io/result-file.js';
import { randomUUID } from 'node:crypto';
import type { Ledger } from '../io/ledger.js';
import type { ResponseCache } from '../io/cache.js';
import { canonicalPrompt, promptHash } from '../io/hash.js';
import { dataDir } from '../io/store-path.js';
import { readPriorResults, type PriorResults } from '../io/resume.js';
import { Budget, type BudgetLimits } from '../core/money/budget.js';
import { usdNumberToPico, type Pico } from '../core/money/money.js';
import { ProviderPool } from '../providers/index.js';
import type { RunStore } from '../view/run-store.js';
import { write, type Context } from './context.js';
import { nextTurn, sleep } from './sleep.js';
import { leanHeap } from './heap.js';
import { liveControl, makeSender } from './live-common.js';
import type { RunOptions } from './run-shared.js';

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
  const sources = input.inline.length + (input.files.length === 0 && input.inline.length === 0 ? 1 : input.files.length);
  return sources === 1 && !first.done && first.value.kind === 'prompt' && first.value.prompt.source.line === undefined;
}

function oneLineSummary(r: ResultRecord): string {
  const saved = r.baselineCost !== undefined && r.cost !== undefined ? r.baselineCost - r.cost : undefined;
  return `frugal: ${r.route} (${r.model}) ${formatInt(r.usage.input)} in / ${formatInt(r.usage.output)} out tokens, ${formatUsd(r.cost)}; baseline ${formatUsd(r.baselineCost)}; saved ${formatUsd(saved)} (${formatPct(saved, r.baselineCost)})`;
}

/** Send the prompts for real: providers, retries, the live view, the summary. Returns the exit code. */
export async function runLive(ctx: Context, run: LiveRun): Promise<number> {
  const { policy, opts, store } = run;
  const { first, rest } = await peek(readPrompts(run.input)[Symbol.asyncIterator]());
  const textMode = opts.format === 'text' || (opts.format === 'auto' && singleTextSource(run.input, first));
  const streamAnswer = textMode && !opts.output && (ctx.stdout.isTTY === true || opts.stream === true);
  const showView = !textMode && !opts.quiet && ctx.stderr.isTTY === true;
  if (!textMode) await leanHeap();
  store.keepFinished = showView;
  const prior = opts.resume && opts.output ? await readPriorResults(opts.output) : undefined;
  if (prior) write(ctx.stderr, resumeNote(prior));
  const file = opts.output ? ResultFile.open(opts.output, opts.resume === true) : undefined;
  const writer = new ResultWriter(ctx.stdout, 'turn');
  const emitLine = (r: ResultRecord) => {
    if (!file) return writer.write(r);
    return file.writeLine(JSON.stringify(recordToJson(r)));
  };
  const home = opts.ledger || opts.cache ? dataDir(ctx.env, ctx.cwd, opts.home) : undefined;
  // SQLite loads only when the ledger or the cache is on.
  const ledger: Ledger | undefined = opts.ledger ? (await import('../io/ledger.js')).openLedger(home!) : undefined;
  const cache: ResponseCache | undefined = opts.cache ? (await import('../io/cache.js')).openCache(home!) : undefined;
  const runId = randomUUID();
  const budget = new Budget(budgetLimits(policy, opts.maxSpend), prior?.spent ?? 0n);
  const pool = new ProviderPool(ctx.env, opts.timeout * 1000);

  const { control, release } = liveControl(ctx, store, () => {
    if (!showView) write(ctx.stderr, `frugal: stopping: finishing the ${store.totals.inFlight} prompts in flight (Ctrl-C again to abort them)`);
  });

  const view = showView ? await (await import('../view/live/start.js')).startLiveView({ stderr: ctx.stderr as NodeJS.WriteStream, store, policy, clock: ctx.clock }) : undefined;
  const emit = (e: RunEvent) => {
    store.apply(e);
    if (view) return;
    if (e.type === 'input-error') write(ctx.stderr, `frugal: ${sourceText(e.file, e.line)}: ${e.message}`);
    if (e.type === 'prompt-end' && e.record.error && !textMode) write(ctx.stderr, `frugal: ${e.record.id}: ${e.record.error.message}`);
  };

  let lastRecord: ResultRecord | undefined;
  const onRecord = (r: ResultRecord, prompt: PromptRecord) => {
    lastRecord = r;
    ledger?.record(r, { runId, at: ctx.now(), promptHash: promptHash(prompt), promptText: opts.logPrompts ? canonicalPrompt(prompt) : undefined });
    if (!textMode) return emitLine(r);
    if (r.error) {
      write(ctx.stderr, `frugal: ${r.error.status ? `${r.error.status} ` : ''}${r.error.message}`);
      return undefined;
    }
    // Streamed answers are already on the terminal: end the line.
    return writer.writeLine(streamAnswer ? '' : (r.output ?? '').replace(/\n$/, ''));
  };

  try {
    await schedule({
      items: rest,
      policy,
      counter: run.counter,
      concurrency: opts.concurrency,
      retries: opts.retries,
      forceRoute: opts.model,
      maxTokens: opts.maxTokens,
      total: run.total ? await run.total() : undefined,
      send: makeSender(pool, cache, streamAnswer ? (delta) => ctx.stdout.write(delta) : undefined, () => file?.flush()),
      emit,
      onRecord,
      control,
      clock: ctx.clock,
      sleep,
      nextTurn,
      random: Math.random,
      budget,
      skip: prior?.done,
    });
  } finally {
    release();
    await view?.stop();
    await writer.close(false);
    file?.close();
    ledger?.close();
    cache?.close();
  }

  const t = store.totals;
  if (textMode) {
    const only = t.prompts === 1 ? lastRecord : undefined;
    if (only && (opts.summary || (ctx.stderr.isTTY && !opts.quiet))) write(ctx.stderr, oneLineSummary(only));
  } else if (!opts.quiet) {
    // cli-table3 loads only for batches: a one-shot answer in a shell script never needs it.
    const { summaryTable } = await import('../view/summary-table.js');
    write(ctx.stderr, summaryTable(t, policy));
  }
  if (t.stop === 'budget') {
    write(ctx.stderr, `frugal: stopped at the budget: ${formatUsd(budget.totalSpent)} spent of ${formatUsd(budget.limits.total)}; the prompts not sent can be run with --resume and a higher --max-spend`);
    return 3;
  }
  if (t.stop === 'interrupted' || t.stop === 'aborted') return 130;
  if (t.prompts === 1 && t.failed === 1 && lastRecord?.error?.kind === 'missing-key') return 2;
  return failures(t) > 0 ? 1 : 0;
}

function resumeNote(prior: PriorResults): string {
  const parts = [`resuming: ${formatInt(prior.done.size)} prompts already done (${formatUsd(prior.spent)})`];
  if (prior.failed) parts.push(`${formatInt(prior.failed)} failed records will be retried`);
  if (prior.tornBytes) parts.push(`a torn last line (${prior.tornBytes} bytes) was dropped`);
  if (prior.unreadable) parts.push(`${formatInt(prior.unreadable)} unreadable lines ignored`);
  return `frugal: ${parts.join('; ')}`;
}

/** --max-spend wins over the policy's budget.max_spend; per-model caps come from the policy. */
function budgetLimits(policy: Policy, flag: Pico | undefined): BudgetLimits {
  const perModel = new Map<string, Pico>();
  for (const [alias, usd] of policy.budget.perModelUsd) perModel.set(alias, usdNumberToPico(usd));
  const total = flag ?? (policy.budget.maxSpendUsd === undefined ? undefined : usdNumberToPico(policy.budget.maxSpendUsd));
  return { total, perModel };
}
