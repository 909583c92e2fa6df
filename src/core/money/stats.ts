import { UserError } from '../errors.js';
import type { CallKind } from '../execution/calls.js';
import type { Pico } from './money.js';
import { emptyUsageSums, type UsageSums } from './pricing.js';

/** `pending`: written before its request left and never settled (the process died): booked at its reservation. */
export type CallStatus = 'pending' | 'ok' | 'error' | 'cached';
export type StatsBy = 'model' | 'route' | 'class' | 'kind' | 'day';
export const STATS_BY: readonly StatsBy[] = ['model', 'route', 'class', 'kind', 'day'];

const DAY_MS = 86_400_000;

/** Sums over a set of calls. Money sums are exact bigint picodollars. */
export interface CallSums extends UsageSums {
  calls: number;
  /** The part of `cost` that is reservations of calls that never settled: an upper bound. */
  unsettled: Pico;
  unsettledCalls: number;
  baselineCost: Pico;
  baselineUnknown: number;
  /** Cost and baseline summed over the calls where both are known: what savings compare. */
  pairedCost: Pico;
  pairedBaseline: Pico;
}

/**
 * The ledger pre-summed per UTC day, model, route, class and status: what io/ledger reads, and
 * what every grouping below is folded from.
 */
export interface CallGroup extends CallSums {
  /** Whole UTC days since 1970-01-01. */
  day: number;
  provider: string;
  model: string;
  route: string;
  class: string | null;
  kind: CallKind;
  status: CallStatus;
}

export interface StatsRow extends CallSums {
  /** The group: `provider/model`, a route, a class (null: the default route) or a YYYY-MM-DD day. */
  key: string | null;
  provider?: string | undefined;
  model?: string | undefined;
  failed: number;
  cached: number;
}

export interface Stats {
  by: StatsBy;
  since: Date | undefined;
  rows: StatsRow[];
  total: StatsRow;
}

function emptyRow(key: string | null): StatsRow {
  return {
    key,
    calls: 0,
    unsettled: 0n,
    unsettledCalls: 0,
    failed: 0,
    cached: 0,
    ...emptyUsageSums(),
    baselineCost: 0n,
    baselineUnknown: 0,
    pairedCost: 0n,
    pairedBaseline: 0n,
  };
}

function add(row: StatsRow, g: CallGroup): void {
  row.calls += g.calls;
  row.unsettled += g.unsettled;
  row.unsettledCalls += g.unsettledCalls;
  if (g.status === 'error') row.failed += g.calls;
  if (g.status === 'cached') row.cached += g.calls;
  row.inputTokens += g.inputTokens;
  row.outputTokens += g.outputTokens;
  row.cacheReadTokens += g.cacheReadTokens;
  row.cacheWriteTokens += g.cacheWriteTokens;
  row.cost += g.cost;
  row.costUnknown += g.costUnknown;
  row.baselineCost += g.baselineCost;
  row.baselineUnknown += g.baselineUnknown;
  row.pairedCost += g.pairedCost;
  row.pairedBaseline += g.pairedBaseline;
}

export function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function keyOf(g: CallGroup, by: StatsBy): string | null {
  switch (by) {
    case 'model':
      return `${g.provider}/${g.model}`;
    case 'route':
      return g.route;
    case 'class':
      return g.class;
    case 'kind':
      return g.kind;
    case 'day':
      return dayKey(g.day);
    default: {
      const never: never = by;
      return never;
    }
  }
}

/** Savings over the calls whose cost and baseline are both known. */
export function rowSavings(r: StatsRow): Pico {
  return r.pairedBaseline - r.pairedCost;
}

/**
 * Folds the ledger's groups into one row per `by` key, plus the total. Days run oldest first;
 * other groupings by spend, highest first, then by name.
 */
export function aggregate(groups: readonly CallGroup[], by: StatsBy, since?: Date): Stats {
  const rows = new Map<string | null, StatsRow>();
  const total = emptyRow('total');
  for (const g of groups) {
    const key = keyOf(g, by);
    let row = rows.get(key);
    if (!row) {
      row = emptyRow(key);
      if (by === 'model') {
        row.provider = g.provider;
        row.model = g.model;
      }
      rows.set(key, row);
    }
    add(row, g);
    add(total, g);
  }
  const byName = (a: StatsRow, b: StatsRow) => (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1);
  const sorted = [...rows.values()].sort(by === 'day' ? byName : (a, b) => (a.cost === b.cost ? byName(a, b) : a.cost > b.cost ? -1 : 1));
  return { by, since, rows: sorted, total };
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

const SINCE_HINT = 'use a duration back from now (30m, 24h, 7d, 2w) or a UTC date or time (2026-11-01, 2026-11-01T09:30:00Z)';

/**
 * `--since`: a duration back from `now` (30m, 24h, 7d, 2w) or an ISO date (midnight UTC) or
 * date-time (UTC unless it carries an offset).
 */
export function parseSince(text: string, now: Date): Date {
  const t = text.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([mhdw])$/i.exec(t);
  if (duration) {
    const ms = Number(duration[1]) * UNITS[duration[2]!.toLowerCase()]!;
    return new Date(now.getTime() - ms);
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(t);
  if (date) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = date;
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2')}`;
    const when = new Date(iso);
    // Date accepts 2026-02-31 and rolls it over; a date that does not round-trip is not a date.
    if (!Number.isNaN(when.getTime()) && validCalendarDate(Number(y), Number(mo), Number(d)) && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60) {
      return when;
    }
  }
  throw new UserError(`--since: "${text}" is neither a duration nor a date`, SINCE_HINT);
}

function validCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}
