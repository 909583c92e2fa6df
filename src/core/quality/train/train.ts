import { inputText } from '../../prompt.js';
import type { CheckInput } from '../../routing/checks/schema.js';
import { SCORER_FORMAT, type ScorerFile } from '../scorer.js';
import { assignFolds, betterThanChance, chooseThreshold, heldOut, randomBaseline, type Choice, type HeldOut, type TargetRule } from './cross-validate.js';
import type { Outcome, Point, RouterKind } from './curve.js';
import { candidateFeatures, featureMatrix, type Example } from './features.js';
import { fitLogistic, predict } from './logistic.js';

export interface TrainOptions extends TargetRule {
  folds: number;
  /** The random source for the fold shuffle (seeded by the caller). */
  random: () => number;
  /** The policy's own checks, offered as features of the cascade scorer. */
  checks?: CheckInput[];
  l2?: number;
  /** The kinds of router the caller can write (the best is chosen among them). */
  writable?: RouterKind[];
  /** What the scorer file says it was trained on. */
  trainedOn: Record<string, unknown>;
}

export interface RouterReport {
  kind: RouterKind;
  heldOut: HeldOut;
  /** The threshold for the model fitted on all prompts, chosen on all out-of-fold scores. */
  choice: Choice;
  scorer: ScorerFile;
  /** Its score on each prompt (fitted on all of them): for routing the prompts it was trained on. */
  score: (e: Example) => number;
}

export interface Baseline {
  heldOut: Point;
  area: number;
  foldsMet?: number;
  curve: Point[];
}

export interface TrainReport {
  prompts: number;
  routers: RouterReport[];
  /** The router to write: the larger held-out cost cut among those that beat the random router. */
  best: RouterReport;
  random: Baseline;
  lengthRule: Baseline;
  /** The random router's cost cut at the best router's held-out quality (at most the target). */
  randomCutAtBest: number;
  beatsRandom: boolean;
}

const round = (x: number) => +x.toPrecision(6);

function trainKind(kind: RouterKind, examples: Example[], outcomes: Outcome[], fold: number[], o: TrainOptions): RouterReport {
  const features = candidateFeatures(examples, kind === 'cascade', o.checks ?? []);
  const { names, rows } = featureMatrix(features, examples);
  const labels = outcomes.map((x) => (x.cheapOk ? 1 : 0));
  const oof = new Array<number>(examples.length).fill(0);
  for (let f = 0; f < o.folds; f++) {
    const train = fold.flatMap((g, i) => (g === f ? [] : [i]));
    const model = fitLogistic(train.map((i) => rows[i]!), train.map((i) => labels[i]!), { l2: o.l2 });
    fold.forEach((g, i) => g === f && (oof[i] = predict(model, rows[i]!)));
  }
  const model = fitLogistic(rows, labels, { l2: o.l2 });
  const choice = chooseThreshold(kind, outcomes, oof, fold, o.folds, o);
  const weights: Record<string, number> = {};
  names.forEach((n, j) => Math.abs(model.weights[j]!) > 1e-9 && (weights[n] = round(model.weights[j]!)));
  const scorer: ScorerFile = {
    format: SCORER_FORMAT,
    kind,
    trained_on: o.trainedOn,
    features: Object.fromEntries(Object.entries(features).filter(([n]) => n in weights)),
    model: { type: 'logistic', bias: round(model.bias), weights },
    threshold: Math.min(1, Math.max(0, round(choice.threshold))),
  };
  const index = new Map(examples.map((e, i) => [e, i]));
  return { kind, heldOut: heldOut(kind, outcomes, oof, fold, o.folds, o), choice, scorer, score: (e) => predict(model, rows[index.get(e)!]!) };
}

/**
 * Learn when the cheap model's answer is good enough: a prompt-only router and a cascade scorer,
 * each with its threshold chosen by k-fold cross-validation, and the baselines on the same folds.
 */
export function train(examples: Example[], outcomes: Outcome[], o: TrainOptions): TrainReport {
  const fold = assignFolds(examples.length, o.folds, o.random);
  const routers = (['prompt', 'cascade'] as const).map((k) => trainKind(k, examples, outcomes, fold, o));
  // The random router is held to the same quality, but no higher than the target: above the
  // strong model's own quality (a cheap model right where the strong one slips) it cannot go.
  const at = (r: RouterReport) => Math.min(r.heldOut.point.quality, o.target);
  // Cheaper than the random router at that quality, and by more than chance.
  const beats = (r: RouterReport) => r.heldOut.point.costCut > randomBaseline('prompt', outcomes, at(r)).costCut + 1e-9 && betterThanChance(outcomes, r.heldOut.keep);
  const ranked = routers.filter((r) => (o.writable ?? ['prompt', 'cascade']).includes(r.kind)).sort((a, b) => Number(beats(b)) - Number(beats(a)) || b.heldOut.point.costCut - a.heldOut.point.costCut);
  const best = ranked[0]!;
  const random = randomBaseline('prompt', outcomes, at(best));
  const length = examples.map((e) => -inputText(e.prompt).length);
  const rule = heldOut('prompt', outcomes, length, fold, o.folds, o);
  return {
    prompts: examples.length,
    routers,
    best,
    random: { heldOut: randomPointAt(outcomes, at(best), random.costCut), area: random.area, curve: random.curve },
    lengthRule: { heldOut: rule.point, area: rule.area, foldsMet: rule.foldsMet, curve: rule.curve },
    randomCutAtBest: random.costCut,
    beatsRandom: beats(best),
  };
}

function randomPointAt(outcomes: Outcome[], quality: number, costCut: number): Point {
  const strongRight = outcomes.filter((x) => x.strongOk).length;
  const cheapRight = outcomes.filter((x) => x.cheapOk).length;
  const q = Math.min(quality, 1);
  const keptShare = strongRight === cheapRight ? 0 : (strongRight - q * strongRight) / (strongRight - cheapRight);
  return { threshold: NaN, kept: Math.min(1, Math.max(0, keptShare)), costCut, quality: Math.max(q, cheapRight / (strongRight || 1)) };
}
