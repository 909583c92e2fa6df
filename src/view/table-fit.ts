import { width } from './live/text.js';

/** The widest line of a rendered block, in columns. */
export function widest(text: string): number {
  let max = 0;
  for (const line of text.split('\n')) max = Math.max(max, width(line));
  return max;
}

/**
 * The first rendering, from the most detailed to the most compact, whose every line fits in
 * `columns`: a terminal wraps a line that is too long into debris across the table's borders.
 * When none fits, the most compact one.
 */
export function fitTable(renderings: readonly (() => string)[], columns: number): string {
  let last = '';
  for (const render of renderings) {
    last = render();
    if (widest(last) <= columns) return last;
  }
  return last;
}
