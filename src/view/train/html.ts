import type { Point } from '../../core/quality/train/curve.js';
import type { TrainReport } from '../../core/quality/train/train.js';
import { esc as escapeHtml } from '../compare/html-text.js';
import type { Series } from './chart.js';

const W = 640;
const H = 360;
const PAD = 48;

/** The series of `frugal train`'s chart: the random router, the length rule and the learned router. */
export function trainSeries(r: TrainReport): Series[] {
  return [
    { mark: '.', label: 'random router', points: r.random.curve },
    { mark: 'l', label: 'prompt-length rule', points: r.lengthRule.curve },
    { mark: '*', label: `learned ${r.best.kind}`, points: r.best.heldOut.curve },
  ];
}

const COLOURS = ['#999999', '#d08c00', '#1f6feb'];

function finite(points: Point[]): Point[] {
  return points.filter((p) => Number.isFinite(p.costCut) && Number.isFinite(p.quality));
}

/** The cost-quality curves as an SVG line chart: cost cut across, quality kept up. */
export function curveSvg(series: Series[]): string {
  const pts = series.flatMap((s) => finite(s.points));
  const x0 = Math.min(0, ...pts.map((p) => p.costCut));
  const x1 = Math.max(x0 + 1e-9, ...pts.map((p) => p.costCut));
  const y0 = Math.min(1, ...pts.map((p) => p.quality));
  const y1 = Math.max(1, ...pts.map((p) => p.quality));
  const x = (v: number) => PAD + ((v - x0) / (x1 - x0)) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - ((v - y0) / (y1 - y0 || 1)) * (H - 2 * PAD);
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
  const lines = series.map((s, i) => {
    const d = finite(s.points)
      .sort((a, b) => a.costCut - b.costCut)
      .map((p) => `${x(p.costCut).toFixed(1)},${y(p.quality).toFixed(1)}`)
      .join(' ');
    return `<polyline fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2" points="${d}"><title>${escapeHtml(s.label)}</title></polyline>`;
  });
  const legend = series.map((s, i) => `<text x="${PAD + 170 * i}" y="${PAD / 2}" fill="${COLOURS[i % COLOURS.length]}">${escapeHtml(s.label)}</text>`);
  const axes = [
    `<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#444"/>`,
    `<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#444"/>`,
    `<text x="${PAD}" y="${H - PAD + 18}">${pct(x0)}</text><text x="${W - PAD}" y="${H - PAD + 18}" text-anchor="end">${pct(x1)} cost cut</text>`,
    `<text x="${PAD - 6}" y="${H - PAD}" text-anchor="end">${pct(y0)}</text><text x="${PAD - 6}" y="${PAD + 4}" text-anchor="end">${pct(y1)}</text>`,
    `<text x="${PAD}" y="${PAD - 6}" font-size="11">quality kept</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">${axes.join('')}${lines.join('')}${legend.join('')}</svg>`;
}

/** A self-contained page: the chart and the report's text, openable offline. */
export function trainHtml(r: TrainReport, text: string, generatedAt: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>frugal train</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}pre{background:#f6f8fa;padding:1em;overflow-x:auto}</style></head>
<body><h1>frugal train: cost against quality kept, on held-out folds</h1>
<p>Generated ${escapeHtml(generatedAt)}.</p>
${curveSvg(trainSeries(r))}
<pre>${escapeHtml(text)}</pre>
</body></html>
`;
}
