import Table from 'cli-table3';
import type { CompareReport, PolicyResult } from '../../core/quality/compare-types.js';
import { formatInt, formatUsd, pctNumber, picoToUsd } from '../../core/money/money.js';
import { renderChart } from './chart.js';
import { describeMode, formatAccuracyCi, formatCount, formatEscalation, formatFraction, qualityWarning, savingsPct, savingsUsd, tradeOffs } from './format.js';
import { TABLE_STYLE } from '../table-style.js';

const shortModel = (label: string) => label.slice(label.indexOf('/') + 1);

function calls(row: PolicyResult): string {
  return Object.entries(row.callsByModel)
    .filter(([, n]) => n > 0)
    .map(([model, n]) => `${shortModel(model)} ${formatCount(n)}`)
    .join('\n');
}

/** The comparison on stderr: policies, then the reference rows, then the chart. */
export function compareTable(report: CompareReport, options: { width: number; color: boolean }): string {
  // The escalation column only when a policy has cascades, so that other comparisons keep their width.
  const escalation = report.policies.some((r) => r.escalation);
  const table = new Table({
    head: ['', 'calls by model', 'spend', ...(escalation ? ['escalated'] : []), 'baseline', 'savings', '', 'accuracy (95% CI)', 'quality kept', 'est.'],
    colAligns: ['left', 'left', 'right', ...(escalation ? ['right' as const] : []), 'right', 'right', 'right', 'right', 'right', 'right'],
    ...TABLE_STYLE,
  });
  const push = (r: PolicyResult) =>
    table.push([
      `${r.name === report.best && r.kind === 'policy' ? '★ ' : ''}${r.name}`,
      calls(r),
      formatUsd(r.cost),
      ...(escalation ? [formatEscalation(r)] : []),
      formatUsd(r.baselineCost),
      savingsUsd(r),
      savingsPct(r),
      formatAccuracyCi(r),
      formatFraction(r.qualityKept),
      r.estimated ? formatInt(r.estimated) : '',
    ]);
  report.policies.forEach(push);
  table.push([{ colSpan: escalation ? 10 : 9, content: 'references' }]);
  report.references.forEach(push);
  const lines = [table.toString()];
  lines.push(`${formatInt(report.prompts)} prompts; ${describeMode(report)}; baseline model ${report.baselineModel}`);
  if (escalation) lines.push("escalated: the share of a cascade's prompts whose first answer failed its checks; a cascade's spend pays every model it called");
  const warning = qualityWarning(report);
  if (warning) lines.push(`warning: ${warning}`);
  else {
    const best = `the cheapest policy keeping at least ${formatFraction(report.minQuality)} of the baseline's accuracy`;
    lines.push(report.best ? `★ best: ${report.best} (${best})` : `no policy keeps ${formatFraction(report.minQuality)} of the baseline's accuracy (--min-quality)`);
    for (const t of tradeOffs(report)) lines.push(`  ${t}`);
  }
  const counts = new Map<string, number>();
  for (const r of report.regressions) counts.set(r.policy, (counts.get(r.policy) ?? 0) + 1);
  if (counts.size) lines.push(`regressions (wrong where the baseline was right): ${[...counts].map(([p, n]) => `${p} ${n}`).join(', ')}; list them with --show-regressions N`);
  lines.push('', renderChart(report, { width: Math.max(60, Math.min(options.width, 120)), height: 18, color: options.color }));
  return lines.join('\n');
}

export function regressionsText(report: CompareReport, perPolicy: number): string {
  const lines: string[] = [];
  for (const p of report.policies) {
    const mine = report.regressions.filter((r) => r.policy === p.name).slice(0, perPolicy);
    if (mine.length === 0) continue;
    lines.push(`${p.name}: wrong where the baseline was right`);
    for (const r of mine) {
      const answer = r.answer.replace(/\s+/g, ' ').trim();
      // What the grader read in the answer says more than the answer's first words.
      const got = r.detail ?? `got ${JSON.stringify(answer.length > 60 ? `${answer.slice(0, 57)}...` : answer)}`;
      lines.push(`  ${r.id}  ${r.class ?? '(default)'}  ${r.model}  expected ${JSON.stringify(r.expected)}  ${got}`);
    }
  }
  return lines.length ? lines.join('\n') : 'no regressions against the baseline';
}

function rowJson(r: PolicyResult) {
  return {
    name: r.name,
    file: r.file,
    kind: r.kind,
    ...(r.mirrors ? { mirrors: r.mirrors } : {}),
    calls_by_model: r.callsByModel,
    cost_usd: picoToUsd(r.cost),
    baseline_cost_usd: picoToUsd(r.baselineCost),
    savings_usd: picoToUsd(r.baselineCost - r.cost),
    savings_pct: pctNumber(r.baselineCost - r.cost, r.baselineCost),
    graded: r.graded,
    correct: r.correct,
    accuracy: r.accuracy,
    accuracy_ci: r.accuracyCi,
    quality_kept: r.qualityKept,
    estimated: r.estimated,
    ...(r.escalation ? { escalation: { prompts: r.escalation.prompts, escalated: r.escalation.escalated, rate: r.escalation.rate } } : {}),
  };
}

export function compareJson(report: CompareReport) {
  return {
    mode: report.mode,
    prompts: report.prompts,
    baseline_model: report.baselineModel,
    min_quality: report.minQuality,
    policies: report.policies.map(rowJson),
    references: report.references.map(rowJson),
    best: report.best,
    quality: report.quality,
    regressions: report.regressions,
  };
}
