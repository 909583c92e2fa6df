import { formatUsd } from '../../core/money/money.js';
import { byPriority, type ChartModel, type ChartPoint } from './chart-model.js';
import { formatAccuracyCi } from './format.js';
import { esc, num } from './html-text.js';

const W = 880;
const H = 520;
const M = { top: 24, right: 24, bottom: 64, left: 72 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
/** Width of one character of the 12px labels, roughly, to keep labels apart. */
const CHAR = 6.8;

type Box = [number, number, number, number];

function overlap(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

export interface Placed {
  p: ChartPoint;
  x: number;
  y: number;
}

function labelText(p: ChartPoint): string {
  return p.best ? `${p.row.name} ★ best` : p.row.name;
}

// Beside the point, then above and below it, then further away in steps of a line: where points
// crowd (the baseline and the dear models at the top right) the labels stack instead of colliding.
const SPOTS: [number, number, 'start' | 'end'][] = [
  [12, 4, 'start'],
  [-12, 4, 'end'],
  [8, -12, 'start'],
  [8, 22, 'start'],
  [-8, -12, 'end'],
  [-8, 22, 'end'],
  ...[1, 2, 3, 4, 5, 6].flatMap((k): [number, number, 'start' | 'end'][] => [
    [12, -12 - 14 * k, 'start'],
    [12, 22 + 14 * k, 'start'],
    [-12, -12 - 14 * k, 'end'],
    [-12, 22 + 14 * k, 'end'],
  ]),
];

/** Beside, then above or below the point, whichever spot overlaps the fewest points and labels already drawn. */
export function placeLabels(placed: Placed[]): string[] {
  const taken: Box[] = placed.map(({ x, y }) => [x - 9, y - 9, x + 9, y + 9]);
  const out: string[] = [];
  for (const { p, x, y } of placed) {
    const text = labelText(p);
    const w = text.length * CHAR;
    const spots: Array<{ tx: number; ty: number; anchor: 'start' | 'end'; box: Box }> = SPOTS.map(([dx, dy, anchor]) => {
      const tx = x + (dx as number);
      const ty = y + (dy as number);
      const left = anchor === 'start' ? tx : tx - w;
      return { tx, ty, anchor: anchor as 'start' | 'end', box: [left, ty - 11, left + w, ty + 3] as Box };
    });
    let best = spots[0]!;
    let bestCost = Infinity;
    for (const s of spots) {
      const outside = s.box[0] < 0 || s.box[2] > W || s.box[1] < 0 || s.box[3] > H ? 1e9 : 0;
      const cost = outside + taken.reduce((n, b) => n + overlap(s.box, b), 0);
      if (cost < bestCost) [best, bestCost] = [s, cost];
      if (cost === 0) break;
    }
    taken.push(best.box);
    out.push(`<text class="label ${p.row.kind}${p.best ? ' best' : ''}" x="${num(best.tx)}" y="${num(best.ty)}" text-anchor="${best.anchor}">${esc(text)}</text>`);
  }
  return out;
}

function shape(p: ChartPoint, x: number, y: number): string {
  const cls = `pt ${p.row.kind}${p.best ? ' best' : ''}`;
  const mark = `<text class="mark" x="${num(x)}" y="${num(y + 4)}" text-anchor="middle">${esc(p.marker)}</text>`;
  switch (p.row.kind) {
    case 'baseline':
      return `<path class="${cls}" d="M${num(x)} ${num(y - 9)}L${num(x + 9)} ${num(y)}L${num(x)} ${num(y + 9)}L${num(x - 9)} ${num(y)}Z"/>`;
    case 'single':
      return `<rect class="${cls}" x="${num(x - 7)}" y="${num(y - 7)}" width="14" height="14" rx="2"/>${mark}`;
    case 'random':
      return `<circle class="${cls}" cx="${num(x)}" cy="${num(y)}" r="7"/>${mark}`;
    case 'policy':
      return `${p.best ? `<circle class="halo" cx="${num(x)}" cy="${num(y)}" r="13"/>` : ''}<circle class="${cls}" cx="${num(x)}" cy="${num(y)}" r="8"/>${mark}`;
  }
}

function tooltip(p: ChartPoint): string {
  return `${p.row.name}: spend ${formatUsd(p.row.cost)}, accuracy ${formatAccuracyCi(p.row)}`;
}

function axes(model: ChartModel): string[] {
  const out = [`<rect class="plot" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`];
  for (const t of model.xTicks) {
    const x = M.left + t.at * PW;
    out.push(`<line class="grid" x1="${num(x)}" y1="${M.top}" x2="${num(x)}" y2="${M.top + PH}"/>`);
    out.push(`<text class="tick" x="${num(x)}" y="${M.top + PH + 20}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  for (const t of model.yTicks ?? []) {
    const y = M.top + (1 - t.at) * PH;
    out.push(`<line class="grid" x1="${M.left}" y1="${num(y)}" x2="${M.left + PW}" y2="${num(y)}"/>`);
    out.push(`<text class="tick" x="${M.left - 10}" y="${num(y + 4)}" text-anchor="end">${esc(t.label)}</text>`);
  }
  out.push(`<line class="axis" x1="${M.left}" y1="${M.top + PH}" x2="${M.left + PW}" y2="${M.top + PH}"/>`);
  out.push(`<line class="axis" x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + PH}"/>`);
  out.push(`<text class="axis-title" x="${M.left + PW / 2}" y="${H - 16}" text-anchor="middle">spend (USD)</text>`);
  out.push(`<text class="axis-title" transform="translate(18 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">accuracy</text>`);
  return out;
}

function scatterSvg(model: ChartModel): string {
  const X = (f: number): number => M.left + f * PW;
  const Y = (f: number): number => M.top + (1 - f) * PH;
  const parts = axes(model);
  const line = model.randomLine;
  if (line && line.from.y !== null && line.to.y !== null) {
    parts.push(`<line class="random-line" x1="${num(X(line.from.x))}" y1="${num(Y(line.from.y))}" x2="${num(X(line.to.x))}" y2="${num(Y(line.to.y))}"><title>a random split between the cheapest model and the baseline</title></line>`);
  }
  const order = byPriority(model.points);
  const placed: Placed[] = order.flatMap((p) => (p.y === null ? [] : [{ p, x: X(p.x), y: Y(p.y) }]));
  const range = model.yRange;
  for (const { p, x } of placed) {
    const ci = p.row.accuracyCi;
    if (!ci || !range || (p.row.kind !== 'policy' && p.row.kind !== 'baseline')) continue;
    const clamp = (a: number): number => Y(Math.min(1, Math.max(0, (a - range.lo) / (range.hi - range.lo))));
    parts.push(`<line class="ci" x1="${num(x)}" y1="${num(clamp(ci[0]))}" x2="${num(x)}" y2="${num(clamp(ci[1]))}"/>`);
  }
  // Drawn back to front: random routers under references under policies.
  for (const { p, x, y } of [...placed].reverse()) {
    parts.push(`<g class="point" data-name="${esc(p.row.name)}"><title>${esc(tooltip(p))}</title>${shape(p, x, y)}</g>`);
  }
  parts.push(...placeLabels(placed));
  return svg(H, 'spend and accuracy of each policy and reference row', parts);
}

function barsSvg(model: ChartModel): string {
  const rowH = 28;
  const height = M.top + model.points.length * rowH + 16;
  const labelW = 260;
  const barW = W - labelW - 120;
  const maxCost = model.points.reduce((m, p) => (p.row.cost > m ? p.row.cost : m), 0n);
  const parts: string[] = [];
  model.points.forEach((p, i) => {
    const y = M.top + i * rowH;
    const frac = maxCost > 0n ? Number((p.row.cost * 1_000_000n) / maxCost) / 1_000_000 : 0;
    const name = p.best ? `${p.row.name} ★ best` : p.row.name;
    parts.push(
      `<g class="point" data-name="${esc(p.row.name)}"><title>${esc(`${p.row.name}: spend ${formatUsd(p.row.cost)}`)}</title>` +
        `<text class="label" x="${labelW - 10}" y="${y + 17}" text-anchor="end">${esc(name)}</text>` +
        `<rect class="bar ${p.row.kind}${p.best ? ' best' : ''}" x="${labelW}" y="${y + 5}" width="${num(Math.max(frac * barW, p.row.cost > 0n ? 1 : 0))}" height="${rowH - 10}"/>` +
        `<text class="tick" x="${num(labelW + frac * barW + 8)}" y="${y + 17}">${esc(formatUsd(p.row.cost))}</text></g>`,
    );
  });
  return svg(height, 'spend of each policy and reference row (quality unknown)', parts);
}

function svg(height: number, label: string, parts: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(label)}">`,
    ...parts.map((p) => `  ${p}`),
    '</svg>',
  ].join('\n');
}

/** The chart of the terminal, as inline SVG: a scatter of spend against accuracy, or spend bars when nothing was graded. */
export function chartSvg(model: ChartModel): string {
  return model.yTicks ? scatterSvg(model) : barsSvg(model);
}
