import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/core/quality/compare-types.js';
import { accuracyTicks, chartModel, spendTicks } from '../../src/view/compare/chart-model.js';
import { renderChart } from '../../src/view/compare/chart.js';
import { COMPARE_REPORT, withoutQuality } from '../fixtures/compare-report.js';

const PLAIN = { width: 80, height: 20, color: false };
const USD = 1_000_000_000_000n;

describe('renderChart: accuracy against spend', () => {
  it('draws every policy and reference row, the best marked and the random split dotted (80×20, no colour)', () => {
    // By hand: x = spend / $4.00 over 73 columns, y = (accuracy - 55%) / 40% over 17 rows.
    // C (code-to-flagship, $1.833, 89%) at column 33 of row 2; the dots run from 3 (llama, $0, 55%)
    // to ◆ (opus, $4.00, 91%). b ($2.08, 86.8%) and B ($2.1875, 87.5%) share row 3.
    expect(renderChart(COMPARE_REPORT, PLAIN)).toBe(
      [
        'accuracy by spend: 200 prompts, live run',
        '95% ┤',
        '    │',
        '90% ┤                                 C*                                   ··◆',
        '    │                                     b B                         ·····',
        '85% ┤              1                c                            ·····',
        '    │                                                       ·····',
        '80% ┤                  2                              ······',
        '    │                      A                     ······',
        '75% ┤                    a                  ······',
        '    │                                  ······',
        '70% ┤                             ·····',
        '    │                        ·····',
        '65% ┤                   ·····',
        '    │             ······',
        '60% ┤        ······',
        '    │   ······',
        '55% ┤3···',
        '    └┬─────────────────┬─────────────────┬─────────────────┬─────────────────┬',
        '   $0.00             $1.00             $2.00             $3.00             $4.00',
        'A cheap-first  B balanced  C* code-to-flagship (best)',
        '◆ baseline only (anthropic/claude-opus-5-5)  1 only openai/gpt-5.4-mini',
        '2 only anthropic/claude-haiku-4-5  3 only openai-compatible/llama3.2:3b',
        'a random, as cheap-first  b random, as balanced  c random, as code-to-flagship',
        '··· a random split between 3 (the cheapest model) and ◆ (the baseline)',
      ].join('\n'),
    );
  });

  it('fits a narrow terminal: fewer accuracy ticks, long legend entries wrapped', () => {
    expect(renderChart(COMPARE_REPORT, { width: 40, height: 10, color: false })).toBe(
      [
        'accuracy by spend: 200 prompts, live run',
        '100% ┤',
        '     │              C*bB          ···◆',
        ' 80% ┤      1 2 A  c      ········',
        '     │         a  ········',
        ' 60% ┤    ·········',
        '     │3····',
        ' 40% ┤',
        '     └┬───────┬───────┬──────┬───────┬',
        '    $0.00   $1.00   $2.00  $3.00   $4.00',
        'A cheap-first  B balanced',
        'C* code-to-flagship (best)',
        '◆ baseline only',
        '  (anthropic/claude-opus-5-5)',
        '1 only openai/gpt-5.4-mini',
        '2 only anthropic/claude-haiku-4-5',
        '3 only openai-compatible/llama3.2:3b',
        'a random, as cheap-first',
        'b random, as balanced',
        'c random, as code-to-flagship',
        '··· a random split between 3 (the',
        '    cheapest model) and ◆ (the baseline)',
      ].join('\n'),
    );
  });

  it('keeps every line within the width, and the plot within the height', () => {
    for (const width of [40, 57, 80, 101, 132]) {
      for (const height of [8, 13, 20, 31]) {
        const lines = renderChart(COMPARE_REPORT, { width, height, color: false }).split('\n');
        for (const line of lines) expect(line.length, `${width}×${height}: ${line}`).toBeLessThanOrEqual(width);
        expect(lines[height - 1], `${width}×${height}`).toMatch(/^\s*\$0\.00 .*\$4\.00$/);
        expect(lines[height]).toMatch(/^A cheap-first/);
      }
    }
  });

  it('is a pure function of its input', () => {
    const copy = structuredClone(COMPARE_REPORT);
    expect(renderChart(copy, PLAIN)).toBe(renderChart(COMPARE_REPORT, PLAIN));
    expect(copy).toEqual(COMPARE_REPORT);
  });

  it('colours the markers only: without the escape codes it is the plain chart', () => {
    const coloured = renderChart(COMPARE_REPORT, { ...PLAIN, color: true });
    expect(coloured).toContain('\x1b[1;30;42mC*\x1b[0m');
    expect(coloured).toContain('\x1b[1;33m◆\x1b[0m');
    expect(stripVTControlCharacters(coloured)).toBe(renderChart(COMPARE_REPORT, PLAIN));
  });

  it('leaves out a row whose quality is unknown, and says so', () => {
    const report: CompareReport = structuredClone(COMPARE_REPORT);
    Object.assign(report.policies[1]!, { accuracy: null, accuracyCi: null, qualityKept: null, graded: 0, correct: 0 });
    const chart = renderChart(report, PLAIN);
    expect(chart).toContain('B balanced (quality unknown, not plotted)');
    expect(chart.split('\n').slice(1, 18).join('\n')).not.toContain('B');
  });

  it('moves a reference aside when it lands on a policy, and names what hides it when there is no room', () => {
    const report: CompareReport = structuredClone(COMPARE_REPORT);
    const [a] = report.policies;
    for (const r of report.references.filter((r) => r.kind === 'random')) Object.assign(r, { cost: a!.cost, accuracy: a!.accuracy });
    const chart = renderChart(report, PLAIN);
    // A keeps its column (22); a, b and c take the nearest free ones: right, left, then two right.
    expect(chart).toMatch(/^ {4}│ {21}bAac /m);
    const crowded: CompareReport = structuredClone(COMPARE_REPORT);
    for (const r of [...crowded.policies, ...crowded.references]) Object.assign(r, { cost: USD, accuracy: 0.8 });
    crowded.best = null;
    expect(renderChart(crowded, PLAIN)).toContain('(hidden under ');
  });

  it('keeps control characters in names off the terminal', () => {
    const report: CompareReport = structuredClone(COMPARE_REPORT);
    report.policies[0]!.name = 'evil\x1b[2Jname';
    expect(renderChart(report, PLAIN)).toContain('A evil?[2Jname');
  });
});

describe('renderChart: no expected answers', () => {
  it('draws spend only, one bar per row, and says quality is unknown', () => {
    expect(renderChart(withoutQuality(COMPARE_REPORT), PLAIN)).toBe(
      [
        'spend: 200 prompts, live run',
        'quality unknown: no prompt carries an expected answer, so only spend is shown',
        'A  cheap-first                           ██████████                        $1.24',
        'B  balanced                              █████████████████                 $2.19',
        'C  code-to-flagship                      ██████████████                    $1.83',
        '◆  baseline only (anthropic/claude-opus… ███████████████████████████████   $4.00',
        '1  only openai/gpt-5.4-mini              ██████                          $0.8000',
        '2  only anthropic/claude-haiku-4-5       ████████                          $1.00',
        '3  only openai-compatible/llama3.2:3b                                      $0.00',
        'a  random, as cheap-first                █████████                         $1.11',
        'b  random, as balanced                   ████████████████                  $2.08',
        'c  random, as code-to-flagship           █████████████                     $1.70',
      ].join('\n'),
    );
  });

  it('marks the best policy when there is one', () => {
    const report = { ...withoutQuality(COMPARE_REPORT), best: 'balanced', mode: 'dry-run' as const };
    const chart = renderChart(report, PLAIN);
    expect(chart).toMatch(/^spend: 200 prompts, dry run, spend estimated$/m);
    expect(chart).toMatch(/^B\* balanced /m);
    expect(chart).toMatch(/^\* best: balanced$/m);
  });
});

describe('chart axes', () => {
  it('spend ticks are 1, 2 or 5 times a power of ten, from $0 to the first tick at or above the highest spend', () => {
    expect(spendTicks(4n * USD, 5).ticks.map((t) => t.label)).toEqual(['$0.00', '$1.00', '$2.00', '$3.00', '$4.00']);
    expect(spendTicks(4_100_000_000_000n, 5).ticks.map((t) => t.label)).toEqual(['$0.00', '$1.00', '$2.00', '$3.00', '$4.00', '$5.00']);
    expect(spendTicks(4_100_000_000_000n, 4).ticks.map((t) => t.label)).toEqual(['$0.00', '$2.00', '$4.00', '$6.00']);
    expect(spendTicks(37_000_000n, 5)).toEqual({
      max: 40_000_000n,
      ticks: [
        { label: '$0.00', at: 0 },
        { label: '$0.000010', at: 0.25 },
        { label: '$0.000020', at: 0.5 },
        { label: '$0.000030', at: 0.75 },
        { label: '$0.000040', at: 1 },
      ],
    });
    expect(spendTicks(0n, 5)).toEqual({ max: 0n, ticks: [{ label: '$0.00', at: 0 }] });
  });

  it('accuracy ticks cover the data in whole steps of a percent', () => {
    expect(accuracyTicks([0.55, 0.91], 8)).toMatchObject({ lo: 0.55, hi: 0.95 });
    expect(accuracyTicks([0.7, 0.7000000000000001], 8)).toMatchObject({ lo: 0.7, hi: 0.71 });
    expect(accuracyTicks([1, 1], 8)).toMatchObject({ lo: 0.99, hi: 1 });
    expect(accuracyTicks([0, 1], 4).ticks.map((t) => t.label)).toEqual(['0%', '25%', '50%', '75%', '100%']);
  });

  it('the random split runs from the cheapest single model to the baseline', () => {
    const model = chartModel(COMPARE_REPORT, { maxXIntervals: 5, maxYIntervals: 8 });
    expect(model.randomLine?.from.row.name).toBe('only openai-compatible/llama3.2:3b');
    expect(model.randomLine?.to.row.name).toBe('baseline only (anthropic/claude-opus-5-5)');
    expect(model.points.map((p) => p.marker).join('')).toBe('ABC◆123abc');
  });
});
