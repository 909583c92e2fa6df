import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/core/execution/calls.js';
import type { ResultRecord } from '../../src/core/execution/events.js';
import { parsePolicy } from '../../src/core/policy/parse.js';
import { Panel } from '../../src/view/live/panel.js';
import { takeSnapshot } from '../../src/view/live/snapshot.js';
import { RunStore } from '../../src/view/run-store.js';

const policy = parsePolicy(readFileSync(new URL('../fixtures/policies/with-local.yaml', import.meta.url), 'utf8'), 'routes.yaml', { now: new Date('2026-11-01') });

const usage = { input: 100, output: 20, cacheRead: 0, cacheWrite: 0 };
function call(route: string, cost: bigint): CallRecord {
  const m = policy.models.get(route)!;
  return { kind: 'answer', route, provider: m.provider, model: m.model, usage, cost, unsettled: 0n, attempts: 1, cached: false };
}

function record(id: string, calls: CallRecord[]): ResultRecord {
  const kept = calls[calls.length - 1]!;
  return {
    id, source: { file: 'p.jsonl' }, class: null, route: kept.route, provider: kept.provider, model: kept.model, reason: 'test', estimated: false,
    usage, cost: calls.reduce((s, c) => s + c.cost, 0n), baselineCost: 0n, calls, cascade: 'careful', escalated: calls.length > 1,
  };
}

describe('the live view of a run with a cascade', () => {
  it('shows, per cascade, how many prompts escalated and what the answers thrown away cost', () => {
    const store = new RunStore(policy);
    store.apply({ type: 'run-start', at: 0, dryRun: false, total: 3 });
    for (const r of [record('a', [call('quick', 1_000_000n)]), record('b', [call('quick', 1_000_000n), call('flagship', 9_000_000n)]), record('c', [call('quick', 1_000_000n)])]) {
      store.apply({ type: 'prompt-start', at: 1, id: r.id, route: r.route, class: null });
      store.apply({ type: 'prompt-end', at: 2, record: r });
    }
    const frame = stripVTControlCharacters(render(<Panel snapshot={takeSnapshot(store.totals, 3)} policy={policy} columns={120} color={false} />).lastFrame() ?? '');
    expect(frame).toContain('cascade careful: 1 of 3 escalated (33.3%), answers thrown away $0.000001');
  });
});
