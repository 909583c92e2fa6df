import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyTotals } from '../../../src/core/money/accounting.js';
import type { ResultRecord, RunEvent } from '../../../src/core/execution/events.js';
import { parsePolicy } from '../../../src/core/policy/validate.js';
import type { InputItem } from '../../../src/core/prompt.js';
import { isRetryable, retryDelay, DEFAULT_BACKOFF, type SendFailure } from '../../../src/core/execution/retry.js';
import { schedule, type Job, type SendResult } from '../../../src/core/execution/scheduler.js';
import { estimateCounter } from '../../../src/core/routing/tokens.js';

const policy = parsePolicy(readFileSync(new URL('../../../routes.yaml', import.meta.url), 'utf8'), 'routes.yaml', { now: new Date('2026-11-01') });

async function* items(list: InputItem[]): AsyncGenerator<InputItem> {
  for (const i of list) yield i;
}

// Long enough to pass the shipped policy's `tiny` class and land on the default route (balanced).
const LONG = ' Here is the document body, which goes on for a while.'.repeat(6);
const prompt = (id: string, text: string): InputItem => ({
  kind: 'prompt',
  prompt: { id, messages: [{ role: 'user', content: text + LONG }], fields: {}, source: { file: 't.jsonl', line: 1 } },
});

const fail = (f: Partial<SendFailure>): SendFailure => ({ kind: 'http', message: 'boom', ...f });

function harness(send: (job: Job, n: number) => Promise<SendResult>, opts: { concurrency?: number; retries?: number; list: InputItem[] }) {
  const events: RunEvent[] = [];
  const records: ResultRecord[] = [];
  const sleeps: number[] = [];
  const calls = new Map<string, number>();
  let now = 0;
  const run = schedule({
    items: items(opts.list),
    policy,
    counter: estimateCounter,
    concurrency: opts.concurrency ?? 2,
    retries: opts.retries ?? 4,
    send: (job) => {
      const n = (calls.get(job.prompt.id) ?? 0) + 1;
      calls.set(job.prompt.id, n);
      return send(job, n);
    },
    emit: (e) => events.push(e),
    onRecord: (r) => {
      records.push(r);
      return undefined;
    },
    control: { stopping: false, abort: new AbortController().signal },
    clock: () => (now += 1),
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    nextTurn: async () => {},
    random: () => 0.5,
  });
  return { run, events, records, sleeps, calls };
}

const usage = { input: 1000, output: 100, cacheRead: 0, cacheWrite: 0 };

describe('retry policy', () => {
  it.each([
    [fail({ status: 408 }), true],
    [fail({ status: 409 }), true],
    [fail({ status: 429 }), true],
    [fail({ status: 500 }), true],
    [fail({ status: 529 }), true],
    [fail({ status: 400 }), false],
    [fail({ status: 401 }), false],
    [fail({ status: 404 }), false],
    [fail({ kind: 'connection', status: undefined }), true],
    [fail({ kind: 'timeout', status: undefined }), true],
    [fail({ kind: 'missing-key', status: undefined }), false],
    [fail({ kind: 'aborted', status: undefined }), false],
  ])('%o retryable: %s', (f, want) => {
    expect(isRetryable(f)).toBe(want);
  });

  it('uses full jitter under an exponential ceiling', () => {
    expect(retryDelay(1, fail({ status: 500 }), DEFAULT_BACKOFF, () => 1)).toBe(500);
    expect(retryDelay(3, fail({ status: 500 }), DEFAULT_BACKOFF, () => 1)).toBe(2000);
    expect(retryDelay(30, fail({ status: 500 }), DEFAULT_BACKOFF, () => 1)).toBe(30_000);
    expect(retryDelay(3, fail({ status: 500 }), DEFAULT_BACKOFF, () => 0.25)).toBe(500);
  });

  it('honours retry-after as a floor, above 60 s too, and gives up past the cap', () => {
    expect(retryDelay(1, fail({ status: 429, retryAfterMs: 90_000 }), DEFAULT_BACKOFF, () => 0)).toBe(90_000);
    expect(retryDelay(1, fail({ status: 429, retryAfterMs: 90_000 }), DEFAULT_BACKOFF, () => 1)).toBe(90_500);
    expect(retryDelay(1, fail({ status: 429, retryAfterMs: 301_000 }), DEFAULT_BACKOFF, () => 0)).toBeUndefined();
  });
});

describe('schedule', () => {
  it('retries, bills only the answered attempt, and records every prompt once', async () => {
    const h = harness(
      async (job, n) => {
        if (job.prompt.id === 'a' && n < 3) throw fail({ status: 429, retryAfterMs: 1000 });
        return { text: 'ok', usage };
      },
      { list: [prompt('a', 'Summarize this text for me please'), prompt('b', 'Summarize another text for me please')] },
    );
    expect(await h.run).toBe('done');
    expect(h.records.map((r) => r.id).sort()).toEqual(['a', 'b']);
    const a = h.records.find((r) => r.id === 'a')!;
    expect(a.attempts).toBe(3);
    // gpt-5.4-mini: 1000 * 0.75 + 100 * 4.5 = 1200 micro-USD = 1.2e9 picodollars
    expect(a.cost).toBe(1_200_000_000n);
    // claude-opus-5-5 baseline: 1000 * 4 + 100 * 20 = 6000 micro-USD
    expect(a.baselineCost).toBe(6_000_000_000n);
    expect(h.sleeps).toEqual([1250, 1250]);
    const totals = h.events.reduce(applyEvent, emptyTotals(policy));
    expect(totals.retries).toBe(2);
    expect(totals.cost).toBe(2_400_000_000n);
    expect(totals.models.get('balanced')!.calls).toBe(2);
    expect(totals.inFlight).toBe(0);
  });

  it('turns a non-retryable failure into an error record that costs nothing', async () => {
    const h = harness(async () => Promise.reject(fail({ status: 400, message: 'prompt is too long' })), { list: [prompt('x', 'Summarize please')] });
    await h.run;
    expect(h.calls.get('x')).toBe(1);
    expect(h.records[0]).toMatchObject({ id: 'x', cost: 0n, baselineCost: 0n, attempts: 1, error: { status: 400, message: 'prompt is too long' } });
  });

  it('stops after the configured retries', async () => {
    const h = harness(async () => Promise.reject(fail({ kind: 'connection', message: 'reset' })), { list: [prompt('x', 'Summarize please')], retries: 2 });
    await h.run;
    expect(h.calls.get('x')).toBe(3);
    expect(h.records[0]!.error).toMatchObject({ kind: 'connection' });
  });

  it('keeps at most `concurrency` prompts in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const list = Array.from({ length: 20 }, (_, i) => prompt(`p${i}`, `Summarize item ${i}`));
    const h = harness(
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return { text: 'ok', usage };
      },
      { list, concurrency: 3 },
    );
    await h.run;
    expect(peak).toBe(3);
    expect(h.records).toHaveLength(20);
  });

  it('emits input errors as events and goes on', async () => {
    const h = harness(async () => ({ text: 'ok', usage }), {
      list: [{ kind: 'error', file: 'in.jsonl', line: 2, message: 'malformed JSON' }, prompt('a', 'Summarize it')],
    });
    await h.run;
    const totals = h.events.reduce(applyEvent, emptyTotals(policy));
    expect(totals.inputErrors).toEqual([{ file: 'in.jsonl', line: 2, message: 'malformed JSON' }]);
    expect(totals.succeeded).toBe(1);
  });

  it('a prompt without reported usage has an unknown cost, never $0', async () => {
    const h = harness(async () => ({ text: 'ok', usage: undefined }), { list: [prompt('a', 'Summarize it')] });
    await h.run;
    expect(h.records[0]!.cost).toBeUndefined();
    const totals = h.events.reduce(applyEvent, emptyTotals(policy));
    expect(totals.costUnknown).toBe(1);
  });
});
