import type { CompareReport, PolicyResult, Regression } from '../../core/quality/compare-types.js';
import { formatUsd, UNKNOWN } from '../../core/money/money.js';
import type { ChartPoint } from './chart-model.js';
import { describeRow, formatAccuracyCi, formatCount, formatEscalation, formatFraction, savingsPct, savingsUsd } from './format.js';
import { esc, head } from './html-text.js';

const ANSWER_HEAD = 160;

function td(text: string, cls?: string): string {
  return cls ? `<td class="${cls}">${esc(text)}</td>` : `<td>${esc(text)}</td>`;
}

function calls(row: PolicyResult): string {
  const items = Object.entries(row.callsByModel).map(([model, n]) => `<li><span class="model">${esc(model)}</span> <span class="n">${esc(formatCount(n))}</span></li>`);
  return `<td><ul class="calls">${items.join('')}</ul></td>`;
}

function figures(row: PolicyResult, escalation: boolean): string[] {
  return [
    calls(row),
    td(formatUsd(row.cost), 'num'),
    ...(escalation ? [td(formatEscalation(row) || UNKNOWN, 'num')] : []),
    td(formatUsd(row.baselineCost), 'num'),
    td(`${savingsUsd(row)} (${savingsPct(row)})`, 'num'),
    td(formatAccuracyCi(row), 'num'),
    td(formatFraction(row.qualityKept), 'num'),
    td(formatCount(row.estimated), 'num'),
  ];
}

/** The escalation column only when a policy has cascades. */
const hasEscalation = (report: CompareReport) => report.policies.some((r) => r.escalation);
const figureHeads = (escalation: boolean) => ['calls by model', 'spend', ...(escalation ? ['escalated'] : []), 'baseline spend', 'saved', 'accuracy (95% CI)', 'quality kept', 'estimated'];

function thead(heads: string[], numeric: number): string {
  return `<thead><tr>${heads.map((h, i) => `<th${i >= heads.length - numeric ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>`;
}

function marker(p: ChartPoint | undefined): string {
  if (!p) return '<td></td>';
  return `<td class="marker ${p.row.kind}">${esc(p.marker)}${p.best ? ' <span class="star">★</span>' : ''}</td>`;
}

export function policiesTable(report: CompareReport, points: Map<PolicyResult, ChartPoint>): string {
  const escalation = hasEscalation(report);
  const rows = report.policies.map((row) => {
    const best = row.name === report.best;
    const name = `<td class="name">${esc(row.name)}${best ? ' <span class="badge">best</span>' : ''}</td>`;
    return `<tr${best ? ' class="best"' : ''}>${marker(points.get(row))}${name}${td(row.file ?? UNKNOWN, 'file')}${figures(row, escalation).join('')}</tr>`;
  });
  const heads = figureHeads(escalation);
  return `<table id="policies">${thead(['', 'policy', 'file', ...heads], heads.length - 1)}<tbody>${rows.join('')}</tbody></table>`;
}

export function referencesTable(report: CompareReport, points: Map<PolicyResult, ChartPoint>): string {
  const escalation = hasEscalation(report);
  const rows = report.references.map(
    (row) =>
      `<tr class="${row.kind}">${marker(points.get(row))}<td class="name" title="${esc(describeRow(row, report.baselineModel))}">${esc(row.name)}</td>${figures(row, escalation).join('')}</tr>`,
  );
  const heads = figureHeads(escalation);
  return `<table id="references">${thead(['', 'reference', ...heads], heads.length - 1)}<tbody>${rows.join('')}</tbody></table>`;
}

export function regressionsTable(regressions: Regression[]): string {
  const rows = regressions.map(
    (r) =>
      `<tr>${td(r.policy)}${td(r.id, 'id')}${td(r.class ?? UNKNOWN)}${td(r.model)}<td class="text">${esc(head(r.expected, ANSWER_HEAD))}</td><td class="text">${esc(head(r.answer, ANSWER_HEAD))}</td></tr>`,
  );
  const heads = ['policy', 'id', 'class', 'model', 'expected', 'answer (head)'];
  return `<table id="regressions"><thead><tr>${heads.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
