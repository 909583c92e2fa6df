import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { aggregate, dayKey, parseSince, rowSavings, type CallGroup } from '../../../src/core/money/stats.js';

const NOW = new Date('2026-11-08T12:00:00Z');
const DAY = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

function group(change: Partial<CallGroup>): CallGroup {
  return {
    day: DAY('2026-11-01'),
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    route: 'quick',
    class: 'lookup',
    kind: 'answer',
    status: 'ok',
    calls: 1,
    unsettled: 0n,
    unsettledCalls: 0,
    inputTokens: 10,
    outputTokens: 20,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cost: 100n,
    costUnknown: 0,
    baselineCost: 500n,
    baselineUnknown: 0,
    pairedCost: 100n,
    pairedBaseline: 500n,
    ...change,
  };
}

describe('parseSince', () => {
  it.each([
    ['30m', '2026-11-08T11:30:00.000Z'],
    ['24h', '2026-11-07T12:00:00.000Z'],
    ['7d', '2026-11-01T12:00:00.000Z'],
    ['2w', '2026-10-25T12:00:00.000Z'],
    ['1.5h', '2026-11-08T10:30:00.000Z'],
    [' 7D ', '2026-11-01T12:00:00.000Z'],
    ['0d', '2026-11-08T12:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2026-11-01T09:30', '2026-11-01T09:30:00.000Z'],
    ['2026-11-01T09:30:15Z', '2026-11-01T09:30:15.000Z'],
    ['2026-11-01 09:30:15.250', '2026-11-01T09:30:15.250Z'],
    ['2026-11-01T09:30:00+02:00', '2026-11-01T07:30:00.000Z'],
    ['2026-11-01T09:30:00-0530', '2026-11-01T15:00:00.000Z'],
  ])('%s', (text, expected) => {
    expect(parseSince(text, NOW).toISOString()).toBe(expected);
  });

  it.each(['', '7', 'd', '7x', '-7d', 'yesterday', '2026-13-01', '2026-02-30', '2025-02-29', '2026-11-1', '2026-11-01T25:00', '2026-11-01T10:60', '11/01/2026'])(
    '%j is a user error with a hint',
    (text) => {
      let caught: unknown;
      try {
        parseSince(text, NOW);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(UserError);
      expect((caught as UserError).message).toBe(`--since: "${text}" is neither a duration nor a date`);
      expect((caught as UserError).hint).toMatch(/30m, 24h, 7d.*2026-11-01/);
    },
  );
});

describe('aggregate', () => {
  const groups: CallGroup[] = [
    group({ calls: 3, inputTokens: 30, outputTokens: 60, cost: 300n, baselineCost: 1500n, pairedCost: 300n, pairedBaseline: 1500n }),
    group({ day: DAY('2026-11-02'), status: 'cached', calls: 2, cost: 0n, baselineCost: 1000n, pairedCost: 0n, pairedBaseline: 1000n }),
    group({ day: DAY('2026-11-02'), status: 'error', calls: 1, inputTokens: 0, outputTokens: 0, cost: 0n, baselineCost: 0n, pairedCost: 0n, pairedBaseline: 0n }),
    group({ provider: 'openai', model: 'gpt-5.4', route: 'flagship', class: 'code', calls: 4, inputTokens: 400, outputTokens: 800, cost: 8000n, baselineCost: 8000n, pairedCost: 8000n, pairedBaseline: 8000n }),
    // Two calls of unknown cost (no usage) among five: counted, not priced at $0.
    group({ provider: 'openai-compatible', model: 'llama3.2:3b', route: 'local', class: null, day: DAY('2026-10-31'), calls: 5, inputTokens: 50, outputTokens: 50, cost: 30n, costUnknown: 2, baselineCost: 900n, baselineUnknown: 2, pairedCost: 30n, pairedBaseline: 900n }),
  ];

  it('by model: one row per provider/model, by spend; the total adds up', () => {
    const s = aggregate(groups, 'model');
    expect(s.rows.map((r) => [r.key, r.provider, r.model, r.calls, r.failed, r.cached, r.inputTokens, r.outputTokens, r.cost, r.costUnknown, r.baselineCost])).toEqual([
      ['openai/gpt-5.4', 'openai', 'gpt-5.4', 4, 0, 0, 400, 800, 8000n, 0, 8000n],
      ['anthropic/claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5', 6, 1, 2, 40, 80, 300n, 0, 2500n],
      ['openai-compatible/llama3.2:3b', 'openai-compatible', 'llama3.2:3b', 5, 0, 0, 50, 50, 30n, 2, 900n],
    ]);
    const t = s.total;
    expect([t.calls, t.failed, t.cached, t.inputTokens, t.outputTokens, t.cost, t.costUnknown, t.baselineCost]).toEqual([15, 1, 2, 490, 930, 8330n, 2, 11400n]);
    expect(rowSavings(t)).toBe(11400n - 8330n);
  });

  it('by route, by class (the default route last) and by day (oldest first)', () => {
    expect(aggregate(groups, 'route').rows.map((r) => [r.key, r.calls, r.cost])).toEqual([
      ['flagship', 4, 8000n],
      ['quick', 6, 300n],
      ['local', 5, 30n],
    ]);
    expect(aggregate(groups, 'class').rows.map((r) => [r.key, r.calls, r.cost])).toEqual([
      ['code', 4, 8000n],
      ['lookup', 6, 300n],
      [null, 5, 30n],
    ]);
    expect(aggregate(groups, 'day').rows.map((r) => [r.key, r.calls, r.cost, r.baselineCost])).toEqual([
      ['2026-10-31', 5, 30n, 900n],
      ['2026-11-01', 7, 8300n, 9500n],
      ['2026-11-02', 3, 0n, 1000n],
    ]);
  });

  it('sums money exactly, far beyond what a double holds', () => {
    const pico = 123_456_789_012_345_677n; // ~$123,456.79, not a double
    const many = Array.from({ length: 50 }, (_, i) => group({ day: DAY('2026-11-01') + i, cost: pico, pairedCost: pico, baselineCost: pico + 1n, pairedBaseline: pico + 1n }));
    const s = aggregate(many, 'model');
    expect(s.total.cost).toBe(pico * 50n);
    expect(rowSavings(s.total)).toBe(50n);
    expect(s.rows).toHaveLength(1);
  });

  it('savings compare only calls whose cost and baseline are both known', () => {
    const s = aggregate([group({ cost: 100n, costUnknown: 1, baselineCost: 900n, pairedCost: 100n, pairedBaseline: 500n, calls: 2 })], 'model');
    expect(rowSavings(s.total)).toBe(400n);
  });

  it('an empty ledger gives no rows and a zero total', () => {
    const s = aggregate([], 'day');
    expect(s.rows).toEqual([]);
    expect([s.total.calls, s.total.cost, s.total.baselineCost]).toEqual([0, 0n, 0n]);
  });

  it('dayKey is the UTC date', () => {
    expect(dayKey(DAY('2026-11-01'))).toBe('2026-11-01');
    expect(dayKey(0)).toBe('1970-01-01');
  });
});
