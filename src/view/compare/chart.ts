import type { CompareReport } from '../../core/quality/compare-types.js';
import { formatUsd } from '../../core/money/money.js';
import { byPriority, chartModel, type ChartModel, type ChartPoint, type Tick } from './chart-model.js';
import { fit, padEnd } from '../live/text.js';

export interface ChartOptions {
  /** Columns of every line, legend included. */
  width: number;
  /** Lines of the scatter plot from its title to the spend labels; the legend follows. */
  height: number;
  color: boolean;
}

type Style = 'policy' | 'best' | 'baseline' | 'single' | 'random' | 'line';
type Segment = { text: string; style?: Style | undefined };

const SGR: Record<Style, string> = {
  policy: '\x1b[1;36m',
  best: '\x1b[1;30;42m',
  baseline: '\x1b[1;33m',
  single: '\x1b[35m',
  random: '\x1b[34m',
  line: '\x1b[2m',
};
const RESET = '\x1b[0m';

const MIN_WIDTH = 40;
const MIN_HEIGHT = 8;
const DOT = '·';

function styleOf(p: ChartPoint): Style {
  if (p.best) return 'best';
  return p.row.kind;
}

/** Names come from files and flags: keep control characters (and escape sequences) off the terminal. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function paint(segments: Segment[], color: boolean): string {
  if (!color) return segments.map((s) => s.text).join('').trimEnd();
  const merged: Segment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if (last && last.style === s.style) last.text += s.text;
    else merged.push({ ...s });
  }
  const tail = merged[merged.length - 1];
  if (tail && !tail.style) tail.text = tail.text.trimEnd();
  return merged.map((s) => (s.style && s.text.trim() ? `${SGR[s.style]}${s.text}${RESET}` : s.text)).join('').trimEnd();
}

function modeNote(report: CompareReport): string {
  if (report.mode === 'dry-run') return 'dry run, spend estimated';
  if (report.mode === 'from') return 'from logged results';
  return 'live run';
}

/** Word-wraps one legend entry wider than the terminal, continuation lines indented past its marker. */
function wrapLong(entry: Segment[], width: number): Segment[][] {
  const [mark, ...rest] = entry;
  const indent = (mark?.text.length ?? 0) + 1;
  const lines: Segment[][] = [];
  let current = '';
  for (const word of rest.map((s) => s.text).join('').trim().split(/\s+/)) {
    const limit = width - indent;
    if (current && current.length + 1 + word.length > limit) {
      lines.push([{ text: lines.length ? ' '.repeat(indent) : '' }, { text: current }]);
      current = '';
    }
    current = current ? `${current} ${fit(word, limit)}` : fit(word, limit);
  }
  lines.push([{ text: lines.length ? ' '.repeat(indent) : '' }, { text: current }]);
  lines[0]!.splice(0, 1, ...(mark ? [mark, { text: ' ' }] : []));
  return lines;
}

/** Greedy packing of legend entries into lines of at most `width` columns. */
function wrap(entries: Segment[][], width: number): Segment[][] {
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let used = 0;
  for (const entry of entries) {
    const len = entry.reduce((n, s) => n + s.text.length, 0);
    if (used > 0 && used + 2 + len > width) {
      lines.push(line);
      line = [];
      used = 0;
    }
    if (len > width) {
      lines.push(...wrapLong(entry, width));
      continue;
    }
    if (used > 0) line.push({ text: '  ' });
    line.push(...entry);
    used += (used > 0 ? 2 : 0) + len;
  }
  if (line.length) lines.push(line);
  return lines;
}

interface Cell {
  ch: string;
  style?: Style | undefined;
  /** Taken by a marker (or the best policy's star): later markers move aside. */
  taken?: boolean;
}

interface Layout {
  model: ChartModel;
  labelWidth: number;
  plotWidth: number;
}

/** The widest spend axis whose labels do not collide: fewer ticks on narrow terminals. */
function layout(report: CompareReport, width: number, rows: number): Layout {
  const maxYIntervals = Math.max(1, Math.min(10, Math.floor((rows - 1) / 2)));
  let fallback: Layout | undefined;
  for (let n = 5; n >= 1; n--) {
    const model = chartModel(report, { maxXIntervals: n, maxYIntervals });
    const labelWidth = Math.max(0, ...(model.yTicks ?? []).map((t) => t.label.length));
    const last = model.xTicks[model.xTicks.length - 1]?.label.length ?? 0;
    const plotWidth = width - labelWidth - 2 - Math.max(1, Math.ceil(last / 2) - 1);
    const widest = Math.max(...model.xTicks.map((t) => t.label.length));
    const cols = model.xTicks.map((t) => Math.round(t.at * (plotWidth - 1)));
    const fits = cols.every((c, i) => i === 0 || c - (cols[i - 1] ?? 0) >= widest + 1);
    fallback = { model, labelWidth, plotWidth };
    if (fits) return fallback;
  }
  return fallback!;
}

function tickRow(t: Tick, rows: number): number {
  return Math.round((1 - t.at) * (rows - 1));
}

function scatter(report: CompareReport, width: number, height: number, color: boolean): string[] {
  const rows = height - 3;
  const { model, labelWidth, plotWidth } = layout(report, width, rows);
  const grid: Cell[][] = Array.from({ length: rows }, () => Array.from({ length: plotWidth }, () => ({ ch: ' ' })));
  const colOf = (x: number): number => Math.round(x * (plotWidth - 1));
  const rowOf = (y: number): number => Math.round((1 - y) * (rows - 1));

  const line = model.randomLine;
  if (line && line.from.y !== null && line.to.y !== null) {
    const [c0, r0, c1, r1] = [colOf(line.from.x), rowOf(line.from.y), colOf(line.to.x), rowOf(line.to.y)];
    const steps = 2 * Math.max(Math.abs(c1 - c0), Math.abs(r1 - r0));
    for (let i = 1; i < steps; i++) {
      const cell = grid[Math.round(r0 + ((r1 - r0) * i) / steps)]?.[Math.round(c0 + ((c1 - c0) * i) / steps)];
      if (cell) Object.assign(cell, { ch: DOT, style: 'line' });
    }
  }

  // Policies claim their exact cells first; a reference that lands on a taken cell moves a column or two aside.
  const order = byPriority(model.points);
  const hidden = new Map<ChartPoint, string>();
  for (const p of order) {
    if (p.y === null) continue;
    const r = rowOf(p.y);
    const c = colOf(p.x);
    const row = grid[r]!;
    const at = [0, 1, -1, 2, -2].map((d) => c + d).find((cc) => cc >= 0 && cc < plotWidth && !row[cc]!.taken);
    if (at === undefined) {
      hidden.set(p, row[c]!.ch);
      continue;
    }
    row[at] = { ch: p.marker, style: styleOf(p), taken: true };
    if (p.best) {
      const star = [at + 1, at - 1].find((cc) => cc >= 0 && cc < plotWidth && !row[cc]!.taken);
      if (star !== undefined) row[star] = { ch: '*', style: 'best', taken: true };
    }
  }

  const yLabels = new Map((model.yTicks ?? []).map((t) => [tickRow(t, rows), t.label]));
  const out: string[] = [paint([{ text: fit(`accuracy by spend: ${report.prompts} prompts, ${modeNote(report)}`, width) }], color)];
  grid.forEach((cells, r) => {
    const label = yLabels.get(r);
    const segments: Segment[] = [{ text: `${(label ?? '').padStart(labelWidth)} ${label === undefined ? '│' : '┤'}` }];
    for (const cell of cells) segments.push({ text: cell.ch, style: cell.style });
    out.push(paint(segments, color));
  });

  const axis = Array.from({ length: plotWidth }, () => '─');
  const labels = Array.from({ length: width }, () => ' ');
  for (const t of model.xTicks) {
    const c = colOf(t.at);
    axis[c] = '┬';
    const start = Math.min(width - t.label.length, Math.max(0, labelWidth + 2 + c - Math.floor(t.label.length / 2)));
    labels.splice(start, t.label.length, ...t.label);
  }
  out.push(`${' '.repeat(labelWidth)} └${axis.join('')}`, labels.join('').trimEnd());
  out.push(...legend(model, hidden, width).map((l) => paint(l, color)));
  return out;
}

function legend(model: ChartModel, hidden: Map<ChartPoint, string>, width: number): Segment[][] {
  const entry = (p: ChartPoint): Segment[] => {
    const notes = [p.best ? 'best' : '', p.y === null ? 'quality unknown, not plotted' : '', hidden.has(p) ? `hidden under ${hidden.get(p)}` : ''].filter(Boolean);
    return [
      { text: p.best ? `${p.marker}*` : p.marker, style: styleOf(p) },
      { text: ` ${clean(p.row.name)}${notes.length ? ` (${notes.join(', ')})` : ''}` },
    ];
  };
  const group = (kinds: string[]): Segment[][] => model.points.filter((p) => kinds.includes(p.row.kind)).map(entry);
  const lines = [...wrap(group(['policy']), width), ...wrap(group(['baseline', 'single']), width), ...wrap(group(['random']), width)];
  const line = model.randomLine;
  if (line) {
    const text = ` a random split between ${line.from.marker} (the cheapest model) and ${line.to.marker} (the baseline)`;
    lines.push(...wrap([[{ text: DOT.repeat(3), style: 'line' }, { text }]], width));
  }
  return lines;
}

/** No accuracy anywhere: a bar of spend per row, and say why there is no quality axis. */
function spendBars(report: CompareReport, width: number, color: boolean): string[] {
  const model = chartModel(report, { maxXIntervals: 1, maxYIntervals: 1 });
  const maxCost = model.points.reduce((m, p) => (p.row.cost > m ? p.row.cost : m), 0n);
  const names = model.points.map((p) => `${p.marker}${p.best ? '*' : ' '} ${clean(p.row.name)}`);
  const values = model.points.map((p) => formatUsd(p.row.cost));
  const nameWidth = Math.min(Math.max(...names.map((n) => n.length)), Math.floor(width / 2));
  const valueWidth = Math.max(...values.map((v) => v.length));
  const barWidth = Math.max(1, width - nameWidth - valueWidth - 2);
  const out = [
    fit(`spend: ${report.prompts} prompts, ${modeNote(report)}`, width),
    fit('quality unknown: no prompt carries an expected answer, so only spend is shown', width),
  ];
  model.points.forEach((p, i) => {
    const frac = maxCost > 0n ? Number((p.row.cost * 1_000_000n) / maxCost) / 1_000_000 : 0;
    const len = Math.round(frac * barWidth);
    const bar = len > 0 ? '█'.repeat(len) : p.row.cost > 0n ? '▏' : '';
    out.push(
      paint(
        [
          { text: `${padEnd(names[i]!, nameWidth)} ` },
          { text: bar, style: styleOf(p) },
          { text: `${' '.repeat(barWidth - bar.length)} ${values[i]!.padStart(valueWidth)}` },
        ],
        color,
      ),
    );
  });
  if (report.best) out.push(fit(`* best: ${clean(report.best)}`, width));
  return out;
}

/** The cost-vs-quality picture of `frugal compare` for a terminal: a scatter plot, or spend bars when nothing was graded. */
export function renderChart(report: CompareReport, options: ChartOptions): string {
  const width = Math.max(MIN_WIDTH, Math.floor(options.width));
  const height = Math.max(MIN_HEIGHT, Math.floor(options.height));
  const graded = [...report.policies, ...report.references].some((r) => r.accuracy !== null);
  const lines = graded ? scatter(report, width, height, options.color) : spendBars(report, width, options.color);
  return lines.join('\n');
}

