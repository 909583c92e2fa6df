import { describe, expect, it } from 'vitest';
import type { PolicyResult } from '../../../src/core/quality/compare-types.js';
import {
  divRound,
  pickBest,
  qualityFromCounts,
  qualityKept,
  randomRouter,
  summarizeQuality,
  wilson,
  Z_95,
  type ModelTotals,
} from '../../../src/core/quality/quality.js';

function close(actual: [number, number] | null, expected: [number, number] | null, digits = 4) {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(actual![0]).toBeCloseTo(expected[0], digits);
  expect(actual![1]).toBeCloseTo(expected[1], digits);
}

describe('wilson', () => {
  // Hand computation: centre = (p + z²/2n) / (1 + z²/n), half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
  it.each([
    { correct: 8, n: 10, ci: [0.4902, 0.9433] },
    { correct: 0, n: 10, ci: [0, 0.2775] },
    { correct: 10, n: 10, ci: [0.7225, 1] },
    { correct: 50, n: 100, ci: [0.4038, 0.5962] },
    { correct: 1, n: 1, ci: [0.2065, 1] },
    { correct: 0, n: 1, ci: [0, 0.7935] },
    { correct: 2.5, n: 4, ci: [0.2194, 0.9081] }, // fractional: the random router's expected counts
    { correct: 0, n: 0, ci: null },
  ] as { correct: number; n: number; ci: [number, number] | null }[])('$correct/$n -> $ci', ({ correct, n, ci }) => {
    close(wilson(correct, n), ci);
  });

  it.each([
    { correct: 0, n: 10 },
    { correct: 10, n: 10 },
    { correct: 1, n: 3 },
  ])('stays inside [0, 1] and is exact at the ends: $correct/$n', ({ correct, n }) => {
    const [low, high] = wilson(correct, n)!;
    expect(low).toBeGreaterThanOrEqual(0);
    expect(high).toBeLessThanOrEqual(1);
    if (correct === 0) expect(low).toBe(0);
    if (correct === n) expect(high).toBe(1);
    expect(low).toBeLessThan(correct / n + 1e-12);
    expect(high).toBeGreaterThan(correct / n - 1e-12);
  });

  it('a wider z gives a wider interval', () => {
    const [l95, h95] = wilson(8, 10)!;
    const [l99, h99] = wilson(8, 10, 2.5758293035489)!;
    expect(l99).toBeLessThan(l95);
    expect(h99).toBeGreaterThan(h95);
    expect(Z_95).toBeCloseTo(1.96, 2);
  });

  it.each([
    { correct: 11, n: 10 },
    { correct: -1, n: 10 },
    { correct: 0, n: -1 },
    { correct: Number.NaN, n: 10 },
    { correct: 0, n: Number.POSITIVE_INFINITY },
  ])('rejects $correct/$n', ({ correct, n }) => {
    expect(() => wilson(correct, n)).toThrow(RangeError);
  });
});

describe('summarizeQuality', () => {
  const o = (graded: boolean, correct: boolean) => ({ graded, correct });
  it.each([
    { name: 'empty', outcomes: [], graded: 0, correct: 0, accuracy: null, ci: null },
    { name: 'nothing graded', outcomes: [o(false, false), o(false, true)], graded: 0, correct: 0, accuracy: null, ci: null },
    {
      name: '8 of 10 graded right, ungraded ignored',
      outcomes: [...Array<ReturnType<typeof o>>(8).fill(o(true, true)), o(true, false), o(true, false), o(false, true)],
      graded: 10,
      correct: 8,
      accuracy: 0.8,
      ci: [0.4902, 0.9433],
    },
    { name: 'all wrong', outcomes: [o(true, false), o(true, false)], graded: 2, correct: 0, accuracy: 0, ci: [0, 0.6576] },
  ] as {
    name: string;
    outcomes: { graded: boolean; correct: boolean }[];
    graded: number;
    correct: number;
    accuracy: number | null;
    ci: [number, number] | null;
  }[])('$name', ({ outcomes, graded, correct, accuracy, ci }) => {
    const q = summarizeQuality(outcomes);
    expect({ graded: q.graded, correct: q.correct, accuracy: q.accuracy }).toEqual({ graded, correct, accuracy });
    close(q.accuracyCi, ci);
  });
});

describe('qualityKept', () => {
  it.each([
    { accuracy: 0.76, baseline: 0.8, kept: 0.95 },
    { accuracy: 0.9, baseline: 0.9, kept: 1 },
    { accuracy: 0.9, baseline: 0.6, kept: 1.5 },
    { accuracy: 0, baseline: 0.5, kept: 0 },
    { accuracy: 0.5, baseline: 0, kept: null },
    { accuracy: null, baseline: 0.5, kept: null },
    { accuracy: 0.5, baseline: null, kept: null },
  ])('$accuracy / $baseline = $kept', ({ accuracy, baseline, kept }) => {
    const got = qualityKept(accuracy, baseline);
    if (kept === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(kept, 12);
  });
});

describe('divRound rounds half away from zero', () => {
  it.each([
    { n: 1300n, d: 4n, q: 325n },
    { n: 1302n, d: 4n, q: 326n }, // 325.5
    { n: 1301n, d: 4n, q: 325n }, // 325.25
    { n: 1303n, d: 4n, q: 326n }, // 325.75
    { n: -1302n, d: 4n, q: -326n },
    { n: 1302n, d: -4n, q: -326n },
    { n: -1301n, d: -4n, q: 325n },
    { n: 0n, d: 7n, q: 0n },
    { n: 1n, d: 3n, q: 0n },
    { n: 2n, d: 3n, q: 1n },
  ])('$n / $d = $q', ({ n, d, q }) => {
    expect(divRound(n, d)).toBe(q);
  });

  it('refuses zero', () => {
    expect(() => divRound(1n, 0n)).toThrow(RangeError);
  });
});

describe('randomRouter', () => {
  const HAIKU = 'anthropic/claude-haiku-4-5';
  const OPUS = 'anthropic/claude-opus-4-1';
  const totals = (change: Partial<ModelTotals>): ModelTotals => ({ cost: 0n, baselineCost: 4000n, graded: 4, correct: 0, ...change });

  // The policy sent 3 of 4 prompts to haiku and 1 to opus (the baseline model). Every prompt sent
  // to haiku cost 400 pico in all and got 2 of 4 right; sent to opus it cost 4000 and got 4 of 4.
  // By hand: cost = (3 × 400 + 1 × 4000) / 4 = 5200 / 4 = 1300; baseline = (3 × 4000 + 4000) / 4 = 4000;
  // correct = 3/4 × 2 + 1/4 × 4 = 2.5 of 4 graded; accuracy = 3/4 × 0.5 + 1/4 × 1 = 0.625.
  it.each([
    {
      name: 'shares 3:1 over 4 prompts',
      calls: { [HAIKU]: 3, [OPUS]: 1 },
      perModel: { [HAIKU]: totals({ cost: 400n, correct: 2 }), [OPUS]: totals({ cost: 4000n, correct: 4 }) },
      baselineAccuracy: 1,
      expected: { cost: 1300n, baselineCost: 4000n, graded: 4, correct: 2.5, accuracy: 0.625, ci: [0.2194, 0.9081], kept: 0.625 },
    },
    {
      name: 'rounds the expected cost half away from zero',
      // (3 × 400 + 1 × 4002) / 4 = 5202 / 4 = 1300.5 -> 1301
      calls: { [HAIKU]: 3, [OPUS]: 1 },
      perModel: { [HAIKU]: totals({ cost: 400n, correct: 2 }), [OPUS]: totals({ cost: 4002n, correct: 4 }) },
      baselineAccuracy: 1,
      expected: { cost: 1301n, baselineCost: 4000n, graded: 4, correct: 2.5, accuracy: 0.625, ci: [0.2194, 0.9081], kept: 0.625 },
    },
    {
      name: 'graded counts that differ per model: accuracy = E[correct] / E[graded]',
      // haiku failed one prompt (3 graded, 2 right); E[graded] = 3/4 × 3 + 1/4 × 4 = 3.25,
      // E[correct] = 2.5, accuracy = 2.5 / 3.25 = 10/13.
      calls: { [HAIKU]: 3, [OPUS]: 1 },
      perModel: { [HAIKU]: totals({ cost: 300n, graded: 3, correct: 2 }), [OPUS]: totals({ cost: 4000n, correct: 4 }) },
      baselineAccuracy: 1,
      expected: { cost: 1225n, baselineCost: 4000n, graded: 3.25, correct: 2.5, accuracy: 10 / 13, ci: [0.2807, 0.9661], kept: 10 / 13 },
    },
    {
      name: 'nothing graded',
      calls: { [HAIKU]: 1, [OPUS]: 1 },
      perModel: { [HAIKU]: totals({ cost: 1n, graded: 0 }), [OPUS]: totals({ cost: 2n, graded: 0 }) },
      baselineAccuracy: null,
      expected: { cost: 2n, baselineCost: 4000n, graded: 0, correct: 0, accuracy: null, ci: null, kept: null }, // 1.5 -> 2
    },
    {
      name: 'a policy that sent nothing',
      calls: {},
      perModel: {},
      baselineAccuracy: 0.9,
      expected: { cost: 0n, baselineCost: 0n, graded: 0, correct: 0, accuracy: null, ci: null, kept: null },
    },
  ] as {
    name: string;
    calls: Record<string, number>;
    perModel: Record<string, ModelTotals>;
    baselineAccuracy: number | null;
    expected: {
      cost: bigint;
      baselineCost: bigint;
      graded: number;
      correct: number;
      accuracy: number | null;
      ci: [number, number] | null;
      kept: number | null;
    };
  }[])('$name', ({ calls, perModel, baselineAccuracy, expected }) => {
    const row = randomRouter({ name: 'random (cheap)', mirrors: 'cheap', callsByModel: calls, perModel, baselineAccuracy });
    expect(row).toMatchObject({
      name: 'random (cheap)',
      file: null,
      kind: 'random',
      mirrors: 'cheap',
      callsByModel: calls,
      cost: expected.cost,
      baselineCost: expected.baselineCost,
      estimated: 0,
    });
    expect(row.graded).toBeCloseTo(expected.graded, 12);
    expect(row.correct).toBeCloseTo(expected.correct, 12);
    if (expected.accuracy === null) expect(row.accuracy).toBeNull();
    else expect(row.accuracy).toBeCloseTo(expected.accuracy, 12);
    if (expected.kept === null) expect(row.qualityKept).toBeNull();
    else expect(row.qualityKept).toBeCloseTo(expected.kept, 12);
    close(row.accuracyCi, expected.ci);
  });

  it('is the sum of shares × per-model accuracy when graded counts agree', () => {
    const perModel = {
      a: totals({ graded: 7, correct: 7 }),
      b: totals({ graded: 7, correct: 3 }),
      c: totals({ graded: 7, correct: 1 }),
    };
    const row = randomRouter({ name: 'r', mirrors: 'p', callsByModel: { a: 2, b: 3, c: 5 }, perModel, baselineAccuracy: 1 });
    expect(row.accuracy).toBeCloseTo(0.2 * 1 + 0.3 * (3 / 7) + 0.5 * (1 / 7), 12);
    expect(row.graded).toBeCloseTo(7, 12);
  });

  it('keeps money exact far beyond 2^53 picodollars', () => {
    const big = 10n ** 20n + 1n; // $100M and a picodollar
    const row = randomRouter({
      name: 'r',
      mirrors: 'p',
      callsByModel: { a: 1, b: 2 },
      perModel: { a: totals({ cost: big, baselineCost: big }), b: totals({ cost: 2n * big, baselineCost: big }) },
      baselineAccuracy: null,
    });
    // (big + 4 big) / 3 = 5 big / 3 = 166666666666666666668.33… -> …668
    expect(row.cost).toBe(166_666_666_666_666_666_668n);
    expect(row.baselineCost).toBe(big);
  });

  it('ignores models the policy did not use, and carries the largest estimated count', () => {
    const row = randomRouter({
      name: 'r',
      mirrors: 'p',
      callsByModel: { a: 4, b: 0 },
      perModel: { a: totals({ cost: 8n, estimated: 2 }), b: totals({ cost: 1000n, estimated: 4 }), c: totals({ estimated: 4 }) },
      baselineAccuracy: null,
    });
    expect(row.callsByModel).toEqual({ a: 4 });
    expect(row.cost).toBe(8n);
    expect(row.estimated).toBe(2);
  });

  it.each([
    { name: 'a model without single-model results', calls: { a: 1, z: 1 } },
    { name: 'a fractional count', calls: { a: 1.5 } },
    { name: 'a negative count', calls: { a: -1 } },
  ] as { name: string; calls: Record<string, number> }[])('refuses $name', ({ calls }) => {
    expect(() => randomRouter({ name: 'r', mirrors: 'p', callsByModel: calls, perModel: { a: totals({}) }, baselineAccuracy: null })).toThrow(
      RangeError,
    );
  });
});

describe('pickBest', () => {
  const row = (name: string, cost: bigint, accuracy: number | null): PolicyResult => ({
    name,
    file: `${name}.yaml`,
    kind: 'policy',
    callsByModel: {},
    cost,
    baselineCost: 1000n,
    ...qualityFromCounts(accuracy === null ? 0 : 100, accuracy === null ? 0 : accuracy * 100),
    qualityKept: null,
    estimated: 0,
  });

  it.each([
    {
      name: 'the cheapest of those keeping 95% of the baseline',
      // threshold 0.95 × 0.9 = 0.855: C (0.5) is out; B is cheaper than A
      policies: [row('A', 500n, 0.9), row('B', 200n, 0.86), row('C', 50n, 0.5)],
      baseline: 0.9,
      min: 0.95,
      best: 'B',
    },
    {
      name: 'a tie in spend goes to the higher accuracy',
      policies: [row('B', 200n, 0.86), row('D', 200n, 0.88), row('A', 500n, 0.9)],
      baseline: 0.9,
      min: 0.95,
      best: 'D',
    },
    {
      name: 'a tie in spend and accuracy goes to the name',
      policies: [row('zeta', 200n, 0.88), row('alpha', 200n, 0.88)],
      baseline: 0.9,
      min: 0.95,
      best: 'alpha',
    },
    {
      name: 'exactly at the threshold qualifies (0.95 × 0.8 in floating point)',
      policies: [row('edge', 10n, 0.76), row('full', 100n, 0.8)],
      baseline: 0.8,
      min: 0.95,
      best: 'edge',
    },
    {
      name: 'nothing graded: the cheapest',
      policies: [row('A', 500n, null), row('B', 200n, null), row('C', 300n, null)],
      baseline: null,
      min: 0.95,
      best: 'B',
    },
    {
      name: 'nothing graded, tie in spend: the name',
      policies: [row('b', 200n, null), row('a', 200n, null)],
      baseline: null,
      min: 0.95,
      best: 'a',
    },
    {
      name: 'no policy keeps enough quality',
      policies: [row('A', 500n, 0.5), row('B', 200n, 0.4)],
      baseline: 0.9,
      min: 0.95,
      best: null,
    },
    {
      name: 'a policy without accuracy does not qualify when the baseline was graded',
      policies: [row('ungraded', 1n, null), row('graded', 100n, 0.9)],
      baseline: 0.9,
      min: 0.95,
      best: 'graded',
    },
    {
      name: 'a baseline accuracy of 0 lets every policy qualify',
      policies: [row('A', 500n, 0.1), row('B', 200n, 0)],
      baseline: 0,
      min: 0.95,
      best: 'B',
    },
    {
      name: 'a policy better than the baseline qualifies at --min-quality 1',
      policies: [row('better', 300n, 0.95), row('same', 200n, 0.9), row('worse', 100n, 0.89)],
      baseline: 0.9,
      min: 1,
      best: 'same',
    },
    {
      name: '--min-quality 0: the cheapest graded policy',
      policies: [row('A', 500n, 0.9), row('B', 20n, 0)],
      baseline: 0.9,
      min: 0,
      best: 'B',
    },
    { name: 'no policies', policies: [], baseline: 0.9, min: 0.95, best: null },
  ] as { name: string; policies: PolicyResult[]; baseline: number | null; min: number; best: string | null }[])(
    '$name',
    ({ policies, baseline, min, best }) => {
      expect(pickBest(policies, baseline, min)).toBe(best);
      expect(pickBest([...policies].reverse(), baseline, min)).toBe(best);
    },
  );
});
