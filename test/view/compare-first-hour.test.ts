import { describe, expect, it } from 'vitest';
import { buildReport, type CompareInput, type PairOutcome } from '../../src/core/quality/compare.js';
import { chartModel } from '../../src/view/compare/chart-model.js';
import { compareTable, regressionsText } from '../../src/view/compare/table.js';
import { tradeOffs } from '../../src/view/compare/format.js';
import { placeLabels, type Placed } from '../../src/view/compare/svg.js';
import { COMPARE_REPORT } from '../fixtures/compare-report.js';

/** Two models, ten prompts; `right(model, i)` says which answers the grader accepts. */
function input(right: (model: string, i: number) => boolean): CompareInput {
  const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
  const outcome = (model: string, i: number): PairOutcome => {
    const ok = right(model, i);
    return { cost: model === 'big' ? 10_000_000n : 1_000_000n, estimated: false, answer: ok ? '42' : 'forty-one', failed: false, graded: true, correct: ok, detail: ok ? undefined : 'last number is 41, expected 42' };
  };
  return {
    mode: 'live',
    promptIds: ids,
    expected: ids.map(() => '42'),
    policies: [
      { name: 'routed.yaml', file: 'routed.yaml', routes: ids.map((_, i) => (i < 5 ? 'small' : 'big')), classes: ids.map(() => null) },
      { name: 'cheap.yaml', file: 'cheap.yaml', routes: ids.map(() => 'small'), classes: ids.map(() => null) },
    ],
    labels: new Map([['big', 'anthropic/big'], ['small', 'openai/small']]),
    baselineKey: 'big',
    outcome,
    minQuality: 0.95,
  };
}

describe('compare when the grader matches nothing', () => {
  const report = buildReport(input(() => false));

  it('names no best policy and says why', () => {
    expect(report.quality).toBe('nothing-matched');
    expect(report.best).toBeNull();
    const text = compareTable(report, { width: 100, color: false });
    expect(text).toContain('warning: the grader matched no answer of any model (every row scores 0%)');
    expect(text).not.toContain('★');
  });
});

describe('compare headline and regressions', () => {
  // The big model is right on every prompt, the small one on the first three.
  const report = buildReport(input((model, i) => model === 'big' || i < 3));

  it('names the best policy and what the others trade', () => {
    expect(report.quality).toBe('measured');
    expect(report.best).toBeNull();
    expect(tradeOffs(report)).toEqual([
      "routed.yaml keeps 80.0% of the baseline's quality for 45.0% less",
      "cheap.yaml keeps 30.0% of the baseline's quality for 90.0% less",
    ]);
    expect(compareTable(report, { width: 100, color: false })).toContain("  routed.yaml keeps 80.0% of the baseline's quality for 45.0% less");
  });

  it('shows what the grader read in a wrong answer', () => {
    expect(regressionsText(report, 1)).toContain('p3  (default)  openai/small  expected "42"  last number is 41, expected 42');
  });
});

describe('the compare chart', () => {
  it('widens the accuracy axis to the confidence bars', () => {
    const model = chartModel(COMPARE_REPORT, { maxXIntervals: 5, maxYIntervals: 6 });
    for (const p of model.points) {
      const ci = p.row.accuracyCi;
      if (!ci || (p.row.kind !== 'policy' && p.row.kind !== 'baseline')) continue;
      expect(ci[0]).toBeGreaterThanOrEqual(model.yRange!.lo - 1e-9);
      expect(ci[1]).toBeLessThanOrEqual(model.yRange!.hi + 1e-9);
    }
  });

  it('stacks labels of crowded points at the top right instead of overlapping them', () => {
    const model = chartModel(COMPARE_REPORT, { maxXIntervals: 5, maxYIntervals: 6 });
    const crowd: Placed[] = model.points.slice(0, 6).map((p, i) => ({ p, x: 840 - i * 3, y: 40 + i * 2 }));
    const boxes = placeLabels(crowd).map((svg, i) => {
      const x = Number(/ x="([\d.]+)"/.exec(svg)![1]);
      const y = Number(/ y="([\d.]+)"/.exec(svg)![1]);
      const w = (crowd[i]!.p.best ? `${crowd[i]!.p.row.name} ★ best` : crowd[i]!.p.row.name).length * 6.8;
      const left = svg.includes('text-anchor="end"') ? x - w : x;
      return [left, y - 11, left + w, y + 3] as const;
    });
    for (let a = 0; a < boxes.length; a++) {
      for (let b = a + 1; b < boxes.length; b++) {
        const [p, q] = [boxes[a]!, boxes[b]!];
        const overlaps = Math.min(p[2], q[2]) > Math.max(p[0], q[0]) && Math.min(p[3], q[3]) > Math.max(p[1], q[1]);
        expect(overlaps, `labels ${a} and ${b}`).toBe(false);
      }
    }
  });
});
