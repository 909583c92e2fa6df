import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { UserError } from '../core/errors.js';
import { formatInt, formatUsd } from '../core/money/money.js';
import type { JobStore } from '../io/batch-jobs.js';
import { ProviderPool } from '../providers/index.js';
import { batchOpsOf, collectHint, findJob, finishRun, JobDriver, jobBudget, jobCascades, jobPolicy, openJobs, pollTimes, progressPrinter, sleep } from '../run/batch-session.js';
import { openLedger } from '../io/ledger.js';
import { loadCounter } from '../io/tokenizer.js';
import { BatchSink, recordedIds } from '../run/batch-sink.js';
import { RunStore } from '../view/run-store.js';
import { examples } from './common.js';
import { write, type Context } from './context.js';
import { leanHeap } from './heap.js';

interface Common {
  home?: string;
  json?: boolean;
}

function jobSummary(store: JobStore, id: string) {
  const job = store.job(id)!;
  const counts = store.counts(id);
  const batches = store.batches(id);
  return {
    id,
    state: job.state,
    created: new Date(job.createdMs).toISOString(),
    output: job.output,
    prompts: counts.pending + counts.submitted + counts.retry + counts.done,
    collected: counts.done,
    waiting: counts.pending + counts.retry,
    in_batches: counts.submitted,
    spent_usd: formatUsd(store.spent(id)),
    batches: batches.map((b) => ({ id: b.providerId, route: b.route, round: b.round, lines: b.lines, state: b.state, status: b.status })),
  };
}

/** A job's driver outside `run`: the job's own settings, its cascades, and the ledger of the home. */
async function driverFor(ctx: Context, jobs: { store: JobStore; dir: string }, jobId: string, output: string, opts: { quiet?: boolean }, written: Set<string>) {
  const { store } = jobs;
  const job = findJob(store, jobId);
  const policy = jobPolicy(job.settings);
  const runStore = new RunStore(policy);
  runStore.keepFinished = false;
  const budget = jobBudget(policy, undefined, job.settings, store.spent(job.id));
  const cascades = await jobCascades(job.settings);
  const counter = cascades.size > 0 ? await loadCounter(job.settings.tokenizer === 'o200k' ? 'o200k' : 'estimate') : undefined;
  const ledger = openLedger(jobs.dir);
  const sink = new BatchSink(output, true, { policy, store: runStore, runId: job.id, now: ctx.now, clock: ctx.clock, ledger, resumed: true });
  const detach = new AbortController();
  const pool = new ProviderPool(ctx.env, 600_000);
  const driver = new JobDriver(job, {
    store, ops: batchOpsOf(pool), sink, budget, now: () => ctx.now().getTime(), sleep, detach: detach.signal,
    progress: progressPrinter(ctx, job.id, opts.quiet === true), pollMs: pollTimes(ctx.env), written, cascades, countTokens: counter && ((text) => counter.count(text)),
  });
  return { job, policy, runStore, budget, sink, detach, driver, close: () => ledger.close() };
}

export function batchCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  const cmd = new Command('batch').description('batch jobs of `frugal run --batch`: list them, check them, collect their results, cancel them');
  const home = (c: Command) => c.option('--home <dir>', 'where the jobs, ledger and cache live (default: $FRUGAL_HOME, else $XDG_DATA_HOME/frugal)');
  cmd.addHelpText('after', examples(['frugal batch list', 'frugal batch status job-m3x1k2-ab12cd', 'frugal batch collect job-m3x1k2-ab12cd -o results.jsonl', 'frugal batch cancel job-m3x1k2-ab12cd']));

  home(cmd.command('list').description('the batch jobs in this home, newest first').option('--json', 'as JSON lines')).action((opts: Common) => {
    const { db, store } = openJobs(ctx, opts.home);
    try {
      for (const job of store.jobs()) {
        const s = jobSummary(store, job.id);
        if (opts.json) write(ctx.stdout, JSON.stringify(s));
        else write(ctx.stdout, `${s.id}  ${s.state.padEnd(9)}  ${s.created}  ${formatInt(s.collected)}/${formatInt(s.prompts)} collected  ${s.batches.length} batches  ${s.spent_usd}  ${s.output ?? ''}`);
      }
    } finally {
      db.close();
    }
  });

  home(cmd.command('status').argument('<job>').description("a job's batches as the provider last reported them (a status check costs nothing)").option('--json', 'as JSON')).action(async (id: string, opts: Common) => {
    const { db, store } = openJobs(ctx, opts.home);
    try {
      const job = findJob(store, id);
      const ops = batchOpsOf(new ProviderPool(ctx.env, 600_000));
      const models = new Map(job.settings.models.map((m) => [m.alias, m]));
      for (const b of store.batches(id)) {
        if (!b.providerId || b.state === 'collected' || b.state === 'lost') continue;
        const s = await (await ops(models.get(b.route)!)).status(b.providerId);
        store.setBatchState(id, b.tag, s.state === 'ended' ? 'ended' : 'running', s.status);
      }
      const s = jobSummary(store, id);
      if (opts.json) return write(ctx.stdout, JSON.stringify(s));
      write(ctx.stdout, `${s.id}: ${s.state}; ${formatInt(s.collected)} of ${formatInt(s.prompts)} prompts collected, ${formatInt(s.in_batches)} in batches, ${formatInt(s.waiting)} waiting; spent ${s.spent_usd}`);
      for (const b of s.batches) write(ctx.stdout, `  ${b.id ?? '(not submitted)'}  ${b.route}  round ${b.round}  ${formatInt(b.lines)} lines  ${b.status ?? b.state}${b.state === 'collected' ? ' (collected)' : ''}`);
      if (s.state === 'open' && s.output) write(ctx.stdout, `collect with: ${collectHint(id, s.output)}`);
    } finally {
      db.close();
    }
  });

  home(
    cmd
      .command('collect')
      .argument('<job>')
      .description('wait for the job\'s batches, write each result once, resubmit what failed retryably; carries on a run that was killed or detached')
      .option('-o, --output <file>', "where the records go (default: the run's own -o file); records already there are not written again")
      .addOption(new Option('--no-wait', 'collect what has ended and exit, without waiting for the rest'))
      .option('-q, --quiet', 'no progress and no summary'),
  ).action(async (id: string, opts: Common & { output?: string; wait: boolean; quiet?: boolean }) => {
    const { db, store, dir } = openJobs(ctx, opts.home);
    try {
      const job = findJob(store, id);
      const output = opts.output ? resolve(ctx.cwd, opts.output) : job.output;
      if (!output) throw new UserError(`job ${id} has no output file`, `frugal batch collect ${id} -o results.jsonl`);
      await leanHeap();
      const written = await recordedIds(output);
      const d = await driverFor(ctx, { store, dir }, id, output, opts, written);
      d.runStore.apply({ type: 'run-start', at: ctx.clock(), dryRun: false });
      const release = ctx.onInterrupt(() => d.detach.abort());
      try {
        setExitCode(await finishRun({ ctx, job, driver: d.driver, wait: opts.wait, sink: d.sink, runStore: d.runStore, policy: d.policy, budget: d.budget, quiet: opts.quiet === true, output, collecting: true }, () => d.driver.drive(opts.wait || 'once')));
      } finally {
        release();
        d.close();
      }
    } finally {
      db.close();
    }
  });

  home(cmd.command('cancel').argument('<job>').description('cancel the job\'s running batches; what already ran is kept and paid for, and `batch collect` writes it')).action(async (id: string, opts: Common) => {
    const { db, store, dir } = openJobs(ctx, opts.home);
    try {
      const job = findJob(store, id);
      const d = await driverFor(ctx, { store, dir }, id, job.output ?? '/dev/null', { quiet: true }, new Set());
      try {
        const statuses = await d.driver.cancel();
        write(ctx.stderr, `frugal: cancelled job ${id}: ${statuses.length} batches cancelling; what already ran is kept. Collect it with:\n  ${collectHint(id, job.output ?? 'results.jsonl')}`);
      } finally {
        d.sink.close();
        d.close();
      }
    } finally {
      db.close();
    }
  });
  return cmd;
}
