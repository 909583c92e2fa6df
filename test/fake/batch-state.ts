import type { ApiKind, Usage } from './types.js';

/** What one line of a batch came to, in provider-neutral terms; each API renders it its own way. */
export type LineOutcome =
  | { kind: 'ok'; status: 200; body: unknown; requestId: string; model: string; usage: Required<Usage> }
  | { kind: 'error'; status: number; body: unknown; requestId: string; message: string; errorType: string }
  | { kind: 'expired' }
  | { kind: 'cancelled' };

/** Answers one line with the same behaviours, faults and wire bodies as the live endpoints. */
export type LineAnswerer = (api: ApiKind, body: unknown) => LineOutcome;

export interface BatchLine {
  customId: string;
  api: ApiKind;
  body: unknown;
  model: string | undefined;
}

export type BatchPhase = 'validating' | 'in_progress' | 'cancelling' | 'ended';
export type BatchEnd = 'completed' | 'expired' | 'cancelled' | 'failed';

export interface FakeBatch {
  id: string;
  provider: 'openai' | 'anthropic';
  lines: BatchLine[];
  outcomes: LineOutcome[];
  phase: BatchPhase;
  end: BatchEnd | undefined;
  polls: number;
  /** Unix ms. */
  createdAt: number;
  endedAt: number | undefined;
  cancelAt: number | undefined;
  metadata: Record<string, string> | null;
  endpoint: string;
  inputFileId: string | undefined;
  outputFileId: string | undefined;
  errorFileId: string | undefined;
  /** OpenAI validation errors (the batch then fails without running a line). */
  errors: { code: string; message: string; line?: number }[];
}

/** How batches move: finished after N status checks, held until released, or expired part-way. */
export interface BatchProgress {
  /** Status checks (GET) until a batch has run every line; lines run in equal parts per check. Default 1. */
  pollsToEnd?: number;
  /** Batches run no further until `release()` (status checks still answer). */
  hold?: boolean;
  /** The batch expires once this many of its lines have run; the rest come back expired. */
  expireAfterLines?: number;
  /** The next download of a results file sends this many bytes, then drops the connection (once). */
  cutDownloadAfter?: number;
  /** Lines whose request includes this text succeed (and are billed) but their body reports no usage. */
  omitUsageFor?: string;
}

/** A batch price in USD per million tokens, for the billing counters. */
export interface BatchPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface BatchStats {
  batches: number;
  /** Lines received in created batches, and every custom_id ever submitted (with repeats). */
  submittedLines: number;
  submittedIds: string[];
  /** Lines that ran and were billed (succeeded), per model, and their usage. */
  billedLines: number;
  billedByModel: Record<string, { lines: number; usage: Required<Usage> }>;
  /** Sum over billed lines at the prices given with setBatchPrice, in picodollars; undefined if a model has none. */
  billedPico: bigint | undefined;
  /** Status checks, list calls and downloads: never billed. */
  statusChecks: number;
  downloads: number;
}

const micro = (usd: number) => BigInt(Math.round(usd * 1e6));

function costPico(u: Required<Usage>, p: BatchPrice): bigint {
  const cr = p.cacheRead ?? p.input;
  const cw = p.cacheWrite ?? p.input;
  const uncached = u.input - u.cacheRead - u.cacheWrite;
  return micro(p.input) * BigInt(uncached) + micro(cr) * BigInt(u.cacheRead) + micro(cw) * BigInt(u.cacheWrite) + micro(p.output) * BigInt(u.output);
}

/** Every batch of both APIs, and the counters tests assert against. */
export class BatchBook {
  readonly batches = new Map<string, FakeBatch>();
  readonly files = new Map<string, { id: string; filename: string; purpose: string; content: string; createdAt: number }>();
  progress: BatchProgress = {};
  private readonly prices = new Map<string, BatchPrice>();
  private seq = 0;
  statusChecks = 0;
  downloads = 0;

  constructor(
    readonly answer: LineAnswerer,
    readonly now: () => number,
  ) {}

  nextId(prefix: string): string {
    return `${prefix}${String(++this.seq).padStart(6, '0')}`;
  }

  setPrice(model: string, price: BatchPrice): void {
    this.prices.set(model, price);
  }

  create(provider: 'openai' | 'anthropic', lines: BatchLine[], extra: Partial<FakeBatch>): FakeBatch {
    const batch: FakeBatch = {
      id: this.nextId(provider === 'openai' ? 'batch_fake' : 'msgbatch_fake'),
      provider,
      lines,
      outcomes: [],
      phase: provider === 'openai' ? 'validating' : 'in_progress',
      end: undefined,
      polls: 0,
      createdAt: this.now(),
      endedAt: undefined,
      cancelAt: undefined,
      metadata: null,
      endpoint: '',
      inputFileId: undefined,
      outputFileId: undefined,
      errorFileId: undefined,
      errors: [],
      ...extra,
    };
    this.batches.set(batch.id, batch);
    return batch;
  }

  /** A status check: the batch moves on by one step (unless held). */
  poll(batch: FakeBatch): void {
    this.statusChecks++;
    if (batch.phase === 'ended') return;
    if (batch.phase === 'validating') {
      if (batch.errors.length > 0) return this.finish(batch, 'failed');
      batch.phase = 'in_progress';
    }
    if (batch.phase === 'cancelling') return this.finish(batch, 'cancelled');
    if (this.progress.hold) return;
    batch.polls++;
    const steps = Math.max(1, this.progress.pollsToEnd ?? 1);
    const target = Math.min(batch.lines.length, Math.ceil((batch.lines.length * batch.polls) / steps));
    this.runTo(batch, target);
  }

  /** Runs every line of every unfinished batch now (or the given one). */
  release(id?: string): void {
    this.progress.hold = false;
    for (const b of this.batches.values()) {
      if ((id === undefined || b.id === id) && b.phase !== 'ended') {
        if (b.phase === 'validating' && b.errors.length > 0) this.finish(b, 'failed');
        else this.runTo(b, b.lines.length);
      }
    }
  }

  /** The batch's 24 hours are up: what ran is kept, the rest expires. */
  expire(id?: string): void {
    for (const b of this.batches.values()) if ((id === undefined || b.id === id) && b.phase !== 'ended') this.finish(b, 'expired');
  }

  cancel(batch: FakeBatch): void {
    if (batch.phase === 'ended') return;
    batch.phase = 'cancelling';
    batch.cancelAt = this.now();
  }

  private runTo(batch: FakeBatch, target: number): void {
    const expireAt = this.progress.expireAfterLines;
    const stop = expireAt === undefined ? target : Math.min(target, expireAt);
    while (batch.outcomes.length < stop) {
      const line = batch.lines[batch.outcomes.length]!;
      const o = this.answer(line.api, line.body);
      const omit = this.progress.omitUsageFor;
      if (o.kind === 'ok' && omit !== undefined && JSON.stringify(line.body).includes(omit)) o.body = { ...(o.body as object), usage: undefined };
      batch.outcomes.push(o);
    }
    if (expireAt !== undefined && batch.outcomes.length >= expireAt && batch.outcomes.length < batch.lines.length) return this.finish(batch, 'expired');
    if (batch.outcomes.length === batch.lines.length) this.finish(batch, 'completed');
  }

  private finish(batch: FakeBatch, end: BatchEnd): void {
    const rest: LineOutcome = end === 'cancelled' ? { kind: 'cancelled' } : { kind: 'expired' };
    if (end !== 'failed') while (batch.outcomes.length < batch.lines.length) batch.outcomes.push(rest);
    batch.phase = 'ended';
    batch.end = end;
    batch.endedAt = this.now();
  }

  counts(batch: FakeBatch): { ok: number; errored: number; expired: number; cancelled: number; pending: number } {
    const c = { ok: 0, errored: 0, expired: 0, cancelled: 0, pending: batch.lines.length - batch.outcomes.length };
    for (const o of batch.outcomes) {
      if (o.kind === 'ok') c.ok++;
      else if (o.kind === 'error') c.errored++;
      else if (o.kind === 'expired') c.expired++;
      else c.cancelled++;
    }
    return c;
  }

  stats(): BatchStats {
    const s: BatchStats = { batches: this.batches.size, submittedLines: 0, submittedIds: [], billedLines: 0, billedByModel: {}, billedPico: 0n, statusChecks: this.statusChecks, downloads: this.downloads };
    for (const b of this.batches.values()) {
      if (b.end === 'failed') continue;
      s.submittedLines += b.lines.length;
      for (const l of b.lines) s.submittedIds.push(l.customId);
      for (const o of b.outcomes) {
        if (o.kind !== 'ok') continue;
        s.billedLines++;
        const m = (s.billedByModel[o.model] ??= { lines: 0, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 } });
        m.lines++;
        for (const k of Object.keys(m.usage) as (keyof Usage)[]) m.usage[k] += o.usage[k];
        const price = this.prices.get(o.model);
        s.billedPico = price === undefined || s.billedPico === undefined ? undefined : s.billedPico + costPico(o.usage, price);
      }
    }
    return s;
  }

  clear(): void {
    this.batches.clear();
    this.files.clear();
    this.progress = {};
    this.statusChecks = 0;
    this.downloads = 0;
  }
}

/** What tests reach through `server.batches`. */
export interface BatchControls {
  setProgress(progress: BatchProgress): void;
  /** Runs every line of every unfinished batch (or of one). */
  release(id?: string): void;
  expire(id?: string): void;
  /** Prices for the billing counters (USD per million tokens, at the batch rate). */
  setPrice(model: string, price: BatchPrice): void;
  list(): FakeBatch[];
  stats(): BatchStats;
}

export function batchControls(book: BatchBook): BatchControls {
  return {
    setProgress: (p) => (book.progress = { ...p }),
    release: (id) => book.release(id),
    expire: (id) => book.expire(id),
    setPrice: (model, price) => book.setPrice(model, price),
    list: () => [...book.batches.values()],
    stats: () => book.stats(),
  };
}
