import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../src/core/execution/events.js';
import { progressText, startProgressLine } from '../../src/view/progress-line.js';
import { takeSnapshot } from '../../src/view/live/snapshot.js';
import { RunStore } from '../../src/view/run-store.js';
import { localPolicy } from '../support.js';

const policy = localPolicy();

function done(id: string, change: Partial<ResultRecord> = {}): ResultRecord {
  return {
    id, source: { file: 'p.jsonl', line: 1 }, class: null, route: 'quick', provider: 'anthropic', model: 'claude-haiku-4-5', reason: 't', estimated: false,
    usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0 }, cost: 1_000_000n, baselineCost: 4_000_000n, ...change,
  };
}

describe('the progress line', () => {
  it('says done/total, rate, ETA, in flight, spend, savings and failures', () => {
    const store = new RunStore(policy);
    store.apply({ type: 'run-start', at: 0, dryRun: false, total: 10 });
    store.apply({ type: 'prompt-start', at: 0, id: 'a', route: 'quick', class: null });
    store.apply({ type: 'prompt-end', at: 1000, record: done('a') });
    store.apply({ type: 'prompt-start', at: 1000, id: 'b', route: 'quick', class: null });
    store.apply({ type: 'prompt-end', at: 2000, record: done('b', { error: { message: 'boom' }, cost: 0n, baselineCost: 0n }) });
    store.apply({ type: 'prompt-start', at: 2000, id: 'c', route: 'quick', class: null });
    expect(progressText(takeSnapshot(store.totals, 4000))).toBe(
      'frugal: 2/10 done (20%)  0.5/s  ETA 16s  in flight 1  spend $0.000001  saved $0.000003 (75.0%)  failed 1  (elapsed 4.0s)',
    );
  });

  it('prints on each tick while the run goes, from the same store, and stops', () => {
    const store = new RunStore(policy);
    store.keepFinished = false;
    const lines: string[] = [];
    let tick = () => {};
    let cancelled = false;
    let now = 0;
    const p = startProgressLine({ store, write: (l) => lines.push(l), clock: () => now, every: (fn, ms) => ((tick = fn), expect(ms).toBe(5000), () => (cancelled = true)) });
    tick();
    expect(lines).toEqual([]);
    store.apply({ type: 'run-start', at: 0, dryRun: false });
    store.apply({ type: 'prompt-start', at: 0, id: 'a', route: 'quick', class: null });
    store.apply({ type: 'prompt-end', at: 10, record: done('a') });
    now = 5000;
    tick();
    expect(lines).toEqual(['frugal: 1 done  0.2/s  in flight 0  spend $0.000001  saved $0.000003 (75.0%)  (elapsed 5.0s)']);
    store.apply({ type: 'run-end', at: 6000, stop: 'done' });
    tick();
    expect(lines).toHaveLength(1);
    p.stop();
    expect(cancelled).toBe(true);
  });
});
