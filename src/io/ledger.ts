import type { ResultRecord } from '../core/execution/events.js';
import type { CallGroup, CallStatus } from '../core/money/stats.js';
import { openDb, openExistingDb, type Db } from './db.js';

export { promptHash, canonicalPrompt } from './hash.js';

export interface LedgerMeta {
  runId: string;
  at: Date;
  /** sha256 of the canonical request text (see promptHash). */
  promptHash: string;
  /** Only with --log-prompts: the canonical request text (see canonicalPrompt). */
  promptText?: string | undefined;
}

export interface LedgerOptions {
  /** Records held before one transaction writes them all. */
  batchSize?: number | undefined;
  /** Longest a record waits in memory before it is written, in ms. */
  maxDelayMs?: number | undefined;
}

export interface Ledger {
  readonly dir: string;
  /** Queues one finished call; written with the next batch. Dry-run records are refused. */
  record(record: ResultRecord, meta: LedgerMeta): void;
  /** Writes every queued record in one transaction. */
  flush(): void;
  /** Flushes and closes the database. Safe to call twice. */
  close(): void;
}

const INSERT = `INSERT INTO calls (
  at, at_ms, run_id, prompt_id, class, route, provider, model, answered_by,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
  cost_pico, baseline_cost_pico, latency_ms, attempts, status,
  error_status, error_kind, error_message, prompt_hash, prompt_text
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

type Row = (string | number | bigint | null)[];

const tokens = (n: number) => (Number.isFinite(n) ? Math.trunc(n) : 0);
const optInt = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? null : Math.round(n));

// Provider error texts sometimes echo a (masked) key back; keep anything key-shaped out of the file.
const KEYISH = /\b(sk-(?:ant-|proj-)?[A-Za-z0-9_*-]{6,}|Bearer\s+\S+)/g;
export const redact = (text: string) => text.replace(KEYISH, '[redacted]');

export function statusOf(r: ResultRecord): CallStatus {
  return r.error ? 'error' : r.cached ? 'cached' : 'ok';
}

function toRow(r: ResultRecord, meta: LedgerMeta): Row {
  return [
    meta.at.toISOString(),
    meta.at.getTime(),
    meta.runId,
    r.id,
    r.class,
    r.route,
    r.provider,
    r.model,
    r.answeredBy ?? null,
    tokens(r.usage.input),
    tokens(r.usage.output),
    tokens(r.usage.cacheRead),
    tokens(r.usage.cacheWrite),
    r.cost ?? null,
    r.baselineCost ?? null,
    optInt(r.latencyMs),
    optInt(r.attempts),
    statusOf(r),
    r.error?.status ?? null,
    r.error?.kind ?? null,
    r.error ? redact(r.error.message) : null,
    meta.promptHash,
    meta.promptText ?? null,
  ];
}

class SqliteLedger implements Ledger {
  private pending: Row[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** A timed flush that failed: thrown from the next call, since nobody was there to catch it. */
  private failure: unknown;
  private readonly writeBatch: (rows: Row[]) => void;
  private readonly batchSize: number;
  private readonly maxDelayMs: number;

  constructor(
    readonly dir: string,
    private db: Db | undefined,
    options: LedgerOptions,
  ) {
    this.batchSize = options.batchSize ?? 256;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    const insert = db!.prepare(INSERT);
    const many = db!.transaction((rows: Row[]) => {
      for (const row of rows) insert.run(row);
    });
    // IMMEDIATE takes the write lock up front, so a busy database waits in the busy handler
    // instead of failing part-way through a read-then-write upgrade.
    this.writeBatch = (rows) => many.immediate(rows);
  }

  record(record: ResultRecord, meta: LedgerMeta): void {
    this.rethrow();
    if (!this.db) throw new Error('ledger is closed');
    if (record.estimated) throw new Error('dry-run records are not calls and do not go in the ledger');
    this.pending.push(toRow(record, meta));
    if (this.pending.length >= this.batchSize) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.timedFlush(), this.maxDelayMs);
      this.timer.unref();
    }
  }

  flush(): void {
    this.rethrow();
    this.write();
  }

  close(): void {
    if (!this.db) return;
    try {
      this.flush();
    } finally {
      this.db.close();
      this.db = undefined;
    }
  }

  private write(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || !this.db) return;
    const rows = this.pending;
    this.pending = [];
    try {
      this.writeBatch(rows);
    } catch (err) {
      // The transaction rolled back: keep the rows for the next try.
      this.pending = rows.concat(this.pending);
      throw err;
    }
  }

  private timedFlush(): void {
    try {
      this.write();
    } catch (err) {
      this.failure = err;
    }
  }

  private rethrow(): void {
    if (this.failure === undefined) return;
    const err = this.failure;
    this.failure = undefined;
    throw err;
  }
}

/** Opens the ledger in `dir` (the data folder), creating folder and database as needed. */
export function openLedger(dir: string, options: LedgerOptions = {}): Ledger {
  return new SqliteLedger(dir, openDb(dir), options);
}

const GROUPS = `SELECT
  at_ms / 86400000 AS day, provider, model, route, class, status,
  COUNT(*) AS calls,
  SUM(input_tokens) AS input, SUM(output_tokens) AS output,
  SUM(cache_read_tokens) AS cache_read, SUM(cache_write_tokens) AS cache_write,
  COALESCE(SUM(cost_pico), 0) AS cost, SUM(cost_pico IS NULL) AS cost_unknown,
  COALESCE(SUM(baseline_cost_pico), 0) AS baseline, SUM(baseline_cost_pico IS NULL) AS baseline_unknown,
  COALESCE(SUM(CASE WHEN baseline_cost_pico IS NOT NULL THEN cost_pico END), 0) AS paired_cost,
  COALESCE(SUM(CASE WHEN cost_pico IS NOT NULL THEN baseline_cost_pico END), 0) AS paired_baseline
FROM calls WHERE at_ms >= ?
GROUP BY day, provider, model, route, class, status`;

interface GroupRow {
  day: bigint;
  provider: string;
  model: string;
  route: string;
  class: string | null;
  status: CallStatus;
  calls: bigint;
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
    status: r.status,
    calls: Number(r.calls),
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
