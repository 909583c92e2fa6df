import type { CompareReport, PolicyResult } from '../../core/quality/compare-types.js';
import { formatUsd, PICO_PER_USD, picoToUsd, type Pico } from '../../core/money/money.js';

/**
 * What both pictures of `frugal compare` draw (the terminal chart and the HTML report's SVG):
 * one point per row at (spend, accuracy), with the axes' ticks. Positions are fractions of the
 * axes (0..1, y up) so that each renderer maps them to its own grid.
 */
export interface ChartPoint {
  row: PolicyResult;
  /** One character naming the point in the terminal chart and its legend. */
  marker: string;
  best: boolean;
  x: number;
  /** null when the row's accuracy is unknown: it cannot be placed on the quality axis. */
  y: number | null;
}

export interface Tick {
  label: string;
  at: number;
}

export interface ChartModel {
  /** Policies first (in report order), then the baseline, single models and random routers. */
  points: ChartPoint[];
  /**
   * A random router that mixes the cheapest single model with the baseline model lands, in
   * expectation, on the segment between their two points: the line a policy has to beat.
   */
  randomLine: { from: ChartPoint; to: ChartPoint } | null;
  xTicks: Tick[];
  /** null when no row has an accuracy: spend is all there is to draw. */
  yTicks: Tick[] | null;
  /** The accuracies at the bottom and top of the quality axis. */
  yRange: { lo: number; hi: number } | null;
}

const POLICY_MARKERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SINGLE_MARKERS = '123456789';
export const BASELINE_MARKER = '◆';
const FALLBACK_MARKER = '•';

function markers(report: CompareReport): Map<PolicyResult, string> {
  const out = new Map<PolicyResult, string>();
  const byPolicy = new Map<string, string>();
  report.policies.forEach((p, i) => {
    const m = POLICY_MARKERS[i] ?? FALLBACK_MARKER;
    out.set(p, m);
    byPolicy.set(p.name, m);
  });
  let single = 0;
  for (const r of report.references) {
    if (r.kind === 'baseline') out.set(r, BASELINE_MARKER);
    else if (r.kind === 'single') out.set(r, SINGLE_MARKERS[single++] ?? FALLBACK_MARKER);
    else if (r.kind === 'random') {
      const mirrored = r.mirrors === undefined ? undefined : byPolicy.get(r.mirrors);
      out.set(r, mirrored === undefined || mirrored === FALLBACK_MARKER ? 'r' : mirrored.toLowerCase());
    } else out.set(r, FALLBACK_MARKER);
  }
  return out;
}

const KIND_ORDER: ReadonlyArray<PolicyResult['kind']> = ['policy', 'baseline', 'single', 'random'];

/** Who claims a spot first when points or labels crowd: the best policy, policies, baseline, single models, random routers. */
export function byPriority(points: ChartPoint[]): ChartPoint[] {
  return [...points].sort((a, b) => Number(b.best) - Number(a.best) || KIND_ORDER.indexOf(a.row.kind) - KIND_ORDER.indexOf(b.row.kind));
}

/** Steps of 1, 2 and 5 times a power of ten, from a millionth of a dollar (what formatUsd shows) up. */
function* niceSteps(): Generator<Pico> {
  for (let unit = PICO_PER_USD / 1_000_000n; ; unit *= 10n) {
    yield unit;
    yield unit * 2n;
    yield unit * 5n;
  }
}

/** Ticks from $0 to the first step at or above the highest spend, with at most `maxIntervals` intervals. */
export function spendTicks(maxCost: Pico, maxIntervals: number): { ticks: Tick[]; max: Pico } {
  if (maxCost <= 0n) return { ticks: [{ label: formatUsd(0n), at: 0 }], max: 0n };
  let step = 0n;
  for (const s of niceSteps()) {
    if ((maxCost + s - 1n) / s <= BigInt(Math.max(1, maxIntervals))) {
      step = s;
      break;
    }
  }
  const intervals = (maxCost + step - 1n) / step;
  const max = intervals * step;
  const ticks: Tick[] = [];
  for (let i = 0n; i <= intervals; i++) ticks.push({ label: formatUsd(i * step), at: Number(i) / Number(intervals) });
  return { ticks, max };
}

const PCT_STEPS = [1, 2, 5, 10, 20, 25, 50];
// Accuracies such as 0.7 arrive as 0.7000000000000001 * 100; snap before rounding to the grid.
const EPS = 1e-9;

/** The data's accuracy range widened to whole steps of a percent, at most `maxIntervals` of them. */
export function accuracyTicks(accuracies: number[], maxIntervals: number): { ticks: Tick[]; lo: number; hi: number } {
  const min = Math.min(...accuracies) * 100;
  const max = Math.max(...accuracies) * 100;
  let lo = 0;
  let hi = 100;
  let step = 50;
  for (const s of PCT_STEPS) {
    lo = Math.max(0, Math.floor(min / s + EPS) * s);
    hi = Math.min(100, Math.ceil(max / s - EPS) * s);
    if (hi === lo) {
      if (hi + s <= 100) hi += s;
      else lo -= s;
    }
    step = s;
    if ((hi - lo) / s <= maxIntervals) break;
  }
  const ticks: Tick[] = [];
  for (let v = lo; v <= hi; v += step) ticks.push({ label: `${v}%`, at: (v - lo) / (hi - lo) });
  return { ticks, lo: lo / 100, hi: hi / 100 };
}

/** The single-model row for a model: the baseline row for the baseline model, a single row otherwise. */
function modelOf(row: PolicyResult): string | undefined {
  const models = Object.keys(row.callsByModel);
  return models.length === 1 ? models[0] : undefined;
}

function cheapestToBaseline(report: CompareReport, points: ChartPoint[]): ChartModel['randomLine'] {
  const placed = points.filter((p) => p.y !== null);
  const baseline = placed.find((p) => p.row.kind === 'baseline') ?? placed.find((p) => p.row.kind === 'single' && modelOf(p.row) === report.baselineModel);
  if (!baseline) return null;
  let cheapest: ChartPoint | undefined;
  for (const p of placed) {
    if (p.row.kind !== 'single' || modelOf(p.row) === report.baselineModel) continue;
    if (!cheapest || p.row.cost < cheapest.row.cost) cheapest = p;
  }
  return cheapest ? { from: cheapest, to: baseline } : null;
}

export function chartModel(report: CompareReport, axes: { maxXIntervals: number; maxYIntervals: number }): ChartModel {
  const rows = [...report.policies, ...report.references];
  const marks = markers(report);
  const maxCost = rows.reduce<Pico>((m, r) => (r.cost > m ? r.cost : m), 0n);
  const x = spendTicks(maxCost, axes.maxXIntervals);
  const xOf = (cost: Pico): number => (x.max > 0n ? Math.max(0, picoToUsd(cost) / picoToUsd(x.max)) : 0);

  // The axis spans the confidence bars drawn (policies and the baseline) too, so none is cut at the edge.
  const accuracies = rows.flatMap((r) => {
    if (r.accuracy === null) return [];
    return r.accuracyCi && (r.kind === 'policy' || r.kind === 'baseline') ? [r.accuracy, ...r.accuracyCi] : [r.accuracy];
  });
  const y = accuracies.length ? accuracyTicks(accuracies, axes.maxYIntervals) : null;
  const yOf = (a: number | null): number | null => (a === null || !y ? null : (a - y.lo) / (y.hi - y.lo));

  const points = rows.map<ChartPoint>((row) => ({
    row,
    marker: marks.get(row) ?? FALLBACK_MARKER,
    best: row.kind === 'policy' && row.name === report.best,
    x: xOf(row.cost),
    y: yOf(row.accuracy),
  }));
  return { points, randomLine: y ? cheapestToBaseline(report, points) : null, xTicks: x.ticks, yTicks: y?.ticks ?? null, yRange: y ? { lo: y.lo, hi: y.hi } : null };
}
