import { resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { failures } from '../core/money/accounting.js';
import { Budget, type BudgetLimits } from '../core/money/budget.js';
import { formatInt, formatUsd, usdNumberToPico, type Pico } from '../core/money/money.js';
import type { ModelConfig, Policy } from '../core/policy/types.js';
import { sourceText } from '../core/prompt.js';
import { JobStore, type JobRow, type JobSettings } from '../io/batch-jobs.js';
import { policyFiles } from '../io/policy-file.js';
import type { Cascade } from '../core/routing/cascade.js';
import type { CheckInput } from '../core/routing/checks/schema.js';
import { openDb, type Db } from '../io/db.js';
import { dataDir } from '../io/store-path.js';
import { ProviderPool } from '../providers/index.js';
import { ProviderError, type BatchOps } from '../providers/types.js';
import { write, type Context } from '../commands/context.js';
import { sleep } from '../commands/sleep.js';
import type { RunStore } from '../view/run-store.js';
import { JobDriver, type DriveOutcome, type JobProgress } from './batch-job.js';
import type { BatchSink } from './batch-sink.js';

/** The job store in the SQLite home (the ledger's database). */
export function openJobs(ctx: Context, home: string | undefined): { db: Db; store: JobStore; dir: string } {
  const dir = dataDir(ctx.env, ctx.cwd, home);
  const db = openDb(dir);
  return { db, store: new JobStore(db), dir };
}

export function findJob(store: JobStore, id: string): JobRow {
  const job = store.job(id);
  if (!job) throw new UserError(`no batch job ${id}`, 'frugal batch list shows the jobs in this home (--home DIR for another)');
  return job;
}

/** A Policy made of a job's own settings, for the summary of `batch collect` (no routes.yaml needed). */
export function jobPolicy(settings: JobSettings): Policy {
  const models = new Map(settings.models.map((m) => [m.alias, m]));
  return { file: '(batch job)', baseline: settings.baseline, baselineImplied: false, default: settings.baseline, tokenizer: 'estimate', models, classes: [], cascades: new Map(), embedder: 'builtin', tests: [], budget: { perModelUsd: new Map() } };
}

/** --max-spend wins over the policy's budget.max_spend (and over the one the job was started with). */
export function jobBudget(policy: Policy, flag: Pico | undefined, job: JobSettings | undefined, prior: Pico): Budget {
  const perModel = new Map<string, Pico>();
  for (const [alias, usd] of policy.budget.perModelUsd) perModel.set(alias, usdNumberToPico(usd));
  const total = flag ?? (job?.maxSpend !== undefined ? BigInt(job.maxSpend) : policy.budget.maxSpendUsd === undefined ? undefined : usdNumberToPico(policy.budget.maxSpendUsd));
  const limits: BudgetLimits = { total, perModel };
  return new Budget(limits, prior);
}

/**
 * The cascades a job's lines go through, compiled again from its settings (as routes.yaml wrote
 * them, with the files their checks name read from the policy's folder): a job is collected the
 * way it was started, whatever routes.yaml says now.
 */
export async function jobCascades(settings: JobSettings): Promise<Map<string, Cascade>> {
  const out = new Map<string, Cascade>();
  if (!settings.cascades?.length) return out;
  const { compileCheck, CheckCompileError } = await import('../core/routing/checks/compile.js');
  const files = await policyFiles(settings.policyDir ?? '.', JSON.stringify(settings.cascades));
  for (const c of settings.cascades) {
    try {
      const accept = compileCheck(c.accept as CheckInput, ['cascades', c.name, 'accept'], { models: settings.models.map((m) => m.alias), files });
      out.set(c.name, { name: c.name, try: c.try, accept });
    } catch (err) {
      if (!(err instanceof CheckCompileError)) throw err;
      throw new UserError(`the checks of cascade ${c.name} no longer compile: ${err.message}`, `the files they name are read from ${settings.policyDir ?? '.'}; put them back to collect the job`);
    }
  }
  return out;
}

/** Each model's batch capability, from its adapter (keys from the environment, as for live calls). */
export function batchOpsOf(pool: ProviderPool) {
  return async (m: ModelConfig): Promise<BatchOps> => {
    let provider;
    try {
      provider = await pool.get(m);
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'missing-key') throw new UserError(err.message, 'set the key in the environment; nothing more was sent');
      throw err;
    }
    if (!provider.batch) throw new UserError(`${m.alias} (${m.provider}/${m.model}) has no batch API`, 'batch: true works for openai and anthropic models');
    return provider.batch;
  };
}

/** Status checks: every FRUGAL_BATCH_POLL_MS (tests), else from 5 s backing off to a minute. */
export function pollTimes(env: NodeJS.ProcessEnv): { first: number; max: number } {
  const ms = Number(env.FRUGAL_BATCH_POLL_MS);
  return Number.isFinite(ms) && ms > 0 ? { first: ms, max: ms * 4 } : { first: 5000, max: 60_000 };
}

const PROGRESS_EVERY_MS = 5000;

/** At most one progress line on stderr every few seconds. */
export function progressPrinter(ctx: Context, jobId: string, quiet: boolean) {
  let last = -Infinity;
  return (p: JobProgress) => {
    const now = ctx.clock();
    if (quiet || now - last < PROGRESS_EVERY_MS) return;
    last = now;
    const byStatus = new Map<string, number>();
    for (const b of p.batches) byStatus.set(b.status, (byStatus.get(b.status) ?? 0) + 1);
    const running = [...byStatus].map(([s, n]) => `${n} ${s}`).join(', ');
    const lines = p.batches.reduce((n, b) => n + b.succeeded + b.failed, 0);
    write(ctx.stderr, `frugal: ${jobId}: ${formatInt(p.done)} of ${formatInt(p.total)} prompts collected; batches: ${running || 'none running'} (${formatInt(lines)} lines ran so far)`);
  };
}

/**
 * How a batch job shows its progress: on a terminal, the live view of its batches (Ink loads only
 * then); otherwise a progress line every few seconds. `stop` ends the view.
 */
export async function batchProgress(ctx: Context, jobId: string, store: RunStore, policy: Policy, quiet: boolean): Promise<{ progress: (p: JobProgress) => void; stop(): void }> {
  if (quiet || ctx.stderr.isTTY !== true) return { progress: progressPrinter(ctx, jobId, quiet), stop: () => undefined };
  const { startBatchView } = await import('../view/live/batches.js');
  const view = startBatchView({ stderr: ctx.stderr as NodeJS.WriteStream, jobId, store, policy, color: !ctx.env.NO_COLOR });
  return { progress: (p) => view.update(p), stop: () => view.stop() };
}

export interface DriveRun {
  ctx: Context;
  job: JobRow;
  driver: JobDriver;
  wait: boolean;
  sink: BatchSink;
  runStore: RunStore;
  policy: Policy;
  budget: Budget;
  quiet: boolean;
  output: string;
  /** `batch collect --no-wait`: what had ended is written; the rest still runs. */
  collecting?: boolean | undefined;
}

export const collectHint = (job: string, output: string) => `frugal batch collect ${job} -o ${output}`;

/** Drives the job, closes the output and prints the summary; returns the exit code. */
export async function finishRun(r: DriveRun, drive: () => Promise<DriveOutcome>): Promise<number> {
  const { ctx, job } = r;
  let outcome: DriveOutcome;
  try {
    outcome = await drive();
  } finally {
    r.sink.close();
  }
  r.runStore.apply({ type: 'run-end', at: ctx.clock(), stop: outcome === 'budget' ? 'budget' : outcome === 'detached' ? 'interrupted' : 'done' });
  const out = resolve(ctx.cwd, r.output);
  if (outcome === 'submitted' && r.collecting) {
    write(ctx.stderr, `frugal: batch job ${job.id}: what had ended is in ${out}; the rest is still running. Collect it with:\n  ${collectHint(job.id, out)}`);
    return 0;
  }
  if (outcome === 'submitted') {
    write(ctx.stderr, `frugal: submitted batch job ${job.id}; collect the results with:\n  ${collectHint(job.id, out)}`);
    write(ctx.stdout, job.id);
    return 0;
  }
  if (outcome === 'detached') {
    write(ctx.stderr, `frugal: detached from batch job ${job.id}: the batches go on at the provider. Collect the results with:\n  ${collectHint(job.id, out)}`);
    return 130;
  }
  const t = r.runStore.totals;
  if (!r.quiet) {
    const { summaryTable } = await import('../view/summary-table.js');
    write(ctx.stderr, summaryTable(t, r.policy));
  }
  if (outcome === 'budget') {
    write(ctx.stderr, `frugal: stopped at the budget: ${formatUsd(r.budget.totalSpent)} spent of ${formatUsd(r.budget.limits.total)}; the prompts not submitted can be sent with --resume (run --batch ... --resume) and a higher --max-spend`);
    return 3;
  }
  return failures(t) > 0 ? 1 : 0;
}

export function inputErrorLine(ctx: Context, e: { file: string; line?: number | undefined; message: string }): void {
  write(ctx.stderr, `frugal: ${sourceText(e.file, e.line)}: ${e.message}`);
}

export { JobDriver, sleep };
