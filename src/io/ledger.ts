import type { CallJournal, CallSpec } from '../core/execution/call-runner.js';
import type { CallKind, CallRecord, ErrorKind } from '../core/execution/calls.js';
import type { Pico } from '../core/money/money.js';
import type { CallGroup, CallStatus } from '../core/money/stats.js';
import { asUserError, openDb, openExistingDb, type Db } from './db.js';
import { canonicalPrompt, promptHash } from './hash.js';
import { redactKeyish } from '../core/secrets.js';
import { GroupCommit } from './group-commit.js';

export { promptHash, canonicalPrompt } from './hash.js';

/** What a run's calls share in the ledger. */
export interface LedgerRun {
  runId: string;
  /** The -o job the run belongs to (see jobFor), so that --resume can read its spend. */
  jobId?: string | undefined;
  now: () => Date;
  /** --log-prompts: keep the canonical request text, not only its hash. */
  logPrompts?: boolean | undefined;
}

/** What a job has booked so far: settled calls exactly, unsettled ones at their reservations. */
export interface JobSpend {
  cost: Pico;
  unsettled: Pico;
  unsettledCalls: number;
}

export interface Ledger {
  readonly dir: string;
  /** The write-ahead journal of a run's calls: each is written before its request leaves. */
  journal(run: LedgerRun): CallJournal;
  /**
   * The job an -o file holds: with `resume`, the one recorded for that file (a new one when there
   * is none); otherwise a new job, which replaces the file's old one.
   */
  jobFor(outputPath: string, resume: boolean, newId: () => string): { jobId: string; resumed: boolean };
  /** Everything the job's calls have booked, in every run of it. */
  jobSpend(jobId: string): JobSpend;
  /** Closes the database. Safe to call twice. */
  close(): void;
}

const INSERT = `INSERT INTO calls (
  at, at_ms, run_id, job_id, prompt_id, kind, class, route, provider, model,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
  cost_pico, unsettled_pico, baseline_cost_pico, attempts, status, prompt_hash, prompt_text
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, 0, ?, ?, ?, ?)`;

const REBOOK = `UPDATE calls SET cost_pico = ?, unsettled_pico = ?, attempts = attempts + 1 WHERE id = ?`;

const SETTLE = `UPDATE calls SET answered_by = ?, input_tokens = ?, output_tokens = ?, cache_read_tokens = ?,
  cache_write_tokens = ?, reasoning_tokens = ?, cost_pico = ?, unsettled_pico = ?, baseline_cost_pico = ?,
  latency_ms = ?, attempts = ?, finish_reason = ?, status = ?, error_status = ?, error_kind = ?, error_message = ?,
  answer_text = ? WHERE id = ?`;

const tokens = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? Math.trunc(n) : 0);
const optInt = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? null : Math.round(n));


export function statusOf(c: CallRecord): CallStatus {
  return c.error ? 'error' : c.cached ? 'cached' : 'ok';
}

interface StepRow {
  step: bigint;
  answer: string | null;
  finish_reason: string | null;
  id: bigint;
  kind: CallKind;
  route: string;
  provider: string;
  model: string;
  answered_by: string | null;
  input_tokens: bigint;
  output_tokens: bigint;
  cache_read_tokens: bigint;
  cache_write_tokens: bigint;
  cost_pico: bigint | null;
  unsettled_pico: bigint;
  latency_ms: bigint | null;
  attempts: bigint | null;
  error_status: bigint | null;
  error_kind: string | null;
  error_message: string | null;
}

/** A cascade step's call as an earlier run of the job made it. */
function stepCall(r: StepRow): CallRecord {
  return {
    kind: r.kind,
    route: r.route,
    provider: r.provider,
    model: r.model,
    answeredBy: r.answered_by ?? undefined,
    usage: { input: Number(r.input_tokens), output: Number(r.output_tokens), cacheRead: Number(r.cache_read_tokens), cacheWrite: Number(r.cache_write_tokens) },
    cost: r.cost_pico ?? 0n,
    unsettled: r.unsettled_pico,
    latencyMs: r.latency_ms === null ? undefined : Number(r.latency_ms),
    attempts: r.attempts === null ? 1 : Number(r.attempts),
    finishReason: (r.finish_reason ?? undefined) as CallRecord['finishReason'],
    cached: false,
    error: r.answer === null ? { status: r.error_status === null ? undefined : Number(r.error_status), kind: (r.error_kind ?? undefined) as ErrorKind | undefined, message: r.error_message ?? 'failed' } : undefined,
    output: r.answer ?? undefined,
    journalHandle: Number(r.id),
  };
}

class SqliteLedger implements Ledger {
  /** One per connection: every journal on it shares the open transaction. */
  private group: GroupCommit | undefined;

  constructor(
    readonly dir: string,
    private db: Db | undefined,
  ) {}

  journal(run: LedgerRun): CallJournal {
    const db = this.open();
    const group = (this.group ??= new GroupCommit(db));
    const insert = db.prepare(INSERT);
    const rebook = db.prepare(REBOOK);
    const settle = db.prepare(SETTLE);
    const keep = db.prepare('UPDATE calls SET baseline_cost_pico = ? WHERE id = ?');
    const countCalls = db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM calls WHERE job_id = ? AND prompt_id = ?');
    const saveStep = db.prepare('INSERT OR REPLACE INTO cascade_steps (job_id, prompt_id, step, call_id, answer, finish_reason) VALUES (?, ?, ?, ?, ?, ?)');
    const loadSteps = db
      .prepare(
        `SELECT s.step, s.answer, s.finish_reason, c.id, c.kind, c.route, c.provider, c.model, c.answered_by, c.input_tokens, c.output_tokens,
           c.cache_read_tokens, c.cache_write_tokens, c.cost_pico, c.unsettled_pico, c.latency_ms, c.attempts, c.error_status, c.error_kind, c.error_message
         FROM cascade_steps s JOIN calls c ON c.id = s.call_id WHERE s.job_id = ? AND s.prompt_id = ? ORDER BY s.step`,
      )
      .safeIntegers(true);
    const open = (spec: CallSpec, booked: Pico, status: 'pending' | 'cached'): number => {
      const at = run.now();
      const { prompt } = spec;
      return Number(
        insert.run(
          at.toISOString(), at.getTime(), run.runId, run.jobId ?? null, prompt.id, spec.kind, spec.class, spec.model.alias, spec.model.provider, spec.model.model,
          booked, booked, status === 'pending' ? 1 : 0, status, promptHash(prompt), run.logPrompts ? canonicalPrompt(prompt) : null,
        ).lastInsertRowid,
      );
    };
    const settleRow = (handle: number, c: CallRecord, baselineCost: Pico | undefined) => {
      const u = c.usage;
      settle.run(
        c.answeredBy ?? null, tokens(u.input), tokens(u.output), tokens(u.cacheRead), tokens(u.cacheWrite), tokens(u.reasoning),
        c.cost, c.unsettled, baselineCost ?? null, optInt(c.latencyMs), c.attempts, c.finishReason ?? null, statusOf(c),
        c.error?.status ?? null, c.error?.kind ?? null, c.error ? redactKeyish(c.error.message) : null,
        run.logPrompts && c.output !== undefined ? c.output : null, handle,
      );
    };
    const journal: CallJournal = {
      // Committed before it returns: the row is in the WAL before the request leaves, so even kill -9 keeps it.
      open: (spec, booked) => group.now(() => open(spec, booked, 'pending'))!,
      rebook: (handle, booked) => {
        group.now(() => rebook.run(booked, booked, handle));
      },
      settle: (handle, spec, c, baselineCost) => {
        // Nothing left: only a cache hit is worth a row (it is counted, at no cost).
        if (handle === undefined && !c.cached) return;
        group.later(() => settleRow(handle ?? open(spec, 0n, 'cached'), c, baselineCost));
      },
      keep: (handle, baselineCost) => {
        group.later(() => keep.run(baselineCost ?? null, handle));
      },
      cascadeStep: (promptId, step, c) => {
        if (run.jobId === undefined || c.journalHandle === undefined) return;
        // A step's answer is what --resume reads instead of calling it again: on disk at once.
        group.now(() => saveStep.run(run.jobId, promptId, step, c.journalHandle, c.error ? null : (c.output ?? ''), c.finishReason ?? null));
      },
      priorSteps: (promptId) => {
        if (run.jobId === undefined) return [];
        group.now();
        return (loadSteps.all(run.jobId, promptId) as StepRow[]).map((r) => ({ step: Number(r.step), call: stepCall(r) }));
      },
      record: (spec, c, baselineCost) => journal.recordAll!([{ spec, call: c, baselineCost }]),
      recordAll: (calls) => {
        group.now(() => {
          for (const c of calls) settleRow(c.call.cached ? open(c.spec, 0n, 'cached') : open(c.spec, c.call.cost, 'pending'), c.call, c.baselineCost ?? 0n);
        });
      },
      callCount: (promptId) => (run.jobId === undefined ? 0 : Number(group.now(() => countCalls.get(run.jobId!, promptId))!.n)),
      flush: () => {
        group.now();
      },
    };
    return journal;
  }

  jobFor(outputPath: string, resume: boolean, newId: () => string): { jobId: string; resumed: boolean } {
    const db = this.open();
    if (resume) {
      const row = db.prepare<[string], { job_id: string }>('SELECT job_id FROM jobs WHERE output = ?').get(outputPath);
      if (row) return { jobId: row.job_id, resumed: true };
    }
    const jobId = newId();
    db.prepare('INSERT OR REPLACE INTO jobs (output, job_id, started_ms) VALUES (?, ?, ?)').run(outputPath, jobId, Date.now());
    return { jobId, resumed: false };
  }

  jobSpend(jobId: string): JobSpend {
    this.group?.now();
    const row = this.open()
      .prepare<[string], { cost: bigint; unsettled: bigint; unsettled_calls: bigint }>(
        'SELECT COALESCE(SUM(cost_pico), 0) AS cost, COALESCE(SUM(unsettled_pico), 0) AS unsettled, COALESCE(SUM(unsettled_pico > 0), 0) AS unsettled_calls FROM calls WHERE job_id = ?',
      )
      .safeIntegers(true)
      .get(jobId)!;
    return { cost: row.cost, unsettled: row.unsettled, unsettledCalls: Number(row.unsettled_calls) };
  }

  close(): void {
    if (!this.db) return;
    this.group?.now();
    this.db.close();
    this.db = undefined;
  }

  private open(): Db {
    if (!this.db) throw new Error('ledger is closed');
    return this.db;
  }
}

/** Opens the ledger in `dir` (the data folder), creating folder and database as needed. */
export function openLedger(dir: string): Ledger {
  return new SqliteLedger(dir, openDb(dir));
}

const GROUPS = `SELECT
  at_ms / 86400000 AS day, provider, model, route, class, kind, status,
  COUNT(*) AS calls,
  SUM(unsettled_pico) AS unsettled, SUM(unsettled_pico > 0) AS unsettled_calls,
  SUM(input_tokens) AS input, SUM(output_tokens) AS output,
  SUM(cache_read_tokens) AS cache_read, SUM(cache_write_tokens) AS cache_write,
  COALESCE(SUM(cost_pico), 0) AS cost, SUM(cost_pico IS NULL) AS cost_unknown,
  COALESCE(SUM(baseline_cost_pico), 0) AS baseline, SUM(baseline_cost_pico IS NULL) AS baseline_unknown,
  COALESCE(SUM(CASE WHEN baseline_cost_pico IS NOT NULL THEN cost_pico END), 0) AS paired_cost,
  COALESCE(SUM(CASE WHEN cost_pico IS NOT NULL THEN baseline_cost_pico END), 0) AS paired_baseline
FROM calls WHERE at_ms >= ?
GROUP BY day, provider, model, route, class, kind, status`;

interface GroupRow {
  day: bigint;
  provider: string;
  model: string;
  route: string;
  class: string | null;
  kind: CallKind;
  status: CallStatus;
  calls: bigint;
  unsettled: bigint;
  unsettled_calls: bigint;
  input: bigint;
  output: bigint;
  cache_read: bigint;
  cache_write: bigint;
  cost: bigint;
  cost_unknown: bigint;
  baseline: bigint;
  baseline_unknown: bigint;
  paired_cost: bigint;
  paired_baseline: bigint;
}

/**
 * The ledger summed per UTC day, model, route, class and status, since `since` (all of it when
 * undefined). Money comes back as exact bigint sums; `core/stats` folds these into any grouping.
 * Undefined when there is no ledger yet (nothing is created).
 */
export function readCallGroups(dir: string, since?: Date): CallGroup[] | undefined {
  const db = openExistingDb(dir);
  if (!db) return undefined;
  try {
    return readGroups(db, since);
  } catch (err) {
    // Damage that opening did not see (a page in the middle of the file).
    throw asUserError(err, dir);
  } finally {
    db.close();
  }
}

export function readGroups(db: Db, since?: Date): CallGroup[] {
  const rows = db
    .prepare(GROUPS)
    .safeIntegers(true)
    .all(since === undefined ? Number.MIN_SAFE_INTEGER : since.getTime()) as GroupRow[];
  return rows.map((r) => ({
    day: Number(r.day),
    provider: r.provider,
    model: r.model,
    route: r.route,
    class: r.class,
    kind: r.kind,
    status: r.status,
    calls: Number(r.calls),
    unsettled: r.unsettled,
    unsettledCalls: Number(r.unsettled_calls),
    inputTokens: Number(r.input),
    outputTokens: Number(r.output),
    cacheReadTokens: Number(r.cache_read),
    cacheWriteTokens: Number(r.cache_write),
    cost: r.cost,
    costUnknown: Number(r.cost_unknown),
    baselineCost: r.baseline,
    baselineUnknown: Number(r.baseline_unknown),
    pairedCost: r.paired_cost,
    pairedBaseline: r.paired_baseline,
  }));
}
