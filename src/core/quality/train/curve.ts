/**
 * Cost and quality of routing between a cheap and a strong model, from per-prompt outcomes.
 * A router keeps the cheap answer when its score reaches a threshold. For a prompt-only router
 * a kept prompt costs the cheap call and any other the strong call; for a cascade every prompt
 * costs the cheap call and an escalated one the strong call too. Costs are plain numbers here
 * (USD): the figures are ratios; money itself stays in bigint picodollars outside.
 */
export interface Outcome {
  cheapOk: boolean;
  strongOk: boolean;
  cheapCost: number;
  strongCost: number;
}

export type RouterKind = 'prompt' | 'cascade';

export interface Point {
  threshold: number;
  /** Share of prompts whose cheap answer is kept. */
  kept: number;
  /** 1 - cost / cost of always the strong model. */
  costCut: number;
  /** Accuracy / accuracy of always the strong model. */
  quality: number;
}

/** Routing figures for the prompts `index` when the cheap answer is kept where `keep(i)`. */
export function pointOf(kind: RouterKind, outcomes: readonly Outcome[], index: readonly number[], keep: (i: number) => boolean, threshold = NaN): Point {
  let cost = 0;
  let strongCost = 0;
  let right = 0;
  let strongRight = 0;
  let kept = 0;
  for (const i of index) {
    const o = outcomes[i]!;
    const k = keep(i);
    if (k) kept++;
    cost += k ? o.cheapCost : kind === 'cascade' ? o.cheapCost + o.strongCost : o.strongCost;
    strongCost += o.strongCost;
    if (k ? o.cheapOk : o.strongOk) right++;
    if (o.strongOk) strongRight++;
  }
  return {
    threshold,
    kept: index.length ? kept / index.length : 0,
    costCut: strongCost > 0 ? 1 - cost / strongCost : 0,
    quality: strongRight > 0 ? right / strongRight : right > 0 ? Infinity : 1,
  };
}

/** The thresholds worth trying: just under each distinct score and just over the highest. */
export function thresholds(scores: readonly number[]): number[] {
  const s = [...new Set(scores)].sort((a, b) => a - b);
  return [...s, s.length ? s[s.length - 1]! + 1e-9 : 1];
}

/** The curve of a scorer over all its thresholds, from keeping everything to keeping nothing. */
export function curveOf(kind: RouterKind, outcomes: readonly Outcome[], index: readonly number[], scores: readonly number[]): Point[] {
  return thresholds(index.map((i) => scores[i]!)).map((t) => pointOf(kind, outcomes, index, (i) => scores[i]! >= t, t));
}

/**
 * The random router that sends a share `p` of prompts to the cheap model alone, in expectation:
 * cost and quality are linear in p between the two models (for a cascade, a random escalation).
 */
export function randomCurve(kind: RouterKind, outcomes: readonly Outcome[], index: readonly number[], steps = 20): Point[] {
  const all = pointOf(kind, outcomes, index, () => true);
  const none = pointOf(kind, outcomes, index, () => false);
  return Array.from({ length: steps + 1 }, (_, s) => {
    const p = s / steps;
    return { threshold: NaN, kept: p, costCut: p * all.costCut + (1 - p) * none.costCut, quality: p * all.quality + (1 - p) * none.quality };
  });
}

/** The random router's cost cut at a given quality (linear between the two ends). */
export function randomCostCutAt(kind: RouterKind, outcomes: readonly Outcome[], index: readonly number[], quality: number): number {
  const all = pointOf(kind, outcomes, index, () => true);
  const none = pointOf(kind, outcomes, index, () => false);
  if (quality >= none.quality) return none.costCut;
  if (quality <= all.quality) return all.costCut;
  const p = (none.quality - quality) / (none.quality - all.quality);
  return p * all.costCut + (1 - p) * none.costCut;
}

/**
 * The area under the cost-quality curve: quality kept, integrated over the cost cut from the
 * strong model's end (cut 0 for a prompt router) to the curve's cheapest point, with the curve
 * made monotone (the best quality reachable at that cut or more). Comparable between routers of
 * the same kind on the same prompts.
 */
export function areaUnder(points: readonly Point[]): number {
  const sorted = [...points].sort((a, b) => a.costCut - b.costCut);
  let area = 0;
  let best = -Infinity;
  const frontier: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    best = Math.max(best, Math.min(sorted[i]!.quality, 1));
    frontier.unshift({ ...sorted[i]!, quality: best });
  }
  for (let i = 1; i < frontier.length; i++) area += ((frontier[i]!.costCut - frontier[i - 1]!.costCut) * (frontier[i]!.quality + frontier[i - 1]!.quality)) / 2;
  return area;
}
