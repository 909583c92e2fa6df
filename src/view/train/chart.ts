import type { Point } from '../../core/quality/train/curve.js';

export interface Series {
  mark: string;
  label: string;
  points: Point[];
}

/**
 * The cost-quality curves as a plain-text scatter: cost cut across, quality kept up, one mark per
 * series (later series drawn over earlier ones). No colour: it reads the same piped.
 */
export function curveChart(series: Series[], width = 64, height = 14): string {
  const pts = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.costCut) && Number.isFinite(p.quality)));
  if (!pts.length) return '';
  const x0 = Math.min(0, ...pts.map((p) => p.costCut));
  const x1 = Math.max(...pts.map((p) => p.costCut), x0 + 1e-9);
  const y0 = Math.min(...pts.map((p) => Math.min(p.quality, 1)));
  const y1 = Math.max(1, y0 + 1e-9);
  const grid = Array.from({ length: height }, () => Array<string>(width).fill(' '));
  for (const s of series) {
    for (const p of s.points) {
      if (!Number.isFinite(p.costCut) || !Number.isFinite(p.quality)) continue;
      const col = Math.round(((p.costCut - x0) / (x1 - x0)) * (width - 1));
      const row = height - 1 - Math.round(((Math.min(p.quality, 1) - y0) / (y1 - y0)) * (height - 1));
      grid[row]![col] = s.mark;
    }
  }
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`.padStart(5);
  const lines = grid.map((r, i) => `${i === 0 ? pct(y1) : i === height - 1 ? pct(y0) : '     '} |${r.join('').trimEnd()}`);
  lines.unshift('quality kept');
  lines.push(`      +${'-'.repeat(width)}`);
  lines.push(`       ${pct(x0).trim().padEnd(width - 5)}${pct(x1)}  cost cut`);
  lines.push(`       ${series.map((s) => `${s.mark} ${s.label}`).join('   ')}`);
  return lines.join('\n');
}
