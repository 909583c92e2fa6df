import type { InputProblem } from '../../core/money/accounting.js';
import { formatInt, formatUsd } from '../../core/money/money.js';
import type { Policy } from '../../core/policy/types.js';
import { sourceText } from '../../core/prompt.js';
import type { FinishedLine } from '../run-store.js';
import { fit, oneLine, padEnd, padStart, width } from './text.js';

/** One line that scrolls above the live area: a finished prompt, an unreadable input line, or how many were left out. */
export type FinishedItem =
  | { kind: 'prompt'; line: FinishedLine }
  | { kind: 'input'; problem: InputProblem }
  | { kind: 'elided'; count: number; failed: number };

/**
 * Ink lays out every printed line cell by cell (about 0.3 ms for a 100-column line), so a frame
 * prints at most this many; at 10 frames a second that is every prompt of any run under ~200/s.
 */
export const MAX_LINES_PER_FRAME = 20;

const isProblem = (item: FinishedItem) => item.kind === 'input' || (item.kind === 'prompt' && item.line.error !== undefined);

/** The items one frame prints, in order: problems before successes when not all fit, then a count of the rest. */
export function linesForFrame(items: FinishedItem[], max = MAX_LINES_PER_FRAME): FinishedItem[] {
  if (items.length <= max) return items;
  const keep = new Set<number>();
  const room = max - 1;
  for (let pass = 0; pass < 2 && keep.size < room; pass++) {
    for (let i = 0; i < items.length && keep.size < room; i++) if (isProblem(items[i]!) === (pass === 0)) keep.add(i);
  }
  const shown = items.filter((_, i) => keep.has(i));
  const left = items.filter((_, i) => !keep.has(i));
  return [...shown, { kind: 'elided', count: left.length, failed: left.filter(isProblem).length }];
}

export interface FinishedLayout {
  columns: number;
  id: number;
  class: number;
  model: number;
  cost: number;
}

const DEFAULT_CLASS = '(default)';
const GAP = '  ';

/** Column widths for the finished lines: fixed for the whole run, so the lines align. */
export function finishedLayout(policy: Policy, columns: number): FinishedLayout {
  const longest = (names: Iterable<string>, cap: number) => Math.min(cap, Math.max(0, ...Array.from(names, width)));
  const layout = {
    columns,
    class: longest([DEFAULT_CLASS, ...policy.classes.map((c) => c.name)], 16),
    model: longest(Array.from(policy.models.values(), (m) => m.model), 28),
    cost: 10,
  };
  // mark + id + three gaps + the other columns; the id takes what is left, within reason
  const rest = 2 + GAP.length * 3 + layout.class + layout.model + layout.cost;
  return { ...layout, id: Math.max(8, Math.min(32, columns - rest)) };
}

export function finishedText(item: FinishedItem, l: FinishedLayout): string {
  if (item.kind === 'elided') {
    const failed = item.failed > 0 ? ` (${formatInt(item.failed)} failed)` : '';
    return fit(`… ${formatInt(item.count)} more finished${failed}, not listed`, l.columns);
  }
  if (item.kind === 'input') {
    const where = sourceText(item.problem.file, item.problem.line);
    return fit(oneLine(`✗ ${where}: ${item.problem.message}`), l.columns);
  }
  const f = item.line;
  const head = `${f.error ? '✗' : '✓'} ${padEnd(oneLine(f.id), l.id)}${GAP}${padEnd(f.class ?? DEFAULT_CLASS, l.class)}${GAP}${padEnd(f.model, l.model)}${GAP}`;
  const tail = f.error ? oneLine(f.error) : padStart(formatUsd(f.cost), l.cost) + (f.cached ? ' cached' : '');
  return fit(head + tail, l.columns);
}
