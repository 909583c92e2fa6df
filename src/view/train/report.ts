import { pointOf, randomCostCutAt, type Outcome, type Point, type RouterKind } from '../../core/quality/train/curve.js';
import type { TrainReport } from '../../core/quality/train/train.js';
import { curveChart } from './chart.js';
import { trainSeries } from './html.js';

export interface TrainMeta {
  input: string;
  cheap: string;
  strong: string;
  target: number;
  folds: number;
  at: string;
}

/** The written router on prompts set aside (--holdout), beside the random router at the same quality. */
export interface HoldoutFigures {
  prompts: number;
  point: Point;
  randomCostCut: number;
}

export function holdoutFigures(kind: RouterKind, outcomes: Outcome[], keep: boolean[], target: number): HoldoutFigures {
  const all = outcomes.map((_, i) => i);
  const point = pointOf(kind, outcomes, all, (i) => keep[i]!);
  return { prompts: outcomes.length, point, randomCostCut: randomCostCutAt('prompt', outcomes, all, Math.min(point.quality, target)) };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
const fig = (p: Point) => ({ cost_cut: round(p.costCut), quality_kept: round(p.quality), cheap_kept: round(p.kept) });
const round = (x: number) => (Number.isFinite(x) ? +x.toFixed(6) : null);

export function trainJson(r: TrainReport, m: TrainMeta, holdout?: HoldoutFigures): unknown {
  return {
    ...m,
    prompts: r.prompts,
    written: r.best.kind,
    beats_random: r.beatsRandom,
    threshold: r.best.scorer.threshold,
    routers: r.routers.map((x) => ({ kind: x.kind, held_out: fig(x.heldOut.point), folds_met: round(x.heldOut.foldsMet), area: round(x.heldOut.area), threshold: x.scorer.threshold, features: Object.keys(x.scorer.model.weights).length })),
    random: { held_out: { ...fig(r.random.heldOut), cost_cut: round(r.randomCutAtBest) }, area: round(r.random.area) },
    length_rule: { held_out: fig(r.lengthRule.heldOut), folds_met: round(r.lengthRule.foldsMet ?? 0), area: round(r.lengthRule.area) },
    ...(holdout ? { holdout: { prompts: holdout.prompts, ...fig(holdout.point), random_cost_cut: round(holdout.randomCostCut) } } : {}),
  };
}

export function trainText(r: TrainReport, m: TrainMeta, holdout: HoldoutFigures | undefined, columns = 80): string {
  const row = (name: string, p: Point, folds: number | undefined, area: number) =>
    `  ${name.padEnd(22)} ${pct(p.costCut).padStart(8)} ${pct(p.quality).padStart(8)} ${pct(p.kept).padStart(8)} ${(folds === undefined ? '' : pct(folds)).padStart(8)} ${area.toFixed(4).padStart(8)}`;
  const lines = [
    `frugal train: ${r.prompts} graded prompts of ${m.input}, cheap ${m.cheap}, strong ${m.strong}; target quality ${pct(m.target)}`,
    `held out (${m.folds}-fold cross-validation; model and threshold never saw the prompts they route):`,
    `  ${'router'.padEnd(22)} ${'cost cut'.padStart(8)} ${'quality'.padStart(8)} ${'cheap'.padStart(8)} ${'folds ok'.padStart(8)} ${'area'.padStart(8)}`,
    ...r.routers.map((x) => row(`${x.kind === 'prompt' ? 'learned prompt router' : 'learned cascade'}${x === r.best ? ' *' : ''}`, x.heldOut.point, x.heldOut.foldsMet, x.heldOut.area)),
    row('random router', { ...r.random.heldOut, costCut: r.randomCutAtBest }, undefined, r.random.area),
    row('prompt-length rule', r.lengthRule.heldOut, r.lengthRule.foldsMet, r.lengthRule.area),
    `  * written (the larger held-out cost cut of those that beat the random router); threshold ${r.best.scorer.threshold}`,
  ];
  if (holdout) {
    lines.push(`set aside (--holdout, ${holdout.prompts} prompts): cost cut ${pct(holdout.point.costCut)}, quality kept ${pct(holdout.point.quality)}; the random router cuts ${pct(holdout.randomCostCut)} at that quality (at most the target)`);
  }
  lines.push(
    '',
    curveChart(trainSeries(r), Math.max(30, Math.min(72, columns - 10))),
  );
  lines.push(r.beatsRandom ? 'the learned router beats the random router on held-out folds' : 'the learned router does NOT beat the random router on held-out folds');
  return lines.join('\n');
}
