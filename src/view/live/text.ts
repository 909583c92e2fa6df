import { safeLine } from '../safe-text.js';
import { formatInt } from '../../core/money/money.js';

/**
 * Plain-text helpers for the live view and the terminal chart. Widths count code points: ids,
 * aliases and model names are almost always ASCII, and Ink's own truncation catches the rare wide
 * character.
 */

const ELLIPSIS = '…';

/** Ids and error messages come from input files and servers: no newlines or escape sequences get through. */
export function oneLine(text: string): string {
  return safeLine(text);
}

export function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Cut `text` to at most `max` columns, marking the cut with an ellipsis. */
export function fit(text: string, max: number): string {
  if (max <= 0) return '';
  if (width(text) <= max) return text;
  return Array.from(text).slice(0, max - 1).join('') + ELLIPSIS;
}

export function padEnd(text: string, columns: number): string {
  const cut = fit(text, columns);
  return cut + ' '.repeat(Math.max(0, columns - width(cut)));
}

export function padStart(text: string, columns: number): string {
  const cut = fit(text, columns);
  return ' '.repeat(Math.max(0, columns - width(cut))) + cut;
}

/** 0.4s, 12s, 1m05s, 2h03m. */
export function formatDuration(ms: number): string {
  if (ms < 9950) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Prompts per second: one decimal below 10, whole numbers with grouping above. */
export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return '—/s';
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  return `${formatInt(Math.round(perSecond))}/s`;
}

/** The filled and empty parts of a progress bar `columns` wide. */
export function progressBar(done: number, total: number, columns: number): { filled: string; empty: string } {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.floor(ratio * columns);
  return { filled: '█'.repeat(filled), empty: '░'.repeat(columns - filled) };
}
