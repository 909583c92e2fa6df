import type { CallRecord, FinishReason } from '../core/execution/calls.js';
import type { Message } from '../core/prompt.js';
import type { ModelOptions } from '../core/policy/options.js';
import type { ModelConfig } from '../core/policy/types.js';
import type Database from 'better-sqlite3';
import type { Db } from './db.js';

/** What a job needs to carry on without the policy file: the models it uses, priced, and its limits. */
export interface JobSettings {
  models: ModelConfig[];
  baseline: string;
  retries: number;
  /** --max-spend for the whole job, in picodollars (as a decimal string: JSON has no bigint). */
  maxSpend?: string | undefined;
  /** The cascades its lines go through, as routes.yaml wrote them (compiled again to collect). */
  cascades?: { name: string; try: string[]; accept: unknown }[] | undefined;
  /** The policy's folder: the files its checks name are read from there. */
  policyDir?: string | undefined;
  tokenizer?: string | undefined;
}

export interface JobRow {
  id: string;
  createdMs: number;
  state: 'creating' | 'open' | 'done' | 'cancelled';
  output: string | null;
  settings: JobSettings;
}

export interface LineRequest {
  system?: string | undefined;
  messages: Message[];
  maxTokens?: number | undefined;
  /** The model options the request carries (resolved for the line's model). */
  options?: ModelOptions | undefined;
  /** Structured output: the JSON Schema the answer must conform to. */
  schema?: { name: string; schema: Record<string, unknown> } | undefined;
  /** What the request becomes down its model's fallback chain, when a per-model cap is reached (not sent). */
  fallbacks?: LineStep[] | undefined;
}

/** A request's model with the answer cap and options resolved for it. */
export interface LineStep {
  route: string;
  maxTokens?: number | undefined;
  options?: ModelOptions | undefined;
}

/** A call as the job store keeps it: JSON, money as decimal strings; its text only while a judge has yet to read it. */
export type StoredCall = Omit<CallRecord, 'cost' | 'unsettled' | 'batchSaved' | 'journalHandle'> & { cost: string; unsettled: string; batchSaved?: string | undefined };

export const storeCall = ({ cost, unsettled, batchSaved, journalHandle: _h, output, ...rest }: CallRecord, keepText = false): StoredCall => ({
  ...rest,
  cost: cost.toString(),
  unsettled: unsettled.toString(),
  batchSaved: batchSaved?.toString(),
  ...(keepText ? { output } : {}),
});

export const loadCall = ({ cost, unsettled, batchSaved, ...rest }: StoredCall): CallRecord => ({
  ...rest,
  cost: BigInt(cost),
  unsettled: BigInt(unsettled),
  batchSaved: batchSaved === undefined ? undefined : BigInt(batchSaved),
});

/** A line that goes through a cascade: the step it is on, every step's request, and the calls of the steps before. */
export interface LineCascade {
  name: string;
  step: number;
  steps: LineStep[];
  prior: StoredCall[];
  /** The first check an earlier step's answer failed. */
  failedCheck?: string | undefined;
  /**
   * The step's answer waits for its judges, whose calls go through batches one at a time: the
   * answer, the judges' answers so far, the judge requests still to send, the prompt's own request
   * (the line carries a judge's meanwhile), and where the step's call is among `prior`.
   */
  judging?: {
    answer: { text: string; finishReason?: FinishReason | undefined; outputTokens?: number | undefined };
    judged: Record<string, string>;
    next: { checkId: string; model: string; messages: Message[] }[];
    request: LineRequest;
    callIndex: number;
  } | undefined;
}

export interface NewLine {
  customId: string;
  promptId: string;
  route: string;
  class: string | null;
  reason: string;
  source: { file: string; line?: number | undefined };
  request: LineRequest;
  cascade?: LineCascade | undefined;
}

/** A cascade line moved on to its next step: its new route and request, pending again. */
export interface Escalation {
  customId: string;
  route: string;
  request: LineRequest;
  cascade: LineCascade;
}

export interface LineRow extends NewLine {
  state: 'pending' | 'submitted' | 'retry' | 'done';
  batchTag: string | null;
  rounds: number;
}

export interface BatchRow {
  tag: string;
  route: string;
  round: number;
  providerId: string | null;
  state: 'submitting' | 'running' | 'ended' | 'collected' | 'lost';
  lines: number;
  submittedMs: number;
  status: string | null;
  reservedPico: bigint;
}

interface RawLine {
  custom_id: string;
  prompt_id: string;
  route: string;
  class: string | null;
  reason: string;
  source: string;
  request: string;
  state: LineRow['state'];
  batch_tag: string | null;
  rounds: number;
  cascade: string | null;
}

const toLine = (r: RawLine): LineRow => ({
  customId: r.custom_id,
  promptId: r.prompt_id,
  route: r.route,
  class: r.class,
  reason: r.reason,
  source: JSON.parse(r.source) as LineRow['source'],
  request: JSON.parse(r.request) as LineRequest,
  state: r.state,
  batchTag: r.batch_tag,
  rounds: r.rounds,
  cascade: r.cascade === null ? undefined : (JSON.parse(r.cascade) as LineCascade),
});

interface RawBatch {
  tag: string;
  route: string;
  round: bigint;
  provider_id: string | null;
  state: BatchRow['state'];
  lines: bigint;
  submitted_ms: bigint;
  status: string | null;
  reserved_pico: bigint;
}

// Read with safe integers: a reservation in picodollars passes 2^53 at $9,007.
const toBatch = (r: RawBatch): BatchRow => ({
  tag: r.tag,
  route: r.route,
  round: Number(r.round),
  providerId: r.provider_id,
  state: r.state,
  lines: Number(r.lines),
  submittedMs: Number(r.submitted_ms),
  status: r.status,
  reservedPico: r.reserved_pico,
});

/**
 * Batch jobs in the SQLite home. Every change is committed before the step it enables: lines
 * before their batch is submitted, a batch's tag before the request that creates it, a line's
 * result state right after its record is written.
 */
export class JobStore {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Db) {}

  /** Prepared once per store: a job touches each line several times. */
  private sql<P extends unknown[] = unknown[], R = unknown>(text: string): Database.Statement<P, R> {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st as unknown as Database.Statement<P, R>;
  }

  createJob(job: { id: string; createdMs: number; output: string | null; settings: JobSettings }): void {
    this.sql(`INSERT INTO batch_jobs (id, created_ms, state, output, settings) VALUES (?, ?, 'creating', ?, ?)`).run(job.id, job.createdMs, job.output, JSON.stringify(job.settings));
  }

  /** Adds lines in one transaction (a job is built from several such chunks while the input is read). */
  addLines(jobId: string, lines: readonly NewLine[]): void {
    const insert = this.sql(
      `INSERT INTO batch_lines (job_id, custom_id, prompt_id, route, class, reason, source, request, state, cascade) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    );
    this.db.transaction(() => {
      for (const l of lines) insert.run(jobId, l.customId, l.promptId, l.route, l.class, l.reason, JSON.stringify(l.source), JSON.stringify(l.request), l.cascade ? JSON.stringify(l.cascade) : null);
    }).immediate();
  }

  setJobState(jobId: string, state: JobRow['state']): void {
    this.sql('UPDATE batch_jobs SET state = ? WHERE id = ?').run(state, jobId);
  }

  /** A job whose creation was cut short submitted nothing: it is dropped and built again. */
  dropJob(jobId: string): void {
    this.db.transaction(() => {
      for (const t of ['batch_lines', 'batch_batches']) this.sql(`DELETE FROM ${t} WHERE job_id = ?`).run(jobId);
      this.sql('DELETE FROM batch_jobs WHERE id = ?').run(jobId);
    }).immediate();
  }

  job(jobId: string): JobRow | undefined {
    const r = this.sql<[string], { id: string; created_ms: number; state: JobRow['state']; output: string | null; settings: string }>('SELECT * FROM batch_jobs WHERE id = ?').get(jobId);
    return r && { id: r.id, createdMs: r.created_ms, state: r.state, output: r.output, settings: JSON.parse(r.settings) as JobSettings };
  }

  /** The newest unfinished job writing to `output` (for `run --batch -o FILE --resume`). */
  openJobFor(output: string): JobRow | undefined {
    const r = this.sql<[string], { id: string }>(`SELECT id FROM batch_jobs WHERE output = ? AND state IN ('creating', 'open') ORDER BY created_ms DESC LIMIT 1`).get(output);
    return r && this.job(r.id);
  }

  jobs(): JobRow[] {
    return this.db
      .prepare<[], { id: string }>('SELECT id FROM batch_jobs ORDER BY created_ms DESC')
      .all()
      .map((r) => this.job(r.id)!);
  }

  /** Lines waiting to be sent, for one route, in input order; at most `limit` of them. */
  linesIn(jobId: string, route: string, state: 'pending' | 'retry', limit = -1): LineRow[] {
    return this.sql<[string, string, string, number], RawLine>('SELECT * FROM batch_lines WHERE job_id = ? AND state = ? AND route = ? ORDER BY rowid LIMIT ?').all(jobId, state, route, limit).map(toLine);
  }

  routesWith(jobId: string, state: 'pending' | 'retry'): string[] {
    return this.sql<[string, string], { route: string }>('SELECT DISTINCT route FROM batch_lines WHERE job_id = ? AND state = ?').all(jobId, state).map((r) => r.route);
  }

  line(jobId: string, customId: string): LineRow | undefined {
    const r = this.sql<[string, string], RawLine>('SELECT * FROM batch_lines WHERE job_id = ? AND custom_id = ?').get(jobId, customId);
    return r && toLine(r);
  }

  linesOfBatch(jobId: string, tag: string): LineRow[] {
    return this.sql<[string, string], RawLine>(`SELECT * FROM batch_lines WHERE job_id = ? AND batch_tag = ? AND state = 'submitted'`).all(jobId, tag).map(toLine);
  }

  /**
   * Records the batch and moves its lines to it, in one transaction, before the submit request.
   * The lines are the first `lines` of `linesIn(jobId, route, from)`, in the same order.
   */
  startBatch(jobId: string, batch: Omit<BatchRow, 'providerId' | 'state' | 'status'>, from: 'pending' | 'retry'): void {
    this.db.transaction(() => {
      this.sql(`INSERT INTO batch_batches (job_id, tag, route, round, state, lines, submitted_ms, reserved_pico) VALUES (?, ?, ?, ?, 'submitting', ?, ?, ?)`)
        .run(jobId, batch.tag, batch.route, batch.round, batch.lines, batch.submittedMs, batch.reservedPico);
      this.sql(
        `UPDATE batch_lines SET state = 'submitted', batch_tag = ?, rounds = rounds + 1 WHERE rowid IN
           (SELECT rowid FROM batch_lines WHERE job_id = ? AND state = ? AND route = ? ORDER BY rowid LIMIT ?)`,
      ).run(batch.tag, jobId, from, batch.route, batch.lines);
    }).immediate();
  }

  batchSubmitted(jobId: string, tag: string, providerId: string, status: string): void {
    this.sql(`UPDATE batch_batches SET provider_id = ?, state = 'running', status = ? WHERE job_id = ? AND tag = ?`).run(providerId, status, jobId, tag);
  }

  /** The submit never reached the provider: its lines go back to waiting, their round not counted. */
  batchLost(jobId: string, tag: string): void {
    this.db.transaction(() => {
      this.sql(`UPDATE batch_lines SET state = 'pending', batch_tag = NULL, rounds = rounds - 1 WHERE job_id = ? AND batch_tag = ? AND state = 'submitted'`).run(jobId, tag);
      this.sql(`UPDATE batch_batches SET state = 'lost' WHERE job_id = ? AND tag = ?`).run(jobId, tag);
    }).immediate();
  }

  setBatchState(jobId: string, tag: string, state: BatchRow['state'], status: string | null): void {
    this.sql('UPDATE batch_batches SET state = ?, status = COALESCE(?, status) WHERE job_id = ? AND tag = ?').run(state, status, jobId, tag);
  }

  batches(jobId: string): BatchRow[] {
    return this.sql<[string], RawBatch>('SELECT * FROM batch_batches WHERE job_id = ? ORDER BY submitted_ms, tag').safeIntegers(true).all(jobId).map(toBatch);
  }

  /**
   * Settles lines after their records are written: done (with cost), waiting for another round,
   * or (a cascade step whose answer was not kept) pending again on the cascade's next model, with
   * what its earlier steps cost.
   */
  settleLines(jobId: string, done: readonly { customId: string; cost: bigint | undefined }[], retry: readonly string[], escalate: readonly Escalation[] = []): void {
    const finish = this.sql(`UPDATE batch_lines SET state = 'done', cost_pico = ? WHERE job_id = ? AND custom_id = ?`);
    const again = this.sql(`UPDATE batch_lines SET state = 'retry', batch_tag = NULL WHERE job_id = ? AND custom_id = ?`);
    const next = this.sql(
      `UPDATE batch_lines SET state = 'pending', batch_tag = NULL, rounds = 0, route = ?, request = ?, cascade = ?, prior_pico = ? WHERE job_id = ? AND custom_id = ?`,
    );
    this.db.transaction(() => {
      for (const d of done) finish.run(d.cost ?? null, jobId, d.customId);
      for (const id of retry) again.run(jobId, id);
      for (const e of escalate) {
        const prior = e.cascade.prior.reduce((sum, c) => sum + BigInt(c.cost), 0n);
        next.run(e.route, JSON.stringify(e.request), JSON.stringify(e.cascade), prior, jobId, e.customId);
      }
    }).immediate();
  }

  /** Lines moved to another model before they were sent (a per-model cap reached: its fallback). */
  reroute(jobId: string, lines: readonly { customId: string; route: string; reason: string; request: LineRequest }[]): void {
    const move = this.sql('UPDATE batch_lines SET route = ?, reason = ?, request = ? WHERE job_id = ? AND custom_id = ?');
    this.db.transaction(() => {
      for (const l of lines) move.run(l.route, l.reason, JSON.stringify(l.request), jobId, l.customId);
    }).immediate();
  }

  counts(jobId: string): Record<LineRow['state'], number> {
    const out = { pending: 0, submitted: 0, retry: 0, done: 0 };
    for (const r of this.sql<[string], { state: LineRow['state']; n: number }>('SELECT state, count(*) AS n FROM batch_lines WHERE job_id = ? GROUP BY state').all(jobId)) out[r.state] = r.n;
    return out;
  }

  /** What the job's collected results cost so far, with the steps of cascades still under way. */
  spent(jobId: string): bigint {
    const r = this.sql<[string], { s: bigint }>(`SELECT COALESCE(SUM(cost_pico), 0) + COALESCE(SUM(CASE WHEN state != 'done' THEN prior_pico END), 0) AS s FROM batch_lines WHERE job_id = ?`)
      .safeIntegers(true)
      .get(jobId);
    return r?.s ?? 0n;
  }

  /** What the earlier steps of cascades still under way cost: paid, not yet in any record. */
  escalatedSpent(jobId: string): bigint {
    const r = this.sql<[string], { s: bigint }>(`SELECT COALESCE(SUM(prior_pico), 0) AS s FROM batch_lines WHERE job_id = ? AND state != 'done'`).safeIntegers(true).get(jobId);
    return r?.s ?? 0n;
  }
}
