import { describe, expect, it } from 'vitest';
import { parseScorer } from '../../../../src/core/quality/scorer.js';
import { chooseThreshold, seeded } from '../../../../src/core/quality/train/cross-validate.js';
import { areaUnder, pointOf, randomCostCutAt, type Outcome } from '../../../../src/core/quality/train/curve.js';
import { candidateFeatures, featureMatrix, ngrams, vocabulary, type Example } from '../../../../src/core/quality/train/features.js';
import { fitLogistic, predict } from '../../../../src/core/quality/train/logistic.js';
import { train } from '../../../../src/core/quality/train/train.js';
import { userPrompt } from '../../../support.js';

const RULE = { target: 0.95, margin: 0.01, foldShare: 0.8 };

/** Prompts that say "hard" are the ones the cheap model gets wrong; `noise` flips a share of labels at random. */
function synthetic(n: number, hardShare: number, r: () => number, independent = false): { examples: Example[]; outcomes: Outcome[] } {
  const examples: Example[] = [];
  const outcomes: Outcome[] = [];
  const topics = ['apples', 'trains', 'rivers', 'prices', 'gardens'];
  for (let i = 0; i < n; i++) {
    const hard = r() < hardShare;
    const text = `${hard ? 'A hard question' : 'An easy question'} about ${topics[i % topics.length]} number ${i}`;
    examples.push({ prompt: userPrompt(text), answer: hard ? 'I think 12' : 'It is 12' });
    const cheapOk = independent ? r() >= hardShare : !hard;
    outcomes.push({ cheapOk, strongOk: true, cheapCost: 1, strongCost: 10 });
  }
  return { examples, outcomes };
}

describe('features', () => {
  it('word n-grams: lowercase words and pairs, numbers left out', () => {
    expect([...ngrams('Sam has 12 Apples')]).toEqual(['sam', 'has', 'apples', 'sam has', 'has apples']);
  });
  it('the vocabulary keeps n-grams neither too rare nor everywhere, commonest first', () => {
    const texts = [...Array(10).fill('red apple'), ...Array(5).fill('green apple'), 'blue apple'];
    expect(vocabulary(texts, 10)).toEqual(['red', 'red apple', 'green', 'green apple']);
  });
  it('the features are scorer feature specs, and compute what a scorer file computes', () => {
    const examples: Example[] = Array.from({ length: 20 }, (_, i) => ({ prompt: userPrompt(i % 2 ? 'a hard one' : 'an easy one'), answer: i % 2 ? '2 + 2 = 5' : '2 + 2 = 4' }));
    const features = candidateFeatures(examples, true, [{ regex: '####' }, { all: [{ check: 'arithmetic' }] }]);
    expect(features['arithmetic_errors']).toEqual({ kind: 'arithmetic_errors' });
    expect(features['check_regex_0']).toEqual({ kind: 'regex', of: 'answer', pattern: '####' });
    expect(features['check_arithmetic']).toEqual({ kind: 'arithmetic_errors' });
    const { names, rows } = featureMatrix(features, examples);
    const hard = names.findIndex((n) => (features[n] as { pattern?: string }).pattern === '/\\bhard\\b/i');
    expect(rows.map((r) => r[hard])).toEqual(examples.map((_, i) => i % 2));
    expect(rows[1]![names.indexOf('arithmetic_errors')]).toBe(1);
    // The same numbers through a scorer file.
    const weights = Object.fromEntries(names.map((n) => [n, 0]));
    weights[names[hard]!] = 1;
    const scorer = parseScorer({ format: 'frugal-scorer-1', kind: 'cascade', trained_on: {}, features, model: { type: 'logistic', bias: 0, weights }, threshold: 0.5 });
    expect(scorer.score(examples[1]!.prompt, examples[1]!.answer)).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });
  it('a prompt router looks at the prompt only', () => {
    const features = candidateFeatures([{ prompt: userPrompt('x'), answer: 'y' }], false, [{ regex: 'y' }]);
    expect(Object.values(features).every((f) => f.kind !== 'arithmetic_errors' && f.of === 'prompt')).toBe(true);
  });
});

describe('logistic regression', () => {
  it('recovers known weights from data drawn from them', () => {
    const r = seeded(3);
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const x = [r() * 4 - 2, r() < 0.5 ? 1 : 0];
      rows.push(x);
      labels.push(r() < 1 / (1 + Math.exp(-(0.5 + 2 * x[0]! - 1.5 * x[1]!))) ? 1 : 0);
    }
    const m = fitLogistic(rows, labels, { l2: 0 });
    expect(m.bias).toBeCloseTo(0.5, 0);
    expect(m.weights[0]).toBeCloseTo(2, 0);
    expect(m.weights[1]).toBeCloseTo(-1.5, 0);
    expect(predict(m, [0, 0])).toBeCloseTo(1 / (1 + Math.exp(-m.bias)), 12);
  });
});

describe('the threshold choice', () => {
  const outcomes: Outcome[] = [...Array(80).fill({ cheapOk: true, strongOk: true, cheapCost: 1, strongCost: 10 }), ...Array(20).fill({ cheapOk: false, strongOk: true, cheapCost: 1, strongCost: 10 })];
  const fold = outcomes.map((_, i) => i % 5);
  it('a perfect score keeps exactly the good cheap answers', () => {
    const scores = outcomes.map((o) => (o.cheapOk ? 0.9 : 0.1));
    const c = chooseThreshold('prompt', outcomes, scores, fold, 5, RULE);
    expect(c.met).toBe(true);
    expect(c.threshold).toBe(0.9);
    expect(c.point).toMatchObject({ kept: 0.8, quality: 1, costCut: 0.72 });
    expect(c.foldsMet).toBe(1);
    // A cascade pays the cheap call on the escalated ones too.
    expect(chooseThreshold('cascade', outcomes, scores, fold, 5, RULE).point.costCut).toBeCloseTo(0.7, 12);
  });
  it('keeps a wrong cheap answer only while the margin allows, on every fold', () => {
    // Scores rank one wrong answer (index 80, fold 0) above the right ones: keeping it costs 1% of quality.
    const scores = outcomes.map((o, i) => (i === 80 ? 0.95 : o.cheapOk ? 0.9 : 0.1));
    const loose = chooseThreshold('prompt', outcomes, scores, fold, 5, { target: 0.98, margin: 0.005, foldShare: 0.8 });
    expect(loose).toMatchObject({ threshold: 0.9, met: true, foldsMet: 0.8 });
    expect(loose.point.quality).toBe(0.99);
    // Fold 0 alone loses 5% (1 of its 20): the target on every fold forbids it.
    expect(chooseThreshold('prompt', outcomes, scores, fold, 5, { target: 0.98, margin: 0.005, foldShare: 1 }).met).toBe(false);
    // And so does a margin the pooled quality does not clear.
    expect(chooseThreshold('prompt', outcomes, scores, fold, 5, { target: 0.98, margin: 0.02, foldShare: 0.8 }).met).toBe(false);
  });
  it('when no threshold meets the target it keeps no cheap answer', () => {
    const scores = outcomes.map(() => 0.5);
    const c = chooseThreshold('prompt', outcomes, scores, fold, 5, RULE);
    expect(c.met).toBe(false);
    expect(c.point.kept).toBe(0);
  });
  it('the random router is the straight line between the two models; a perfect router has the larger area', () => {
    const all = outcomes.map((_, i) => i);
    expect(randomCostCutAt('prompt', outcomes, all, 0.9)).toBeCloseTo(0.5 * 0.9, 12);
    const perfect = [pointOf('prompt', outcomes, all, () => false), pointOf('prompt', outcomes, all, (i) => outcomes[i]!.cheapOk), pointOf('prompt', outcomes, all, () => true)];
    expect(areaUnder(perfect)).toBeGreaterThan(areaUnder([perfect[0]!, perfect[2]!]));
  });
});

describe('train', () => {
  const base = { ...RULE, folds: 5, trainedOn: { prompts: 200 } };
  it('learns a signal the prompt shows, beats the random router, and its scorer file parses', () => {
    const { examples, outcomes } = synthetic(200, 0.3, seeded(1));
    const report = train(examples, outcomes, { ...base, random: seeded(2) });
    expect(report.beatsRandom).toBe(true);
    const prompt = report.routers.find((r) => r.kind === 'prompt')!;
    expect(prompt.heldOut.point.quality).toBeGreaterThanOrEqual(0.95);
    expect(prompt.heldOut.point.costCut).toBeGreaterThan(report.randomCutAtBest + 0.2);
    expect(prompt.heldOut.area).toBeGreaterThan(report.random.area);
    const scorer = parseScorer(prompt.scorer);
    const hard = examples.find((e) => e.prompt.messages[0]!.content.startsWith('A hard'))!;
    const easy = examples.find((e) => e.prompt.messages[0]!.content.startsWith('An easy'))!;
    expect(scorer.score(hard.prompt)).toBeLessThan(scorer.threshold);
    expect(scorer.score(easy.prompt)).toBeGreaterThanOrEqual(scorer.threshold);
  });
  it('fails closed when the cheap model fails at random: it does not beat the random router', () => {
    const { examples, outcomes } = synthetic(200, 0.3, seeded(5), true);
    const report = train(examples, outcomes, { ...base, random: seeded(2) });
    expect(report.beatsRandom).toBe(false);
  });
});
