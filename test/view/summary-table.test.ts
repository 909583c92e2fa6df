import { describe, expect, it } from 'vitest';
import { applyEvent, emptyTotals } from '../../src/core/money/accounting.js';
import type { ResultRecord } from '../../src/core/execution/events.js';
import { summaryTable } from '../../src/view/summary-table.js';
import { widest } from '../../src/view/table-fit.js';
import { localPolicy } from '../support.js';

const policy = localPolicy();

function record(id: string, route: string, change: Partial<ResultRecord> = {}): ResultRecord {
  const m = policy.models.get(route)!;
  return {
    id, source: { file: 'p.jsonl', line: 1 }, class: null, route, provider: m.provider, model: m.model, reason: 'test', estimated: false,
    usage: { input: 123_456, output: 98_765, cacheRead: 0, cacheWrite: 0 }, cost: 12_345_678_000_000n, baselineCost: 99_999_999_000_000n, ...change,
  };
}

function totals(records: ResultRecord[]) {
  const t = emptyTotals(policy);
  applyEvent(t, { type: 'run-start', at: 0, dryRun: false });
  for (const r of records) applyEvent(t, { type: 'prompt-end', at: 1, record: r });
  applyEvent(t, { type: 'run-end', at: 2, stop: 'done' });
  return t;
}

describe('summaryTable', () => {
  const t = totals([record('a', 'local'), record('b', 'flagship'), record('c', 'balanced', { cost: undefined })]);

  it('fits 80 columns, dropping the provider before wrapping', () => {
    const narrow = summaryTable(t, policy, { columns: 80 });
    const table = narrow.slice(0, narrow.indexOf('\nbaseline'));
    expect(widest(table)).toBeLessThanOrEqual(80);
    expect(table).toContain('llama3.2:3b');
    const wide = summaryTable(t, policy, { columns: 200 });
    expect(wide).toContain('openai-compatible/llama3.2:3b');
  });

  it('falls back to the most compact layout when nothing fits', () => {
    const text = summaryTable(t, policy, { columns: 40 });
    expect(text).not.toContain('share');
    expect(text).toMatch(/│ route +│ model +│ calls │ +in │ +out │/);
  });

  it('prints one line, not a table of zeros, when there were no prompts', () => {
    expect(summaryTable(totals([]), policy)).toBe('no prompts: the input held none, so nothing was sent');
    const t2 = emptyTotals(policy);
    applyEvent(t2, { type: 'input-error', at: 0, file: 'x.jsonl', line: 1, message: 'malformed' });
    expect(summaryTable(t2, policy)).toBe('no prompts: 1 input line or file could not be read (above), so nothing was sent');
  });
});

describe('an empty input, end to end', () => {
  it('dry run of an empty file: one line on stderr, no table', async () => {
    const { frugalIn } = await import('../helpers/in-process.js');
    const { FIXTURES, LOCAL_ROUTES } = await import('../support.js');
    const r = await frugalIn(['run', '--dry-run', '--routes', LOCAL_ROUTES, `${FIXTURES}prompts/empty.jsonl`]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', 'no prompts: the input held none, so nothing was sent\n']);
  });
});
