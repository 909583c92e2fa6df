import { areaUnder, curveOf, pointOf, randomCostCutAt, randomCurve, type Outcome, type Point, type RouterKind } from './curve.js';

export interface TargetRule {
  /** Share of the strong model's accuracy to keep (0.95). */
  target: number;
  /** The pooled held-out quality must reach target + margin. */
  margin: number;
  /** And at least this share of the folds must meet the target on their own. */
  foldShare: number;
}

/** Seeded fold of each prompt: a shuffle from the random source passed in, then round robin. */
export function assignFolds(n: number, folds: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const fold = new Array<number>(n);
  order.forEach((i, k) => (fold[i] = k % folds));
  return fold;
}

const indexOf = (fold: readonly number[], f: number, inFold: boolean) => fold.flatMap((g, i) => ((g === f) === inFold ? [i] : []));

export interface Choice {
  threshold: number;
  /** The pooled held-out point at that threshold. */
  point: Point;
  /** Share of folds whose held-out quality met the target. */
  foldsMet: number;
  /** Whether a threshold met the rule (else: keep nothing, the strong model everywhere). */
  met: boolean;
}

/**
 * The threshold with the largest cost cut whose held-out quality, pooled over the folds, reaches
 * target + margin and meets the target in at least `foldShare` of the folds. `scores` are
 * out-of-fold scores (each from a model that did not see that prompt). When none does, the
 * threshold keeps no cheap answer.
 */
export function chooseThreshold(kind: RouterKind, outcomes: readonly Outcome[], scores: readonly number[], fold: readonly number[], folds: number, rule: TargetRule, among?: readonly number[]): Choice {
  const index = among ?? outcomes.map((_, i) => i);
  const foldIndex = Array.from({ length: folds }, (_, f) => index.filter((i) => fold[i] === f)).filter((ix) => ix.length > 0);
  let best: Choice | undefined;
  for (const point of curveOf(kind, outcomes, index, scores)) {
    if (point.kept === 0 || point.quality < rule.target + rule.margin) continue;
    const met = foldIndex.filter((ix) => pointOf(kind, outcomes, ix, (i) => scores[i]! >= point.threshold).quality >= rule.target).length / foldIndex.length;
    if (met < rule.foldShare) continue;
    if (!best || point.costCut > best.point.costCut) best = { threshold: point.threshold, point, foldsMet: met, met: true };
  }
  if (best) return best;
  const none = Math.max(...index.map((i) => scores[i]!)) + 1e-9;
  const point = pointOf(kind, outcomes, index, () => false, none);
  return { threshold: none, point, foldsMet: 0, met: false };
}

export interface HeldOut {
  /** Cheap answers kept where a threshold chosen without the prompt's fold says so, pooled. */
  point: Point;
  /** Share of folds that met the target with the threshold chosen on the other folds. */
  foldsMet: number;
  /** The curve of the out-of-fold scores, and its area. */
  curve: Point[];
  area: number;
  /** Whether each prompt's cheap answer was kept. */
  keep: boolean[];
}

/**
 * Held-out figures of a router: each fold is routed with a threshold chosen on the other folds'
 * out-of-fold scores, so that neither the model nor the threshold has seen the prompts it routes.
 */
export function heldOut(kind: RouterKind, outcomes: readonly Outcome[], scores: readonly number[], fold: readonly number[], folds: number, rule: TargetRule): HeldOut {
  const keep = new Array<boolean>(outcomes.length).fill(false);
  let met = 0;
  let used = 0;
  for (let f = 0; f < folds; f++) {
    const test = indexOf(fold, f, true);
    if (!test.length) continue;
    used++;
    const t = chooseThreshold(kind, outcomes, scores, fold, folds, rule, indexOf(fold, f, false)).threshold;
    for (const i of test) keep[i] = scores[i]! >= t;
    if (pointOf(kind, outcomes, test, (i) => keep[i]!).quality >= rule.target) met++;
  }
  const all = outcomes.map((_, i) => i);
  const curve = curveOf(kind, outcomes, all, scores);
  return { point: pointOf(kind, outcomes, all, (i) => keep[i]!), foldsMet: used ? met / used : 0, curve, area: areaUnder(curve), keep };
}

/** The random router's figures on the same prompts: its cost cut at the learned router's quality, and its area. */
export function randomBaseline(kind: RouterKind, outcomes: readonly Outcome[], quality: number): { costCut: number; curve: Point[]; area: number } {
  const all = outcomes.map((_, i) => i);
  const curve = randomCurve(kind, outcomes, all);
  return { costCut: randomCostCutAt(kind, outcomes, all, quality), curve, area: areaUnder(curve) };
}

/**
 * Whether the cheap answers a router kept are better than chance: fewer wrong ones among them
 * than a random pick of as many prompts would give, by two standard errors (hypergeometric).
 */
export function betterThanChance(outcomes: readonly Outcome[], keep: readonly boolean[]): boolean {
  const n = outcomes.length;
  const m = keep.filter(Boolean).length;
  if (m === 0 || n < 2) return false;
  const good = outcomes.filter((o) => o.cheapOk).length / n;
  const wrong = outcomes.filter((o, i) => keep[i] && !o.cheapOk).length;
  const sd = Math.sqrt((m * good * (1 - good) * (n - m)) / (n - 1));
  return wrong <= m * (1 - good) - 2 * sd;
}

/** A deterministic PRNG (mulberry32) from a seed: the same folds on every run with the same --seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
