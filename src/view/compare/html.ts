import type { CompareReport, PolicyResult } from '../../core/quality/compare-types.js';
import { formatInt, formatUsd } from '../../core/money/money.js';
import { chartModel, type ChartModel, type ChartPoint } from './chart-model.js';
import { describeMode, formatFraction, qualityWarning, savingsPct, tradeOffs } from './format.js';
import { policiesTable, referencesTable, regressionsTable } from './html-tables.js';
import { esc } from './html-text.js';
import { chartSvg } from './svg.js';

export interface HtmlOptions {
  title?: string | undefined;
  /** When the report was made, as the caller wants it shown (core and views read no clock). */
  generatedAt: string;
}

// Nothing may load: no scripts, fonts, images or styles from anywhere. The policy also makes the
// browser report any such attempt on its console, which the Chromium test watches.
const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const CSS = `
:root { --policy: #1f6feb; --best: #1a7f37; --baseline: #bf8700; --single: #8250df; --random: #6e7781; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; }
.verdict { border-left: 4px solid var(--best); background: #f0f9f2; padding: 10px 14px; margin: 16px 0; }
.verdict.none { border-color: var(--baseline); background: #fff8e6; }
figure { margin: 8px 0; }
figure svg { width: 100%; height: auto; max-width: 880px; display: block; }
figcaption { color: var(--muted); font-size: 13px; }
.legend { list-style: none; padding: 0; margin: 6px 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 13px; }
.legend .sw { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; }
.sw.policy { background: var(--policy); border-radius: 50%; }
.sw.best { background: var(--best); border-radius: 50%; box-shadow: 0 0 0 2px #fff, 0 0 0 4px var(--best); }
.sw.baseline { background: var(--baseline); transform: rotate(45deg) scale(.85); }
.sw.single { background: var(--single); border-radius: 2px; }
.sw.random { border: 2px solid var(--random); border-radius: 50%; }
.sw.line { border-top: 3px dotted var(--random); height: 0; vertical-align: 3px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .plot { fill: #fbfcfd; stroke: none; }
svg .grid { stroke: #e6eaef; stroke-width: 1; }
svg .axis { stroke: var(--muted); stroke-width: 1.2; }
svg .tick { fill: var(--muted); }
svg .axis-title { fill: var(--muted); font-weight: 600; }
svg .random-line { stroke: var(--random); stroke-width: 2.5; stroke-dasharray: 0.1 6; stroke-linecap: round; }
svg .ci { stroke: var(--policy); stroke-width: 1.5; opacity: .45; }
svg .pt.policy { fill: var(--policy); }
svg .pt.best { fill: var(--best); }
svg .halo { fill: none; stroke: var(--best); stroke-width: 2.5; }
svg .pt.baseline { fill: var(--baseline); }
svg .pt.single { fill: var(--single); }
svg .pt.random { fill: #fff; stroke: var(--random); stroke-width: 2; }
svg .mark { font-size: 10px; font-weight: 700; fill: #fff; }
svg .random + .mark { fill: var(--random); }
svg .label.best { fill: var(--best); font-weight: 700; }
svg .label.random { fill: var(--muted); }
svg .bar.policy { fill: var(--policy); } svg .bar.best { fill: var(--best); } svg .bar.baseline { fill: var(--baseline); }
svg .bar.single { fill: var(--single); } svg .bar.random { fill: var(--random); }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 4px 0 8px; }
th, td { border-bottom: 1px solid var(--rule); padding: 5px 7px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; vertical-align: bottom; }
th.num { white-space: normal; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.best td { background: #f0f9f2; }
.badge { background: var(--best); color: #fff; border-radius: 9px; padding: 0 7px; font-size: 11px; font-weight: 600; }
.marker { font-weight: 700; text-align: center; }
.marker.policy { color: var(--policy); } .marker.baseline { color: var(--baseline); } .marker.single { color: var(--single); } .marker.random { color: var(--random); }
tr.best .marker, .star { color: var(--best); }
.calls { list-style: none; margin: 0; padding: 0; white-space: nowrap; font-size: 12px; }
.scroll { overflow-x: auto; }
#references td.name { white-space: nowrap; }
.calls .model { color: var(--muted); }
.calls .n { font-variant-numeric: tabular-nums; }
.file, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 380px; }
.empty, footer { color: var(--muted); }
footer { margin-top: 32px; font-size: 12px; }
`;

function verdict(report: CompareReport): string {
  const warning = qualityWarning(report);
  if (warning) return `<p class="verdict none"><strong>No best policy</strong>: ${esc(warning)}.</p>`;
  const others = tradeOffs(report);
  const rest = others.length ? `<br>${others.map((t) => esc(t)).join('; ')}.` : '';
  const best = report.policies.find((p) => p.name === report.best);
  if (best) {
    const saved = formatUsd(best.baselineCost - best.cost);
    return `<p class="verdict"><strong>Best: ${esc(best.name)}</strong>: saves ${esc(saved)} (${esc(savingsPct(best))}) against the baseline and keeps ${esc(formatFraction(best.qualityKept))} of its quality.${rest}</p>`;
  }
  return `<p class="verdict none"><strong>No best policy</strong>: no policy keeps ${esc(formatFraction(report.minQuality))} of the baseline's quality.${rest}</p>`;
}

function legend(model: ChartModel): string {
  const items: Array<[string, string]> = [
    ['policy', 'policy'],
    ['best', 'best policy'],
    ['baseline', 'baseline only'],
    ['single', 'one model only'],
    ['random', 'random router with the policy’s model shares'],
  ];
  if (model.randomLine) items.push(['line', `random split between the cheapest model (${Object.keys(model.randomLine.from.row.callsByModel).join(', ')}) and the baseline`]);
  return `<ul class="legend">${items.map(([cls, text]) => `<li><span class="sw ${cls}"></span>${esc(text)}</li>`).join('')}</ul>`;
}

function chartSection(model: ChartModel): string {
  const unplotted = model.yTicks ? model.points.filter((p) => p.y === null).map((p) => p.row.name) : [];
  const caption = model.yTicks
    ? 'Accuracy against spend. Vertical bars: 95% confidence intervals of the policies and the baseline. A policy worth using sits above the dotted line.'
    : 'Spend of each row. Quality is unknown: no prompt carries an expected answer.';
  const note = unplotted.length ? ` Not plotted, quality unknown: ${unplotted.join(', ')}.` : '';
  return `<figure>\n${chartSvg(model)}\n${model.yTicks ? legend(model) : ''}<figcaption>${esc(caption + note)}</figcaption></figure>`;
}

function meta(report: CompareReport): string {
  const items: Array<[string, string]> = [
    ['mode', describeMode(report)],
    ['prompts', formatInt(report.prompts)],
    ['baseline model', report.baselineModel],
    ['minimum quality', `${formatFraction(report.minQuality)} of the baseline's accuracy`],
  ];
  return `<dl class="meta">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/** The `--html` report of `frugal compare`: one self-contained file (inline CSS and SVG, no scripts, nothing fetched). */
export function renderHtml(report: CompareReport, options: HtmlOptions): string {
  const title = options.title ?? 'frugal compare';
  const model = chartModel(report, { maxXIntervals: 5, maxYIntervals: 10 });
  const points = new Map<PolicyResult, ChartPoint>(model.points.map((p) => [p.row, p]));
  const graded = [...report.policies, ...report.references].some((r) => r.accuracy !== null);
  const regressions = report.regressions.length
    ? regressionsTable(report.regressions)
    : `<p class="empty">${graded ? 'None: no policy got wrong a prompt that the baseline got right.' : 'None to show: nothing was graded.'}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="frugal">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
${meta(report)}
</header>
<main>
${verdict(report)}
<h2>Cost and quality</h2>
${chartSection(model)}
<h2>Policies</h2>
<div class="scroll">${policiesTable(report, points)}</div>
<h2>Reference rows</h2>
<div class="scroll">${referencesTable(report, points)}</div>
<h2>Regressions</h2>
<p>Prompts a policy got wrong that the baseline got right.</p>
<div class="scroll">${regressions}</div>
</main>
<footer>Generated by frugal at ${esc(options.generatedAt)}. This file is self-contained: it runs no script and loads nothing.</footer>
</body>
</html>
`;
}
