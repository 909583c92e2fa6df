import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyTotals } from '../../../src/core/money/accounting.js';
import type { ResultRecord, RunEvent } from '../../../src/core/execution/events.js';
import { parsePolicy } from '../../../src/core/policy/parse.js';
import type { PromptRecord } from '../../../src/core/prompt.js';
import { isRetryable, retryDelay, DEFAULT_BACKOFF, type SendFailure } from '../../../src/core/execution/retry.js';
import { execute, type WorkItem } from '../../../src/core/execution/interactive.js';
import type { CallSpec, SendResult } from '../../../src/core/execution/call-runner.js';
import type { CallRecord } from '../../../src/core/execution/calls.js';
import { Budget, maxCost } from '../../../src/core/money/budget.js';
import { routingChain } from '../../../src/core/routing/chain.js';
import { estimateCounter } from '../../../src/core/routing/tokens.js';

const policy = parsePolicy(readFileSync(new URL('../../../routes.yaml', import.meta.url), 'utf8'), 'routes.yaml', { now: new Date('2026-11-01') });

async function* items(list: WorkItem[]): AsyncGenerator<WorkItem> {
  for (const i of list) yield i;
}

// Long enough to pass the shipped policy's `tiny` class and land on the default route (balanced).
const LONG = ' Here is the document body, which goes on for a while.'.repeat(6);
const prompt = (id: string, text: string): WorkItem => ({
  kind: 'prompt',
  prompt: { id, messages: [{ role: 'user', content: text + LONG }], fields: {}, source: { file: 't.jsonl', line: 1 } },
});

const fail = (f: Partial<SendFailure>): SendFailure => ({ kind: 'http', message: 'boom', ...f });

interface Journaled {
  id: string;
  booked: bigint[];
  settled?: CallRecord | undefined;
}

function harness(send: (spec: CallSpec, n: number, leaving: () => void) => Promise<SendResult>, opts: { concurrency?: number; retries?: number; list: WorkItem[]; budget?: Budget }) {
  const events: RunEvent[] = [];
  const records: ResultRecord[] = [];
  const sleeps: number[] = [];
  const calls = new Map<string, number>();
  const journal: Journaled[] = [];
  let now = 0;
  const run = execute(
    { items: items(opts.list), planner: { route: routingChain(policy, estimateCounter), models: policy.models }, baseline: policy.models.get(policy.baseline)! },
    { concurrency: opts.concurrency ?? 2, retries: opts.retries ?? 4, budget: opts.budget },
    {
      send: (spec, _signal, leaving) => {
        const n = (calls.get(spec.prompt.id) ?? 0) + 1;
        calls.set(spec.prompt.id, n);
        return send(spec, n, leaving);
      },
      journal: {
        open: (spec, booked) => journal.push({ id: spec.prompt.id, booked: [booked] }) - 1,
        rebook: (handle, booked) => void journal[handle]!.booked.push(booked),
        settle: (handle, spec, call) => {
          // Like the ledger: a call that never left is written only when the cache answered it.
          if (handle === undefined) {
            if (call.cached) journal.push({ id: spec.prompt.id, booked: [], settled: call });
          }
          else journal[handle]!.settled = call;
        },
        record: (spec, call) => {
          journal.push({ id: spec.prompt.id, booked: [call.cost], settled: call });
        },
        keep: () => undefined,
      },
      emit: (e) => events.push(e),
      onRecord: (r) => {
        records.push(r);
        return undefined;
      },
    },
    {
      control: { stopping: false, abort: new AbortController().signal },
      clock: () => (now += 1),
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      nextTurn: async () => {},
      random: () => 0.5,
    },
  );
  return { run, events, records, sleeps, calls, journal };
}

/** A sender whose request leaves, then answers as `answer` says. */
const leaves = (answer: (spec: CallSpec, n: number) => Promise<SendResult>) => (spec: CallSpec, n: number, leaving: () => void) => {
  leaving();
  return answer(spec, n);
};

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

describe('the interactive executor', () => {
  it('retries, bills only the answered attempt, and records every prompt once', async () => {
    const h = harness(
      leaves(async (spec, n) => {
        if (spec.prompt.id === 'a' && n < 3) throw fail({ status: 429, retryAfterMs: 1000 });
        return { text: 'ok', usage };
      }),
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
    const h = harness(leaves(async () => Promise.reject(fail({ status: 400, message: 'prompt is too long' }))), { list: [prompt('x', 'Summarize please')] });
    await h.run;
    expect(h.calls.get('x')).toBe(1);
    expect(h.records[0]).toMatchObject({ id: 'x', cost: 0n, baselineCost: 0n, attempts: 1, error: { status: 400, message: 'prompt is too long' } });
  });

  it('stops after the configured retries; every dropped attempt keeps its reservation', async () => {
    const h = harness(leaves(async () => Promise.reject(fail({ kind: 'connection', message: 'reset' }))), { list: [prompt('x', 'Summarize please')], retries: 2 });
    await h.run;
    expect(h.calls.get('x')).toBe(3);
    const r = h.records[0]!;
    expect(r.error).toMatchObject({ kind: 'connection' });
    expect(r.cost).toBeGreaterThan(0n);
    expect(r.unsettled).toBe(r.cost);
    expect(r.cost! % 3n).toBe(0n);
    // Written down before each attempt left, booked at what it may cost.
    expect(h.journal).toHaveLength(1);
    const one = r.cost! / 3n;
    expect(h.journal[0]!.booked).toEqual([one, 2n * one, 3n * one]);
    expect(h.journal[0]!.settled).toMatchObject({ cost: r.cost, unsettled: r.cost, attempts: 3 });
  });

  it('a refused connection never reached a server: retried at no cost', async () => {
    const h = harness(async () => Promise.reject(fail({ kind: 'refused', message: 'ECONNREFUSED' })), { list: [prompt('x', 'Summarize please')], retries: 1 });
    await h.run;
    expect(h.records[0]).toMatchObject({ cost: 0n, unsettled: 0n, error: { kind: 'refused' } });
    expect(h.journal).toEqual([]);
  });

  it('keeps at most `concurrency` prompts in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const list = Array.from({ length: 20 }, (_, i) => prompt(`p${i}`, `Summarize item ${i}`));
    const h = harness(
      leaves(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return { text: 'ok', usage };
      }),
      { list, concurrency: 3 },
    );
    await h.run;
    expect(peak).toBe(3);
    expect(h.records).toHaveLength(20);
  });

  it('emits input errors as events and goes on', async () => {
    const h = harness(leaves(async () => ({ text: 'ok', usage })), {
      list: [{ kind: 'error', file: 'in.jsonl', line: 2, message: 'malformed JSON' }, prompt('a', 'Summarize it')],
    });
    await h.run;
    const totals = h.events.reduce(applyEvent, emptyTotals(policy));
    expect(totals.inputErrors).toEqual([{ file: 'in.jsonl', line: 2, message: 'malformed JSON' }]);
    expect(totals.succeeded).toBe(1);
  });

  it('an answer without reported usage is booked at its reservation, never $0', async () => {
    const h = harness(leaves(async () => ({ text: 'ok', usage: undefined })), { list: [prompt('a', 'Summarize it')] });
    await h.run;
    const r = h.records[0]!;
    expect(r.cost).toBeGreaterThan(0n);
    expect(r.unsettled).toBe(r.cost);
    const totals = h.events.reduce(applyEvent, emptyTotals(policy));
    expect(totals.unsettled).toBe(r.cost);
    expect(totals.unsettledCalls).toBe(1);
    expect(totals.cost).toBe(r.cost);
  });

  it('a cache hit is written down as a call at no cost; a key that is missing writes nothing', async () => {
    const h = harness(
      async (spec) => {
        if (spec.prompt.id === 'nokey') throw fail({ kind: 'missing-key', message: 'OPENAI_API_KEY is not set' });
        return { text: 'ok', usage, cached: true };
      },
      { list: [prompt('hit', 'Summarize it'), prompt('nokey', 'Summarize that')], concurrency: 1 },
    );
    await h.run;
    expect(h.journal.map((j) => [j.id, j.settled?.cached, j.settled?.cost])).toEqual([['hit', true, 0n]]);
    expect(h.records.find((r) => r.id === 'hit')).toMatchObject({ cost: 0n, cached: true, cacheSaved: 1_200_000_000n });
  });

  it('after a model refuses the key, its other prompts are not sent, and the refusal is said once', async () => {
    const list = Array.from({ length: 5 }, (_, i) => prompt(`p${i}`, `Summarize item ${i}`));
    const h = harness(leaves(async () => Promise.reject(fail({ status: 401, message: 'invalid key for balanced (openai at https://x/v1, OPENAI_API_KEY)' }))), { list, concurrency: 1 });
    await h.run;
    expect([...h.calls.values()].reduce((a, b) => a + b, 0)).toBe(1);
    const totals = h.events.reduce(applyEvent, emptyTotals(policy));
    expect(totals.refused).toHaveLength(1);
    expect(totals.notSent).toBe(4);
    expect(totals.failed).toBe(5);
  });

  it('a slow provider does not hold back prompts routed to another one', async () => {
    // Alternate prompts between the default route (openai) and --model-like fixed routes (anthropic).
    const list: WorkItem[] = [];
    for (let i = 0; i < 40; i++) {
      const p = (prompt(`p${i}`, `Summarize item ${i}`) as { prompt: PromptRecord }).prompt;
      list.push({ kind: 'routed', prompt: p, decision: { class: null, route: i % 2 ? 'quick' : 'balanced', reason: 'test' } });
    }
    const finished: string[] = [];
    const h = harness(
      leaves(async (spec) => {
        if (spec.model.alias === 'balanced') await new Promise((r) => setTimeout(r, 20));
        finished.push(spec.model.alias);
        return { text: 'ok', usage };
      }),
      { list, concurrency: 1 },
    );
    await h.run;
    // Every quick prompt finishes before the slow provider has done even a few of its own.
    const lastQuick = finished.lastIndexOf('quick');
    expect(finished.slice(0, lastQuick + 1).filter((m) => m === 'balanced').length).toBeLessThan(3);
    expect(h.records).toHaveLength(40);
  });

  it('under a budget, a retry after a dropped attempt needs a reservation of its own', async () => {
    const first = (prompt('a', 'Summarize it') as { prompt: PromptRecord }).prompt;
    const one = maxCost(first, policy.models.get('balanced')!, 4096);
    // Room for two attempts only: the third is not sent.
    const budget = new Budget({ total: 2n * one + one / 2n, perModel: new Map() });
    const h = harness(leaves(async () => Promise.reject(fail({ kind: 'timeout', message: 'timed out' }))), { list: [prompt('a', 'Summarize it')], retries: 5, budget });
    await h.run;
    expect(h.calls.get('a')).toBe(2);
    expect(h.records[0]).toMatchObject({ cost: 2n * one, error: { kind: 'budget' } });
    expect(budget.totalSpent).toBe(2n * one);
  });
});
