import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/core/policy/parse.js';
import { BatchPanel } from '../../src/view/live/batches.js';
import { RunStore } from '../../src/view/run-store.js';

const policy = parsePolicy(
  `baseline: big
default: small
models:
  big: { provider: anthropic, model: claude-opus-5-5 }
  small: { provider: openai, model: gpt-5.4-mini }
`,
  'r.yaml',
  { now: new Date('2026-11-01') },
);

describe('the batch live view', () => {
  it('shows each batch with its provider and model, status, requests done and failed, and the spend so far', () => {
    const store = new RunStore(policy);
    store.apply({ type: 'run-start', at: 0, dryRun: false });
    store.apply({ type: 'prompt-start', at: 0, id: 'a', route: 'small', class: null });
    store.apply({
      type: 'prompt-end',
      at: 1,
      record: { id: 'a', source: { file: 'in.jsonl' }, class: null, route: 'small', provider: 'openai', model: 'gpt-5.4-mini', reason: 'x', estimated: false, usage: { input: 1000, output: 100, cacheRead: 0, cacheWrite: 0 }, cost: 600_000_000n, baselineCost: 3_000_000_000n },
    });
    const progress = {
      done: 1,
      total: 3,
      batches: [
        { route: 'small', id: 'batch_abc', status: 'in_progress', lines: 2, succeeded: 1, failed: 0 },
        { route: 'big', id: null, status: 'submitting', lines: 1, succeeded: 0, failed: 1 },
      ],
    };
    const app = render(<BatchPanel jobId="job-1" progress={progress} store={store} policy={policy} color={false} />);
    const frame = stripVTControlCharacters(app.lastFrame() ?? '').split('\n').map((l) => l.trimEnd());
    expect(frame[0]).toBe('batch job job-1: 1 of 3 prompts collected');
    expect(frame[2]).toBe(`${'openai/gpt-5.4-mini'.padEnd(36)} ${'batch_abc'.padEnd(20)} ${'in_progress'.padEnd(12)} ${'1'.padStart(8)} ${'0'.padStart(7)} ${'$0.000600'.padStart(11)}`);
    expect(frame[3]).toBe(`${'anthropic/claude-opus-5-5'.padEnd(36)} ${'(submitting)'.padEnd(20)} ${'submitting'.padEnd(12)} ${'0'.padStart(8)} ${'1'.padStart(7)} ${'$0.00'.padStart(11)}`);
    expect(frame[4]).toBe('spend so far $0.000600  baseline $0.003000  failed 0');
  });
});
