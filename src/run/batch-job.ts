import type { CallRecord } from '../core/execution/calls.js';
import type { Cascade } from '../core/routing/cascade.js';
import { SubmitFailed, transient } from './batch-lines.js';
import type { Budget, Reservation } from '../core/money/budget.js';
import type { ModelConfig } from '../core/policy/types.js';
import type { BatchRow, JobRow, JobStore, LineRequest, LineRow } from '../io/batch-jobs.js';
import type { BatchOps, BatchStatus } from '../providers/batch/types.js';
import { ProviderError } from '../providers/types.js';
import { UserError } from '../core/errors.js';
import { failedCall, type BatchOutcome } from './batch-records.js';
import { CANCELLED, LineSettler, settledNone } from './batch-settle.js';
import { Submitter, tagOf } from './batch-submit.js';

/** Where a job's records go: written (and on disk) before the job store marks their lines done. */
export interface RecordSink {
  /** `request` is what was asked (for the ledger's hash and the cache). */
  write(outcome: BatchOutcome, request: LineRequest, batchId: string | null): void;
  /** A cascade step whose answer was not kept: its call goes to the ledger now (the record comes with the last step). */
  step(line: LineRow, call: CallRecord): void;
  /** Writes what is queued; returns once it is in the file. */
  flush(): void;
}

export interface JobProgress {
  batches: { route: string; id: string | null; status: string; lines: number; succeeded: number; failed: number }[];
  done: number;
  total: number;
}

export interface DriveDeps {
  store: JobStore;
  /** The model's batch API (its adapter's `batch` capability). */
  ops: (model: ModelConfig) => Promise<BatchOps>;
  sink: RecordSink;
  budget: Budget;
  /** Wall-clock ms (batches are matched by creation time after a kill). */
  now: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborted by Ctrl-C: stop waiting, the batches go on. */
  detach: AbortSignal;
  progress?: ((p: JobProgress) => void) | undefined;
  /** First wait between status checks, and the longest. */
  pollMs: { first: number; max: number };
  /** Prompt ids that already have a record in the output (a kill came between writing and marking). */
  written?: { has(id: string): boolean } | undefined;
  /** The job's cascades (compiled from its settings), and the token counter their checks use. */
  cascades?: ReadonlyMap<string, Cascade> | undefined;
  countTokens?: ((text: string) => number) | undefined;
}

export type DriveOutcome = 'done' | 'submitted' | 'detached' | 'budget' | 'cancelled';

const COMMIT_EVERY = 512;
const SUBMIT_ATTEMPTS = 4;
/** Failed status checks or downloads of one batch, in a row, before the run gives up on it. */
const MAX_FAILURES = 8;

/** Runs a job until every line has its record, or until it may not go on (no-wait, Ctrl-C, budget). */
export class JobDriver {
  private readonly models: Map<string, ModelConfig>;
  private readonly baseline: ModelConfig;
  private readonly reservations = new Map<string, Reservation & { ok: true }>();
  private readonly settler: LineSettler;
  private readonly submitter: Submitter;

  constructor(
    private job: JobRow,
    private readonly deps: DriveDeps,
  ) {
    this.models = new Map(job.settings.models.map((m) => [m.alias, m]));
    this.baseline = this.models.get(job.settings.baseline)!;
    this.settler = new LineSettler(() => this.job, this.models, this.baseline, deps);
    this.submitter = new Submitter(() => this.job, this.models, deps, this.reservations, this.settler);
  }

  private get store() {
    return this.deps.store;
  }

  /**
   * `wait`: until every line has its record; false: submit and return (`run --no-wait`); `once`:
   * collect what has ended, submit what that leaves waiting (escalations, retries), and return
   * (`batch collect --no-wait`).
   */
  async drive(wait: boolean | 'once'): Promise<DriveOutcome> {
    await this.recover();
    let interval = this.deps.pollMs.first;
    let submitFailures = 0;
    let rounds = 0;
    for (;;) {
      if (this.job.state === 'open') {
        try {
          await this.submitter.submitWaiting();
        } catch (err) {
          if (!(err instanceof SubmitFailed)) throw err;
          if (++submitFailures > SUBMIT_ATTEMPTS) {
            throw new UserError(`could not submit a batch: ${err.cause.message}`, 'nothing was submitted twice; run the same command again with --resume (or frugal batch collect JOB) to carry on');
          }
          await this.deps.sleep(this.deps.pollMs.first * 2 ** submitFailures, this.deps.detach);
          if (this.deps.detach.aborted) return 'detached';
          await this.recover();
          continue;
        }
      }
      const active = this.store.batches(this.job.id).filter((b) => b.state === 'running' || b.state === 'ended');
      if (active.length === 0) return this.finish();
      if (wait === false || (wait === 'once' && rounds > 0)) return 'submitted';
      rounds++;
      const statuses: JobProgress['batches'] = [];
      let collected = false;
      for (const b of active) {
        const ops = await this.deps.ops(this.models.get(b.route)!);
        let s: BatchStatus | undefined;
        try {
          s = b.state === 'ended' ? undefined : await ops.status(b.providerId!);
        } catch (err) {
          // A status check that failed costs nothing and changes nothing: ask again next round.
          this.failedOnce(b, err, 'check the status of');
          continue;
        }
        if (s) this.failures.delete(b.tag);
        if (s) statuses.push({ route: b.route, id: s.id, status: s.status, lines: b.lines, succeeded: s.succeeded, failed: s.failed });
        if (b.state === 'ended' || s?.state === 'ended') {
          this.store.setBatchState(this.job.id, b.tag, 'ended', s?.status ?? null);
          try {
            await this.collect(b, ops, s);
          } catch (err) {
            // A download cut short: what was written is marked; the rest is read again next round.
            this.failedOnce(b, err, 'download the results of');
            continue;
          }
          collected = true;
        } else this.store.setBatchState(this.job.id, b.tag, 'running', s!.status);
        if (this.deps.detach.aborted) return 'detached';
      }
      this.report(statuses);
      if (collected || wait === 'once') {
        interval = this.deps.pollMs.first;
        continue;
      }
      await this.deps.sleep(interval, this.deps.detach);
      if (this.deps.detach.aborted) return 'detached';
      interval = Math.min(this.deps.pollMs.max, Math.ceil(interval * 1.5));
    }
  }

  private readonly failures = new Map<string, number>();

  /**
   * A status check or a download that failed on the way is tried again next round, a few times;
   * anything else (a key refused, a batch the provider no longer knows) stops the run with the
   * provider's word. The job is kept either way: nothing is lost, and nothing is sent twice.
   */
  private failedOnce(b: BatchRow, err: unknown, what: string): void {
    if (!(err instanceof ProviderError)) throw err;
    const n = (this.failures.get(b.tag) ?? 0) + 1;
    this.failures.set(b.tag, n);
    if ((transient(err) || err.kind === 'malformed') && n <= MAX_FAILURES) return;
    throw new UserError(
      `could not ${what} batch ${b.providerId}: ${err.message}`,
      `the job is kept, and what was collected is in the output; carry on with: frugal batch collect ${this.job.id}`,
      1,
    );
  }

  /** Cancels every running batch; what already ran is kept and collected. */
  async cancel(): Promise<BatchStatus[]> {
    this.store.setJobState(this.job.id, 'cancelled');
    this.job = { ...this.job, state: 'cancelled' };
    const out: BatchStatus[] = [];
    for (const b of this.store.batches(this.job.id)) {
      if (b.state !== 'running' || !b.providerId) continue;
      const s = await (await this.deps.ops(this.models.get(b.route)!)).cancel(b.providerId);
      this.store.setBatchState(this.job.id, b.tag, 'running', s.status);
      out.push(s);
    }
    return out;
  }

  private report(batches: JobProgress['batches']): void {
    if (!this.deps.progress) return;
    const c = this.store.counts(this.job.id);
    this.deps.progress({ batches, done: c.done, total: c.done + c.pending + c.retry + c.submitted });
  }

  /** Batches whose submit was cut short: adopted if the provider has them, else their lines wait again. */
  private async recover(): Promise<void> {
    const all = this.store.batches(this.job.id);
    const known = new Set(all.map((b) => b.providerId).filter((id): id is string => id !== null));
    for (const b of all) {
      if (b.state === 'submitting') {
        const model = this.models.get(b.route)!;
        const found = await (await this.deps.ops(model)).find(this.tagOf(b.tag), { since: b.submittedMs, lines: b.lines, exclude: known });
        if (found) {
          this.store.batchSubmitted(this.job.id, b.tag, found.id, found.status);
          known.add(found.id);
          this.reserveAgain(b);
        } else this.store.batchLost(this.job.id, b.tag);
      } else if (b.state === 'running' || b.state === 'ended') this.reserveAgain(b);
    }
  }

  private reserveAgain(b: BatchRow): void {
    if (this.reservations.has(b.tag)) return;
    const r = this.deps.budget.reserve(b.route, b.reservedPico);
    // A cap lowered since: the batch is out there all the same; book its cost when it comes.
    this.reservations.set(b.tag, r.ok ? r : { ok: true, amount: 0n, route: b.route });
  }

  private tagOf(tag: string): string {
    return tagOf(this.job.id, tag);
  }

  private finish(): DriveOutcome {
    if (this.job.state === 'cancelled') {
      // Lines never submitted, or waiting for another round, get a record saying so.
      const left = [...this.store.routesWith(this.job.id, 'pending'), ...this.store.routesWith(this.job.id, 'retry')];
      if (left.length > 0) {
        const settled = settledNone();
        for (const route of new Set(left)) {
          for (const state of ['pending', 'retry'] as const) {
            for (const line of this.store.linesIn(this.job.id, route, state)) this.settler.end(line, failedCall(line, this.models.get(route)!, CANCELLED, null), null, settled);
          }
        }
        this.settler.commit(settled);
      }
      return 'cancelled';
    }
    const left = this.store.counts(this.job.id);
    if (left.pending + left.retry > 0) return 'budget';
    this.store.setJobState(this.job.id, 'done');
    return 'done';
  }

  /** Streams an ended batch's results into records; retryable failures wait for the next round. */
  private async collect(b: BatchRow, ops: BatchOps, status: BatchStatus | undefined): Promise<void> {
    const model = this.models.get(b.route)!;
    const batchId = b.providerId!;
    const retries = this.job.settings.retries;
    let spent = 0n;
    const settled = settledNone();
    try {
      for await (const r of ops.results(batchId)) {
        const line = this.store.line(this.job.id, r.customId);
        if (!line || line.state !== 'submitted' || line.batchTag !== b.tag) continue;
        if (r.ok) {
          const call = await this.settler.answered(line, model, r.result, batchId);
          spent += call.cost;
          this.settler.end(line, call, batchId, settled);
        } else if ((r.failure === 'retryable' || r.failure === 'expired') && line.rounds <= retries && this.job.state === 'open') {
          settled.retry.push(line.customId);
        } else {
          this.settler.end(line, failedCall(line, model, { status: r.status, message: r.message, kind: r.failure === 'invalid' ? 'http' : r.failure }, batchId), batchId, settled);
        }
        if (settled.done.length + settled.retry.length + settled.escalate.length >= COMMIT_EVERY) this.settler.commit(settled);
      }
    } finally {
      // What was written is marked even when the download was cut short: read again, it is not written twice.
      this.settler.commit(settled);
    }
    // Lines the results never mention: the batch failed as a whole (OpenAI validation).
    const missing = this.store.linesOfBatch(this.job.id, b.tag);
    if (missing.length > 0) {
      const why = status?.errors?.length ? status.errors.join('; ') : `the batch ended ${status?.end ?? b.status ?? ''} without a result for this request`;
      this.settler.failAll(missing, model, { message: `${batchId}: ${why}`, kind: status?.end === 'expired' || status?.end === 'cancelled' ? status.end : 'batch-failed' });
    }
    const reservation = this.reservations.get(b.tag);
    if (reservation) this.deps.budget.settle(reservation, spent);
    this.reservations.delete(b.tag);
    this.store.setBatchState(this.job.id, b.tag, 'collected', null);
  }
}

export { newJobId } from './batch-lines.js';
