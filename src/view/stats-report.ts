import Table from 'cli-table3';
import { formatInt, formatPct, formatUsd, pctNumber, picoToUsd } from '../core/money/money.js';
import { rowSavings, type Stats, type StatsRow } from '../core/money/stats.js';
import { TABLE_STYLE } from './table-style.js';

const DEFAULT_CLASS = '(default route)';

function spend(r: StatsRow): string {
  return r.costUnknown > 0 ? `${formatUsd(r.cost)} +${formatInt(r.costUnknown)}×—` : formatUsd(r.cost);
}

function cells(label: string, r: StatsRow): string[] {
  const saved = rowSavings(r);
  return [label, formatInt(r.calls), formatInt(r.inputTokens), formatInt(r.outputTokens), spend(r), formatUsd(r.baselineCost), formatUsd(saved), formatPct(saved, r.pairedBaseline)];
}

/** The `frugal stats` table: one row per group, then the total, then what the figures leave out. */
export function statsTable(s: Stats): string {
  const table = new Table({
    head: [s.by, 'calls', 'input tok', 'output tok', 'spend', 'baseline', 'savings', 'saved'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ...TABLE_STYLE,
  });
  for (const r of s.rows) table.push(cells(r.key ?? DEFAULT_CLASS, r));
  table.push(cells('total', s.total));

  const t = s.total;
  const lines = [table.toString()];
  const status = [`calls: ${formatInt(t.calls)}`, `succeeded: ${formatInt(t.calls - t.failed)}`, `failed: ${formatInt(t.failed)}`, `cache hits: ${formatInt(t.cached)}`];
  lines.push(status.join('  '));
  if (t.unsettledCalls > 0) {
    lines.push(`unsettled: ${formatInt(t.unsettledCalls)} calls never came back whole (timed out, dropped, aborted, killed, or no usage reported); the spend above counts up to ${formatUsd(t.unsettled)} for them, their reserved worst case`);
  }
  if (t.costUnknown > 0) lines.push(`unknown cost: ${formatInt(t.costUnknown)} calls recorded by an older frugal reported no usage; not in the spend above`);
  if (t.baselineUnknown > t.costUnknown) lines.push(`unknown baseline: ${formatInt(t.baselineUnknown)} calls have no baseline cost; savings compare only calls where both are known`);
  lines.push(s.since ? `since ${s.since.toISOString()}` : 'all time');
  return `${lines.join('\n')}\n`;
}

function rowJson(s: Stats, r: StatsRow) {
  const saved = rowSavings(r);
  const key = s.by === 'model' ? { provider: r.provider ?? null, model: r.model ?? null } : { [s.by]: r.key };
  return { ...key, ...figures(r, saved) };
}

function figures(r: StatsRow, saved = rowSavings(r)) {
  return {
    calls: r.calls,
    failed: r.failed,
    cache_hits: r.cached,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cache_read_tokens: r.cacheReadTokens,
    cache_write_tokens: r.cacheWriteTokens,
    cost_usd: picoToUsd(r.cost),
    unsettled_usd: picoToUsd(r.unsettled),
    unsettled_calls: r.unsettledCalls,
    cost_unknown: r.costUnknown,
    baseline_cost_usd: picoToUsd(r.baselineCost),
    baseline_unknown: r.baselineUnknown,
    savings_usd: picoToUsd(saved),
    savings_pct: pctNumber(saved, r.pairedBaseline),
  };
}

/** `frugal stats --json`: the total's figures at the top level, one row per group. */
export function statsJson(s: Stats) {
  return {
    by: s.by,
    since: s.since?.toISOString() ?? null,
    ...figures(s.total),
    rows: s.rows.map((r) => rowJson(s, r)),
  };
}
