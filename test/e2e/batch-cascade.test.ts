import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from '../fake/server.js';
import { frugal, pico, POLICY, records, setup, spend, writePrompts, type Setup } from './batch-helpers.js';

// A cascade across providers: the cheap OpenAI model first, the Anthropic flagship when its worked sum is wrong.
const CASCADE = `
baseline: strong
default: careful
models:
  strong: { provider: anthropic, model: claude-opus-5-5, price: { input: 10, output: 40, cache_read: 1, cache_write: 12.5 } }
  weak: { provider: openai, model: gpt-5.4-mini, price: { input: 2, output: 8, cache_read: 0.2 }, options: { temperature: 0.2 } }
cascades:
  careful:
    try: [weak, strong]
    accept:
      all:
        - finish_reason: stop
        - check: arithmetic
`;

let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  // The weak model slips on the prompts that mention "hard": its worked sum is wrong.
  server.setModel('gpt-5.4-mini', { text: (p) => (p.includes('hard') ? '3 + 4 = 8, so #### 8' : '3 + 4 = 7, so #### 7'), usage: (p) => ({ input: 40 + p.length, output: 12 }) });
  server.setModel('claude-opus-5-5', { text: () => '3 + 4 = 7, so #### 7', usage: (p) => ({ input: 30 + p.length, output: 9 }) });
});

const unique = (ids: unknown[]) => new Set(ids).size === ids.length;
const sums = (i: number) => (i % 3 === 0 ? `A hard one, item ${i}: 3 and 4?` : `Item ${i}: add 3 and 4`);

function ledgerRows(s: Setup): { prompt_id: string; route: string; status: string; cost_pico: bigint; unsettled_pico: bigint; baseline_cost_pico: bigint | null }[] {
  const db = new Database(join(s.home, 'frugal.db'), { readonly: true });
  try {
    return db.prepare('SELECT prompt_id, route, status, cost_pico, unsettled_pico, baseline_cost_pico FROM calls ORDER BY id').safeIntegers(true).all() as never;
  } finally {
    db.close();
  }
}

/** Runs frugal in process and presses Ctrl-C (which detaches a batch run) once `when` holds. */
async function detachWhen(s: Setup, args: string[], when: () => boolean) {
  let detach: (() => void) | undefined;
  const timer = setInterval(() => {
    if (when()) detach?.();
  }, 1);
  try {
    return await frugal(s, args, (h) => (detach = h));
  } finally {
    clearInterval(timer);
  }
}

interface Call {
  route: string;
  batch_id?: string;
  cost_usd: number;
  checks?: { id: string; ok: boolean }[];
}

describe('a cascade in a batch run', () => {
  it('batches its first step, then batches just the escalations; every call is paid once, at batch prices', async () => {
    const s = setup(server, CASCADE);
    server.batches.setProgress({ pollsToEnd: 2 });
    const input = writePrompts(s.dir, 300, sums);
    const out = join(s.dir, 'out.jsonl');
    const summary = join(s.dir, 'summary.json');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--summary-json', summary]);
    expect(r.code, r.stderr).toBe(0);
    const rs = records(out);
    expect(rs).toHaveLength(300);
    expect(unique(rs.map((x) => x.id))).toBe(true);
    // Nothing went live: two batches, the second holding only the 100 escalations.
    expect(server.requests).toHaveLength(0);
    const batches = server.batches.list();
    expect(batches.map((b) => [b.provider, b.lines.length])).toEqual([
      ['openai', 300],
      ['anthropic', 100],
    ]);
    // Each step carries its own model's options.
    expect(batches[0]!.lines.every((l) => (l.body as { temperature?: number }).temperature === 0.2)).toBe(true);
    expect(batches[1]!.lines.every((l) => (l.body as { temperature?: number }).temperature === undefined)).toBe(true);

    const hard = rs.find((x) => x.id === 'p3')!;
    expect(hard).toMatchObject({ route: 'strong', escalated: true, cascade: 'careful', failed_check: 'cascades.careful.accept.all[1].check', output: '3 + 4 = 7, so #### 7', cost_exact: true });
    const calls = hard.calls as Call[];
    expect(calls.map((c) => c.route)).toEqual(['weak', 'strong']);
    expect(calls[0]!.batch_id).toBe(batches[0]!.id);
    expect(calls[1]!.batch_id).toBe(batches[1]!.id);
    expect(hard.batch_id).toBe(batches[1]!.id);
    expect(calls[0]!.checks!.find((c) => !c.ok)!.id).toBe('cascades.careful.accept.all[1].check');
    expect(pico(hard.cost_usd)).toBe(pico(calls[0]!.cost_usd) + pico(calls[1]!.cost_usd));
    const easy = rs.find((x) => x.id === 'p1')!;
    expect(easy).toMatchObject({ route: 'weak', escalated: false, cascade: 'careful', failed_check: null });
    expect((easy.calls as Call[]).map((c) => c.route)).toEqual(['weak']);

    // Spend equals what the server billed at batch prices, to the picodollar.
    const stats = server.batches.stats();
    expect(stats.billedLines).toBe(400);
    expect(spend(rs)).toBe(stats.billedPico);
    const sum = JSON.parse(readFileSync(summary, 'utf8')) as Record<string, unknown>;
    expect(sum).toMatchObject({ escalated: 100, calls: 400, batched_calls: 400 });
    expect(pico(sum.cost_usd)).toBe(stats.billedPico);
    // Half price: the discount equals the spend.
    expect(pico(sum.batch_discount_usd)).toBe(stats.billedPico);
    expect(r.stderr).toContain('cascade careful: 100 of 300 prompts escalated');
    expect(r.stderr).toMatch(/batch discount: \$[\d.]+ saved against sending the same 400 calls live/);

    // One ledger row per call; the baseline only on the kept answer's call.
    const rows = ledgerRows(s);
    expect(rows).toHaveLength(400);
    expect(rows.reduce((a, x) => a + x.cost_pico, 0n)).toBe(stats.billedPico);
    const p3 = rows.filter((x) => x.prompt_id === 'p3');
    expect(p3.map((x) => [x.route, x.status, x.baseline_cost_pico! > 0n])).toEqual([
      ['weak', 'ok', false],
      ['strong', 'ok', true],
    ]);
  });

  it('detached between its steps, `batch collect` carries on: no call twice, no record twice, no row twice', async () => {
    const s = setup(server, CASCADE);
    server.batches.setProgress({ pollsToEnd: 4 });
    const input = writePrompts(s.dir, 60, sums);
    const out = join(s.dir, 'out.jsonl');
    const first = await detachWhen(s, ['run', '--routes', s.routes, '--batch', input, '-o', out], () => server.batches.list().length === 2);
    expect(first.code, first.stderr).toBe(130);
    expect(records(out)).toHaveLength(40);
    const job = /detached from batch job (\S+):/.exec(first.stderr)![1]!;
    const r = await frugal(s, ['batch', 'collect', job, '--home', s.home]);
    expect(r.code, r.stderr).toBe(0);
    const rs = records(out);
    expect(rs).toHaveLength(60);
    expect(unique(rs.map((x) => x.id))).toBe(true);
    expect(rs.filter((x) => x.escalated === true)).toHaveLength(20);
    const stats = server.batches.stats();
    expect(stats.batches).toBe(2);
    expect(stats.submittedLines).toBe(80);
    expect(spend(rs)).toBe(stats.billedPico);
    const rows = ledgerRows(s);
    expect(rows).toHaveLength(80);
    expect(rows.reduce((a, x) => a + x.cost_pico, 0n)).toBe(stats.billedPico);
  });

  it("a cascade whose checks ask a judge batches the judge's call too, after the answer it judges", async () => {
    const judged = CASCADE.replace('        - check: arithmetic', '        - check: arithmetic\n        - judge: { model: strong }');
    const s = setup(server, judged);
    server.setModel('claude-opus-5-5', { text: () => 'yes', usage: { input: 20, output: 1 } });
    const input = writePrompts(s.dir, 6, sums);
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests).toHaveLength(0);
    // The six answers; then, in one batch on the strong model, the four judges of the answers whose sums were right and the two escalations.
    const batches = server.batches.list();
    expect(batches.map((b) => [b.provider, b.lines.length])).toEqual([
      ['openai', 6],
      ['anthropic', 6],
    ]);
    expect(batches[1]!.lines.filter((l) => JSON.stringify(l.body).includes('Is the answer correct and complete?'))).toHaveLength(4);
    const rs = Object.fromEntries(records(out).map((x) => [x.id as string, x]));
    // Kept at the weak model once its judge said yes: the answer kept is the weak one, the judge's call paid for.
    expect(rs.p1).toMatchObject({ route: 'weak', escalated: false, cascade: 'careful', output: '3 + 4 = 7, so #### 7', error: null });
    const calls = rs.p1!.calls as (Call & { kind: string })[];
    expect(calls.map((c) => [c.kind, c.route])).toEqual([
      ['answer', 'weak'],
      ['check', 'strong'],
    ]);
    expect(calls[0]!.checks!.map((c) => c.ok)).toEqual([true, true, true]);
    expect(pico(rs.p1!.cost_usd)).toBe(pico(calls[0]!.cost_usd) + pico(calls[1]!.cost_usd));
    expect(rs.p0).toMatchObject({ route: 'strong', escalated: true, failed_check: 'cascades.careful.accept.all[1].check' });
    expect((rs.p0!.calls as Call[]).map((c) => c.route)).toEqual(['weak', 'strong']);
    const stats = server.batches.stats();
    expect(stats.billedLines).toBe(12);
    expect(spend(Object.values(rs))).toBe(stats.billedPico);
    const rows = ledgerRows(s);
    expect(rows).toHaveLength(12);
    expect(rows.reduce((a, x) => a + x.cost_pico, 0n)).toBe(stats.billedPico);
  });

  it('detached while its judges run, `batch collect` finishes the cascade from what the job kept', async () => {
    const judged = CASCADE.replace('        - check: arithmetic', '        - check: arithmetic\n        - judge: { model: strong }');
    const s = setup(server, judged);
    server.setModel('claude-opus-5-5', { text: () => 'yes', usage: { input: 20, output: 1 } });
    server.batches.setProgress({ pollsToEnd: 4 });
    const input = writePrompts(s.dir, 6, sums);
    const out = join(s.dir, 'out.jsonl');
    const first = await detachWhen(s, ['run', '--routes', s.routes, '--batch', input, '-o', out], () => server.batches.list().length === 2);
    expect(first.code, first.stderr).toBe(130);
    const job = /detached from batch job (\S+):/.exec(first.stderr)![1]!;
    const r = await frugal(s, ['batch', 'collect', job]);
    expect(r.code, r.stderr).toBe(0);
    const rs = records(out);
    expect(rs.map((x) => x.id).sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    expect(rs.filter((x) => x.route === 'weak' && x.output === '3 + 4 = 7, so #### 7')).toHaveLength(4);
    expect(server.batches.stats().submittedLines).toBe(12);
    expect(ledgerRows(s)).toHaveLength(12);
    expect(spend(rs)).toBe(server.batches.stats().billedPico);
  });

  it('cancelled between its steps: the escalations not run are reported cancelled, their first step kept and paid for', async () => {
    const s = setup(server, CASCADE);
    server.batches.setProgress({ pollsToEnd: 1 });
    const input = writePrompts(s.dir, 30, sums);
    const out = join(s.dir, 'out.jsonl');
    const job = (await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--no-wait'])).stdout.trim();
    await frugal(s, ['batch', 'status', job]); // the first step's batch runs to its end
    server.batches.setProgress({ pollsToEnd: 1000 });
    // Collects the first step and submits the escalations' batch, then stops waiting.
    const partial = await frugal(s, ['batch', 'collect', job, '--no-wait']);
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stderr).toContain('the rest is still running');
    expect(records(out)).toHaveLength(20);
    expect(server.batches.list().map((b) => b.lines.length)).toEqual([30, 10]);
    expect((await frugal(s, ['batch', 'cancel', job])).stderr).toContain(`cancelled job ${job}: 1 batches cancelling`);
    const col = await frugal(s, ['batch', 'collect', job]);
    expect(col.code).toBe(1);
    const rs = records(out);
    expect(rs).toHaveLength(30);
    const cut = rs.filter((x) => x.error !== null);
    expect(cut).toHaveLength(10);
    for (const x of cut) {
      expect(x).toMatchObject({ cascade: 'careful', escalated: true, failed_check: 'cascades.careful.accept.all[1].check', error: { type: 'cancelled' } });
      const calls = x.calls as Call[];
      expect(calls.map((c) => c.route)).toEqual(['weak', 'strong']);
      // The weak answer was billed; the strong call never ran.
      expect(pico(x.cost_usd)).toBe(pico(calls[0]!.cost_usd));
      expect(pico(calls[0]!.cost_usd)).toBeGreaterThan(0n);
      expect(calls[1]!.cost_usd).toBe(0);
    }
    expect(spend(rs)).toBe(server.batches.stats().billedPico);
    expect(ledgerRows(s).reduce((a, x) => a + x.cost_pico, 0n)).toBe(server.batches.stats().billedPico);
  });

  it('a cascade whose judge has no batch API runs live, with the options and the ledger of a live run', async () => {
    const judged = `${CASCADE.replace('        - check: arithmetic', '        - check: arithmetic\n        - judge: { model: local }')}`.replace('models:\n', 'models:\n  local: { provider: openai-compatible, model: llama3.2:3b, base_url: "BASE", price: { input: 0, output: 0 } }\n');
    const s = setup(server, judged.replace('BASE', `${server.url}/v1`));
    server.setModel('llama3.2:3b', { text: () => 'yes', usage: { input: 20, output: 1 } });
    const input = writePrompts(s.dir, 6, sums);
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(server.batches.list()).toHaveLength(0);
    const rs = records(out);
    expect(rs).toHaveLength(6);
    expect(rs.every((x) => x.batch_id === null && x.cascade === 'careful')).toBe(true);
    // Weak answers for all six, a judge call for the four that passed the arithmetic, the strong model for the two that did not.
    expect(server.requests).toHaveLength(6 + 4 + 2);
    const weak = server.requests.filter((q) => (q.body as { model: string }).model === 'gpt-5.4-mini');
    expect(weak.every((q) => (q.body as { temperature?: number }).temperature === 0.2)).toBe(true);
    // The live part is journaled ahead: one row per call, all settled.
    const rows = ledgerRows(s);
    expect(rows).toHaveLength(12);
    expect(rows.every((x) => x.status === 'ok')).toBe(true);
    expect(rows.reduce((a, x) => a + x.cost_pico, 0n)).toBe(spend(rs));
  });
});

describe('a batch run, also', () => {
  it('books a line that came back without usage at its worst case, unsettled, never at $0', async () => {
    const s = setup(server);
    server.batches.setProgress({ omitUsageFor: 'item 7 ' });
    const input = writePrompts(s.dir, 12, (i) => `Summarise item ${i} briefly`);
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--max-tokens', '100']);
    expect(r.code, r.stderr).toBe(0);
    const rs = records(out);
    const blind = rs.find((x) => x.id === 'p7')!;
    expect(blind.cost_exact).toBe(false);
    expect(pico(blind.cost_usd)).toBeGreaterThan(0n);
    // The worst case of 100 answer tokens at the batch price ($4 per million output tokens) and its prompt.
    expect(pico(blind.cost_usd)).toBeGreaterThanOrEqual(100n * 4_000_000n);
    expect(blind.baseline_cost_usd).toBeNull();
    expect(rs.filter((x) => x.cost_exact === false)).toHaveLength(1);
    expect(r.stderr).toMatch(/unsettled: 1 calls never came back whole/);
    const row = ledgerRows(s).find((x) => x.prompt_id === 'p7')!;
    expect(row.unsettled_pico).toBe(pico(blind.cost_usd));
    expect(row.cost_pico).toBe(pico(blind.cost_usd));
  });

  it('refuses a duplicate id with its file and line; the other prompts run', async () => {
    const s = setup(server);
    const input = join(s.dir, 'dup.jsonl');
    writeFileSync(input, ['{"id":"a","prompt":"Summarise one"}', '{"id":"b","prompt":"Summarise two"}', '{"id":"a","prompt":"Summarise three"}'].join('\n') + '\n');
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${input}:3: duplicate id "a" (first at ${input}:1); ids must be unique`);
    expect(records(out).map((x) => x.id).sort()).toEqual(['a', 'b']);
    expect(server.batches.stats().submittedLines).toBe(2);
  });

  it("sends each model's options and the class's schema in its batch lines, and holds the answers to the schema", async () => {
    const policy = `
baseline: flagship
default: mini
models:
  flagship: { provider: anthropic, model: claude-opus-5-5, price: { input: 10, output: 40 } }
  mini: { provider: openai, model: gpt-5.4-mini, price: { input: 2, output: 8 }, options: { temperature: 0.3, top_p: 0.9 } }
  haiku: { provider: anthropic, model: claude-haiku-4-5, price: { input: 1, output: 5 }, options: { top_k: 3 } }
classes:
  - name: city
    when: { keywords: [city] }
    route: mini
    schema: { type: object, properties: { city: { type: string } }, required: [city] }
  - name: lookup
    when: { keywords: [what] }
    route: haiku
`;
    const s = setup(server, policy);
    server.setModel('gpt-5.4-mini', { text: (p) => (p.includes('Paris') ? '{"city": "Paris"}' : '{"town": "Lyon"}'), usage: { input: 20, output: 6 } });
    const input = join(s.dir, 'in.jsonl');
    writeFileSync(input, ['{"id":"c1","prompt":"Which city? Paris"}', '{"id":"c2","prompt":"Which city? Lyon"}', '{"id":"w","prompt":"What is this?"}'].join('\n') + '\n');
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out]);
    const bodies = Object.fromEntries(server.batches.list().map((b) => [b.provider, b.lines.map((l) => l.body as Record<string, unknown>)]));
    expect(bodies.openai!.every((b) => b.temperature === 0.3 && b.top_p === 0.9)).toBe(true);
    expect(bodies.openai!.every((b) => JSON.stringify(b).includes('"required":["city"]'))).toBe(true);
    expect(bodies.anthropic!.map((b) => b.top_k)).toEqual([3]);
    const rs = Object.fromEntries(records(out).map((x) => [x.id as string, x]));
    expect(rs.c1!.error).toBeNull();
    expect(rs.c2!.error).toMatchObject({ type: 'schema' });
    // Billed all the same.
    expect(pico(rs.c2!.cost_usd)).toBeGreaterThan(0n);
    expect(r.code).toBe(1);
  });
});

describe('a results download cut short', () => {
  it('marks what it wrote, reads the file again, and writes no record twice', async () => {
    const s = setup(server);
    // Past the first commit (512 lines), in the middle of a line.
    server.batches.setProgress({ cutDownloadAfter: 700 * 420 + 17 });
    const input = writePrompts(s.dir, 1500, (i) => `Summarise item ${i} briefly`);
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(server.batches.stats().downloads).toBeGreaterThanOrEqual(2);
    const rs = records(out);
    expect(rs).toHaveLength(1500);
    expect(unique(rs.map((x) => x.id))).toBe(true);
    expect(spend(rs)).toBe(server.batches.stats().billedPico);
    expect(ledgerRows(s)).toHaveLength(1500);
  });
});

describe('per-model caps in a batch run', () => {
  it("moves a capped model's waiting lines down its fallback chain, as a live run does, and holds every cap", async () => {
    const policy = `${POLICY.replace("mini: { provider: openai, model: gpt-5.4-mini,", 'mini: { provider: openai, model: gpt-5.4-mini, fallback: haiku,')}
budget:
  per_model: { mini: 0.002 }
`;
    const s = setup(server, policy);
    const input = writePrompts(s.dir, 12, (i) => `Summarise item ${i} briefly`);
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--max-tokens', '100']);
    expect(r.code, r.stderr).toBe(0);
    const rs = records(out);
    expect(rs).toHaveLength(12);
    const byRoute = (route: string) => rs.filter((x) => x.route === route);
    // Each mini line reserves about $0.00041 at the batch price: four fit under $0.002.
    expect(byRoute('mini')).toHaveLength(4);
    expect(byRoute('haiku')).toHaveLength(8);
    expect(byRoute('haiku').every((x) => String(x.reason).endsWith('mini budget ($0.002000) reached: fell back to haiku'))).toBe(true);
    expect(spend(byRoute('mini'))).toBeLessThanOrEqual(2_000_000_000n);
    expect(spend(rs)).toBe(server.batches.stats().billedPico);
    expect(server.batches.list().map((b) => [b.provider, b.lines.length])).toEqual([
      ['openai', 4],
      ['anthropic', 8],
    ]);
  });
});

describe('a provider that no longer knows a batch', () => {
  it('stops collecting with its word and the command to carry on, no stack; the job is kept', async () => {
    const s = setup(server);
    const input = writePrompts(s.dir, 5, (i) => `Summarise item ${i}`);
    const out = join(s.dir, 'out.jsonl');
    const submitted = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--no-wait']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = submitted.stdout.trim();
    server.reset();
    const r = await frugal(s, ['batch', 'collect', job]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not check the status of batch batch_\S+: No batch found/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const list = await frugal(s, ['batch', 'list', '--json']);
    expect(JSON.parse(list.stdout.trim())).toMatchObject({ id: job, state: 'open' });
  });
});

describe('similar_to classes in a batch run', () => {
  /** A policy whose `support` class (similar_to) routes to `route`; `models` are its models, `mini` the default. */
  const supportPolicy = (baseline: string, models: string, route: string) => `
embedder: builtin
baseline: ${baseline}
default: mini
models:
${models}
classes:
  - name: support
    when:
      similar_to:
        examples: ["How do I reset my password?", "My invoice is wrong", "I cannot log in to my account"]
        threshold: 0.3
    route: ${route}
`;

  /** A support question (a) and a sonnet (b) through `run --batch`: the exit, and the records by id. */
  async function runSupportAndSonnet(s: Setup) {
    const input = join(s.dir, 'in.jsonl');
    writeFileSync(input, ['{"id":"a","prompt":"I forgot my password, how can I reset it?"}', '{"id":"b","prompt":"Write a sonnet about autumn leaves"}'].join('\n') + '\n');
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    return Object.fromEntries(records(out).map((x) => [x.id as string, x]));
  }

  it('embeds each batch of prompts before routing it, as a live run does', async () => {
    const models = [
      '  flagship: { provider: anthropic, model: claude-opus-5-5, price: { input: 10, output: 40 } }',
      '  mini: { provider: openai, model: gpt-5.4-mini, price: { input: 2, output: 8 } }',
      '  haiku: { provider: anthropic, model: claude-haiku-4-5, price: { input: 1, output: 5 } }',
    ].join('\n');
    const rs = await runSupportAndSonnet(setup(server, supportPolicy('flagship', models, 'haiku')));
    expect(rs.a).toMatchObject({ class: 'support', route: 'haiku' });
    expect(rs.b).toMatchObject({ class: null, route: 'mini' });
  });

  it('routes the prompts that run live (a model without a batch API) by the same features', async () => {
    const models = [
      '  mini: { provider: openai, model: gpt-5.4-mini, price: { input: 2, output: 8 } }',
      `  local: { provider: openai-compatible, model: llama3.2:3b, base_url: "${server.url}/v1", price: { input: 0, output: 0 } }`,
    ].join('\n');
    const rs = await runSupportAndSonnet(setup(server, supportPolicy('mini', models, 'local')));
    expect(rs.a).toMatchObject({ class: 'support', route: 'local', batch_id: null });
    expect(rs.b).toMatchObject({ class: null, route: 'mini' });
    expect(server.requests.map((q) => (q.body as { model: string }).model)).toEqual(['llama3.2:3b']);
  });
});
