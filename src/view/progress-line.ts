import { formatInt, formatPct, formatUsd } from '../core/money/money.js';
import { etaMs, ratePerSecond, takeSnapshot, type LiveSnapshot } from './live/snapshot.js';
import { formatDuration, formatRate } from './live/text.js';
import type { RunStore } from './run-store.js';

/** How often a run without a terminal reports, in milliseconds. */
export const PROGRESS_EVERY_MS = 5000;

/** One line of progress, from the same snapshot the live view draws. */
export function progressText(s: LiveSnapshot): string {
  const count = s.total === undefined ? `${formatInt(s.done)} done` : `${formatInt(s.done)}/${formatInt(s.total)} done (${s.total > 0 ? Math.floor((Math.min(s.done, s.total) / s.total) * 100) : 100}%)`;
  const eta = etaMs(s);
  const parts = [count, formatRate(ratePerSecond(s))];
  if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
  parts.push(`in flight ${formatInt(s.inFlight)}`);
  const saved = s.baselineCost - s.cost;
  parts.push(`spend ${formatUsd(s.cost)}`, `saved ${formatUsd(saved)} (${formatPct(saved, s.baselineCost)})`);
  const failed = s.failed + s.inputErrors;
  if (failed > 0) parts.push(`failed ${formatInt(failed)}`);
  if (s.retries > 0) parts.push(`retries ${formatInt(s.retries)}`);
  if (s.interrupt === 'stopping') parts.push('stopping: finishing what is in flight');
  return `frugal: ${parts.join('  ')}  (elapsed ${formatDuration(s.elapsedMs)})`;
}

export interface ProgressLineOptions {
  store: RunStore;
  /** Writes one line to stderr. */
  write: (line: string) => void;
  /** Milliseconds, on the clock of the run's events. */
  clock: () => number;
  everyMs?: number | undefined;
  /** Calls `tick` every `ms` until the returned function is called (setInterval, unref'd, by default). */
  every?: ((tick: () => void, ms: number) => () => void) | undefined;
}

function intervalTimer(tick: () => void, ms: number): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * For a run whose stderr is no terminal (CI logs, `2> run.log`): a progress line every few seconds,
 * folded from the same RunStore as the live view, so a long run is not silent until its summary.
 * Nothing is printed for a run that ends before the first interval.
 */
export function startProgressLine(options: ProgressLineOptions): { stop(): void } {
  const { store, write, clock } = options;
  const cancel = (options.every ?? intervalTimer)(() => {
    const s = takeSnapshot(store.totals, clock());
    if (!s.started || s.ended) return;
    write(progressText(s));
  }, options.everyMs ?? PROGRESS_EVERY_MS);
  return { stop: cancel };
}
