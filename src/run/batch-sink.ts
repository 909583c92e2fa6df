import type { CallJournal, CallSpec } from '../core/execution/call-runner.js';
import type { CallRecord } from '../core/execution/calls.js';
import { closeSync, createReadStream, fsyncSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { UserError } from '../core/errors.js';
import type { ResultRecord } from '../core/execution/events.js';
import type { Pico } from '../core/money/money.js';
import type { ModelConfig, Policy } from '../core/policy/types.js';
import type { LineRequest, LineRow } from '../io/batch-jobs.js';
import type { ResponseCache } from '../io/cache.js';
import type { CacheKeyInput } from '../io/hash.js';
import type { Ledger } from '../io/ledger.js';
import type { RunStore } from '../view/run-store.js';
import { batchRecordJson, type BatchOutcome } from './batch-records.js';
import type { RecordSink } from './batch-job.js';

const FLUSH_AT = 256 * 1024;

/**
 * The -o file of a batch job, plus everything a finished record feeds: the ledger (one call per
 * result line, once), the response cache, the run's totals. Lines are written with synchronous
 * appends; `flush` returns once they are in the file, and the job store marks lines done only
 * after that, so a kill never loses a record (at worst a record is in the file but its line is
 * not marked: `written` ids on resume take care of that).
 */
export class BatchSink implements RecordSink {
  private fd: number | undefined;
  private pending: string[] = [];
  private bytes = 0;

  constructor(
    path: string,
    append: boolean,
    private readonly deps: {
      policy: Policy;
      store: RunStore;
      runId: string;
      now: () => Date;
      clock: () => number;
      ledger?: Ledger | undefined;
      cache?: ResponseCache | undefined;
      logPrompts?: boolean | undefined;
      onError?: ((r: ResultRecord) => void) | undefined;
      /** The response cache's key of a request to a model. */
      keyOf?: ((model: ModelConfig, request: Omit<CacheKeyInput, 'provider' | 'model' | 'baseUrl' | 'api'>) => string) | undefined;
      /** Read again after a kill: a call may be in the ledger already. */
      resumed?: boolean | undefined;
    },
  ) {
    try {
      this.fd = openSync(path, append ? 'a' : 'w', 0o644);
    } catch (err) {
      throw new UserError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'check that the folder exists and is writable');
    }
  }

  private journal: CallJournal | undefined;

  write(outcome: BatchOutcome, request: LineRequest, batchId: string | null): void {
    const r = outcome.record;
    const line = `${batchRecordJson(r, batchId)}\n`;
    this.pending.push(line);
    this.bytes += line.length;
    const { store, cache } = this.deps;
    const at = this.deps.clock();
    store.apply({ type: 'prompt-start', at, id: r.id, route: r.route, class: r.class });
    store.apply({ type: 'prompt-end', at, record: r });
    if (r.error) this.deps.onError?.(r);
    if (!outcome.journaled) {
      const calls = r.calls ?? [cachedCall(r)];
      // A cascade's earlier steps went to the ledger as they ended; a job read again after a kill
      // may meet a call it wrote down before its line was marked. Neither is written twice.
      const already = this.deps.resumed || calls.length > 1 ? this.journaled(r.id) : 0;
      calls.forEach((c, step) => {
        if (step >= already) this.journalCall(r, request, c, step === calls.length - 1 && !r.error ? r.baselineCost : undefined);
      });
    }
    // Live records went into the cache with their own request; cached ones came from it.
    if (cache && batchId !== null && !r.error) {
      const m = this.deps.policy.models.get(r.route);
      if (m && this.deps.keyOf) cache.putResult(this.deps.keyOf(m, { ...request, maxTokens: request.maxTokens, schema: request.schema?.schema }), r);
    }
    if (this.bytes >= FLUSH_AT) this.flush();
  }

  step(line: LineRow, call: CallRecord): void {
    // The line's earlier calls are its prior ones: this is call number prior.length of the prompt.
    if (this.journaled(line.promptId) > line.cascade!.prior.length) return;
    this.journalCall({ id: line.promptId, class: line.class, source: line.source }, line.request, call, undefined);
  }

  private get ledgerJournal(): CallJournal | undefined {
    const { ledger } = this.deps;
    return ledger && (this.journal ??= ledger.journal({ runId: this.deps.runId, jobId: this.deps.runId, now: this.deps.now, logPrompts: this.deps.logPrompts }));
  }

  /** How many of a prompt's calls this job has in the ledger. */
  private journaled(promptId: string): number {
    return this.ledgerJournal?.callCount?.(promptId) ?? 0;
  }

  /** Calls for the ledger, written with the lines they belong to, in one transaction. */
  private calls: { spec: CallSpec; call: CallRecord; baselineCost: Pico | undefined }[] = [];

  private journalCall(r: Pick<ResultRecord, 'id' | 'class' | 'source'>, request: LineRequest, call: CallRecord, baselineCost: Pico | undefined): void {
    const m = this.deps.policy.models.get(call.route);
    if (!this.deps.ledger || !m) return;
    const prompt = { id: r.id, messages: request.messages, system: request.system, fields: {}, source: r.source };
    this.calls.push({ spec: { kind: call.kind, prompt, class: r.class, model: m, worstCase: call.cost }, call, baselineCost });
  }

  /** Writes the queued calls to the ledger and the queued records to the file; returns once both are in. */
  flush(): void {
    if (this.calls.length > 0) {
      this.ledgerJournal!.recordAll!(this.calls);
      this.calls = [];
    }
    if (this.fd === undefined || this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.bytes = 0;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    try {
      fsyncSync(this.fd);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'ENOTSUP') throw err;
    }
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Every id that has a record in a results file, failed ones too (a missing file has none). */
export async function recordedIds(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  try {
    const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      try {
        const id = (JSON.parse(line) as { id?: unknown }).id;
        if (typeof id === 'string') ids.add(id);
      } catch {
        // a torn or foreign line: not a record
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return ids;
}

/** A record answered from the response cache: its one call, cached, at no cost. */
function cachedCall(r: ResultRecord): CallRecord {
  return { kind: 'answer', route: r.route, provider: r.provider, model: r.model, answeredBy: r.answeredBy, usage: r.usage, cost: r.cost ?? 0n, unsettled: 0n, attempts: 0, cached: true, error: r.error };
}
