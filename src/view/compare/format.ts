import type { CompareReport, PolicyResult } from '../../core/quality/compare-types.js';
import { formatInt, formatPct, formatUsd, UNKNOWN } from '../../core/money/money.js';

/** A fraction in 0..1 as a percentage with one decimal ("87.5%"); accuracies and quality, not money. */
export function formatFraction(f: number | null): string {
  return f === null ? UNKNOWN : `${(f * 100).toFixed(1)}%`;
}

/** A cascade policy's escalation rate: `12.0% (6/50)`; empty for policies without cascades. */
export function formatEscalation(row: PolicyResult): string {
  const e = row.escalation;
  return e ? `${formatFraction(e.rate)} (${e.escalated}/${e.prompts})` : '';
}

export function formatAccuracyCi(row: PolicyResult): string {
  if (row.accuracy === null) return UNKNOWN;
  if (!row.accuracyCi) return formatFraction(row.accuracy);
  const [lo, hi] = row.accuracyCi;
  return `${formatFraction(row.accuracy)} (${(lo * 100).toFixed(1)}–${formatFraction(hi)})`;
}

/** Prompt counts; the random router's are expectations and may be fractional. */
export function formatCount(n: number): string {
  return Number.isInteger(n) ? formatInt(n) : n.toFixed(1);
}

export function savingsUsd(row: PolicyResult): string {
  return formatUsd(row.baselineCost - row.cost);
}

export function savingsPct(row: PolicyResult): string {
  return formatPct(row.baselineCost - row.cost, row.baselineCost);
}

export function describeMode(report: CompareReport): string {
  switch (report.mode) {
    case 'dry-run':
      return 'dry run: estimates only, nothing was sent';
    case 'live':
      return 'live: each distinct (model, prompt) pair was sent once and shared by every policy';
    case 'from':
      return 'from logged results: no calls; prompts sent to a model never logged for them are estimated';
  }
}

export function describeRow(row: PolicyResult, baselineModel: string): string {
  switch (row.kind) {
    case 'policy':
      return 'policy';
    case 'baseline':
      return `every prompt on the baseline, ${baselineModel}`;
    case 'single':
      return `every prompt on ${Object.keys(row.callsByModel).join(', ')}`;
    case 'random':
      return row.mirrors === undefined ? 'random router' : `random router with the model shares of ${row.mirrors}`;
  }
}

/** Why quality says nothing, when it does not: a line for the terminal and the HTML report. */
export function qualityWarning(report: CompareReport): string | undefined {
  if (report.quality === 'ungraded') return 'no record carries an expected answer, so quality was not measured and no policy is named best';
  if (report.quality === 'nothing-matched') {
    return 'the grader matched no answer of any model (every row scores 0%), so quality was not measured and no policy is named best; check the grader: numbers want --grader number, free text --grader contains';
  }
  return undefined;
}

/** What each policy other than the best trades: "cheap-first keeps 86.6% of the quality for 43.5% less". */
export function tradeOffs(report: CompareReport): string[] {
  if (report.quality !== 'measured') return [];
  return report.policies
    .filter((p) => p.name !== report.best && p.qualityKept !== null)
    .map((p) => {
      const saved = p.baselineCost - p.cost;
      const money = saved >= 0n ? `for ${formatPct(saved, p.baselineCost)} less` : `for ${formatPct(-saved, p.baselineCost)} more`;
      return `${p.name} keeps ${formatFraction(p.qualityKept)} of the baseline's quality ${money}`;
    });
}
