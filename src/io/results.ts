import type { Writable } from 'node:stream';
import type { ResultRecord } from '../core/events.js';
import { picoToUsd } from '../core/money.js';

const usd = (p: bigint | undefined) => (p === undefined ? null : picoToUsd(p));

/** The JSON line for one result. Dry runs carry estimates; live runs carry the real usage. */
export function recordToJson(r: ResultRecord): Record<string, unknown> {
  const source = r.source.line === undefined ? r.source.file : `${r.source.file}:${r.source.line}`;
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
    usage: {
      input_tokens: r.usage.input,
      output_tokens: r.usage.output,
      cache_read_tokens: r.usage.cacheRead,
      cache_write_tokens: r.usage.cacheWrite,
    },
    cost_usd: usd(r.cost),
    baseline_cost_usd: usd(r.baselineCost),
    latency_ms: r.latencyMs ?? null,
    attempts: r.attempts ?? null,
    cached: r.cached ?? false,
    error: r.error ? { status: r.error.status ?? null, type: r.error.kind ?? null, message: r.error.message } : null,
    source,
  };
}

const HIGH_WATER = 64 * 1024;

/**
 * Writes one JSON line per result. In `line` mode every record goes out as one write as soon as
 * it is finished (so a crash never tears a line and tail -f sees progress); in `batch` mode
 * lines are gathered into large writes for throughput. Either way, back-pressure is honoured.
 */
export class ResultWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private closed = false;

  constructor(
    private readonly stream: Writable,
    private readonly mode: 'line' | 'batch',
  ) {}

  /** Returns a promise only when the caller must wait for the stream to drain. */
  write(record: ResultRecord): Promise<void> | undefined {
    return this.writeLine(JSON.stringify(recordToJson(record)));
  }

  writeLine(json: string): Promise<void> | undefined {
    if (this.closed) return undefined;
    const line = `${json}\n`;
    if (this.mode === 'line') return this.push(line);
    this.pending.push(line);
    this.pendingBytes += line.length;
    return this.pendingBytes >= HIGH_WATER ? this.flush() : undefined;
  }

  flush(): Promise<void> | undefined {
    if (this.pending.length === 0) return undefined;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    return this.push(chunk);
  }

  private push(chunk: string): Promise<void> | undefined {
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

  /** Flush what is buffered and, for files, wait until it is on disk. */
  async close(endStream: boolean): Promise<void> {
    await this.flush();
    this.closed = true;
    if (!endStream || this.stream.destroyed) return;
    await new Promise<void>((resolve) => {
      this.stream.once('error', () => resolve());
      this.stream.end(resolve);
    });
  }
}
