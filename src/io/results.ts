import type { Writable } from 'node:stream';
import type { CallError, CallRecord } from '../core/execution/calls.js';
import type { ResultRecord } from '../core/execution/events.js';
import type { Usage } from '../core/money/pricing.js';
import { sourceText } from '../core/prompt.js';
import { picoToUsd } from '../core/money/money.js';
import { TurnBatch } from './turn-batch.js';
import { UserError } from '../core/errors.js';

const usd = (p: bigint | undefined) => (p === undefined ? null : picoToUsd(p));

/** The JSON line for one result. Dry runs carry estimates; live runs carry the real usage. */
export function recordToJson(r: ResultRecord): Record<string, unknown> {
  const source = sourceText(r.source.file, r.source.line);
  if (r.estimated) {
    return {
      id: r.id,
      class: r.class,
      route: r.route,
      provider: r.provider,
      model: r.model,
      reason: r.reason,
      input_tokens: r.usage.input,
      output_tokens: r.usage.output,
      cost_usd: usd(r.cost),
      baseline_cost_usd: usd(r.baselineCost),
      estimated: true,
      output_tokens_source: r.outputTokensSource,
      source,
    };
  }
  return {
    id: r.id,
    class: r.class,
    route: r.route,
    provider: r.provider,
    model: r.model,
    answered_by: r.answeredBy ?? null,
    reason: r.reason,
    output: r.output ?? null,
    usage: usageJson(r.usage),
    cost_usd: usd(r.cost),
    cost_exact: (r.unsettled ?? 0n) === 0n,
    baseline_cost_usd: usd(r.baselineCost),
    latency_ms: r.latencyMs ?? null,
    attempts: r.attempts ?? null,
    cached: r.cached ?? false,
    ...(r.escalated === undefined ? {} : { escalated: r.escalated }),
    ...(r.cascade === undefined ? {} : { cascade: r.cascade, failed_check: r.failedCheck ?? null }),
    error: errorJson(r.error),
    calls: (r.calls ?? []).map(callJson),
    source,
  };
}

function usageJson(u: Usage): Record<string, number> {
  const json: Record<string, number> = { input_tokens: u.input, output_tokens: u.output, cache_read_tokens: u.cacheRead, cache_write_tokens: u.cacheWrite };
  if (u.reasoning !== undefined) json.reasoning_tokens = u.reasoning;
  return json;
}

const errorJson = (e: CallError | undefined) => (e ? { status: e.status ?? null, type: e.kind ?? null, message: e.message } : null);

/**
 * One call of a record. `cost_usd` is what is booked for it; `cost_exact: false` when part of it
 * (`unsettled_usd`) is the reservation of an attempt that never came back whole: an upper bound.
 */
export function callJson(c: CallRecord): Record<string, unknown> {
  return {
    kind: c.kind,
    route: c.route,
    provider: c.provider,
    model: c.model,
    answered_by: c.answeredBy ?? null,
    usage: usageJson(c.usage),
    cost_usd: picoToUsd(c.cost),
    cost_exact: c.unsettled === 0n,
    unsettled_usd: picoToUsd(c.unsettled),
    latency_ms: c.latencyMs ?? null,
    attempts: c.attempts,
    finish_reason: c.finishReason ?? null,
    cached: c.cached,
    error: errorJson(c.error),
    ...(c.checks ? { checks: c.checks } : {}),
    ...(c.batchId === undefined ? {} : { batch_id: c.batchId }),
  };
}

// Route, provider, model and class names repeat on every line: escape each once.
const escaped = new Map<string, string>();
function name(s: string): string {
  let json = escaped.get(s);
  if (json === undefined) {
    json = JSON.stringify(s);
    if (escaped.size < 4096) escaped.set(s, json);
  }
  return json;
}
const num = (n: number) => (Number.isFinite(n) ? String(n) : 'null');
const usdJson = (p: bigint | undefined) => (p === undefined ? 'null' : num(picoToUsd(p)));

/**
 * Exactly `JSON.stringify(recordToJson(r))` for a dry-run record (test/io/results.test.ts holds
 * the two to the same text), without the object in between: a million-line dry run notices.
 */
export function estimatedJson(r: ResultRecord): string {
  const file = name(r.source.file);
  const source = r.source.line === undefined ? file : `${file.slice(0, -1)}:${r.source.line}"`;
  const outputSource = r.outputTokensSource === undefined ? '' : `,"output_tokens_source":${name(r.outputTokensSource)}`;
  return (
    `{"id":${JSON.stringify(r.id)},"class":${r.class === null ? 'null' : name(r.class)},"route":${name(r.route)},` +
    `"provider":${name(r.provider)},"model":${name(r.model)},"reason":${JSON.stringify(r.reason)},` +
    `"input_tokens":${num(r.usage.input)},"output_tokens":${num(r.usage.output)},` +
    `"cost_usd":${usdJson(r.cost)},"baseline_cost_usd":${usdJson(r.baselineCost)},"estimated":true${outputSource},` +
    `"source":${source}}`
  );
}

const HIGH_WATER = 64 * 1024;
// Below glibc's 128 KiB mmap threshold, so that a new buffer per batch stays cheap.
const BUFFER_SIZE = 96 * 1024;

/**
 * Writes one JSON line per result. In `turn` mode the records finished in one turn of the event
 * loop go out together in one write at the end of that turn (so a crash never tears a line and
 * tail -f sees progress); in `batch` mode lines are gathered into large writes for throughput.
 * Either way, back-pressure is honoured.
 */
export class ResultWriter {
  /** Batch mode: lines encoded straight into a buffer that goes out once past HIGH_WATER. */
  private buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  private used = 0;
  private closed = false;
  /** Turn mode: the lines of the current turn. */
  private readonly turn = new TurnBatch((text) => this.push(text));

  /** The first error of the stream (a full disk): a file's records that did not land are never reported as written. */
  private failed: NodeJS.ErrnoException | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly mode: 'turn' | 'batch',
  ) {
    stream.on('error', (err: NodeJS.ErrnoException) => (this.failed ??= err));
  }

  /** Batch mode returns a promise only when the caller must wait for the stream to drain; turn mode, one for the end of the turn. */
  write(record: ResultRecord): Promise<void> | undefined {
    return this.writeLine(record.estimated ? estimatedJson(record) : JSON.stringify(recordToJson(record)));
  }

  writeLine(json: string): Promise<void> | undefined {
    if (this.closed) return undefined;
    if (this.mode === 'turn') return this.turn.add(`${json}\n`);
    const most = json.length * 3 + 1; // UTF-8 bytes, at most
    let wait = this.used + most > this.buffer.length ? this.flush() : undefined;
    if (most > this.buffer.length) return this.push(`${json}\n`) ?? wait;
    this.used += this.buffer.write(json, this.used);
    this.buffer[this.used++] = 0x0a;
    if (this.used >= HIGH_WATER) wait = this.flush() ?? wait;
    return wait;
  }

  flush(): Promise<void> | undefined {
    if (this.mode === 'turn') return this.turn.flush();
    if (this.used === 0) return undefined;
    const chunk = this.buffer.subarray(0, this.used);
    // The stream may hold on to the chunk until it is written: later lines go to a new buffer.
    this.buffer = Buffer.allocUnsafe(BUFFER_SIZE);
    this.used = 0;
    return this.push(chunk);
  }

  private push(chunk: string | Buffer): Promise<void> | undefined {
    if (this.stream.destroyed) return undefined;
    if (this.stream.write(chunk)) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
      this.stream.on('error', done);
    });
  }

  /** Flush what is buffered and, for files, wait until it is on disk; a file that could not be written throws. */
  async close(endStream: boolean): Promise<void> {
    await this.flush();
    this.closed = true;
    if (!endStream) return;
    if (!this.stream.destroyed) {
      // Not end's callback: a file's last write can fail after it ('error' comes just before 'close').
      await new Promise<void>((resolve) => {
        this.stream.once('close', () => resolve());
        this.stream.end();
      });
    }
    if (this.failed) {
      const path = (this.stream as Writable & { path?: string | Buffer }).path;
      throw new UserError(`${path === undefined ? 'the output' : String(path)}: cannot write (${this.failed.code ?? this.failed.message})`, 'the records before the failure are in the file; free some space and run again', 1);
    }
  }
}
