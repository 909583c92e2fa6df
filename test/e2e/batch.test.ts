import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from '../fake/server.js';
import { frugal, records, setup, spend, writePrompts } from './batch-helpers.js';

let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer();
  server.setModel('gpt-5.4-mini', { usage: (p) => ({ input: 40 + p.length, output: 12, cacheRead: 10 }) });
  server.setModel('claude-haiku-4-5', { usage: (p) => ({ input: 30 + p.length, output: 9, cacheRead: 5, cacheWrite: 3 }) });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const unique = (ids: unknown[]) => new Set(ids).size === ids.length;

describe('frugal run --batch', () => {
  it('runs a few thousand prompts over two models: one record per id, spend equals what the server billed at batch prices', async () => {
    const s = setup(server);
    server.batches.setProgress({ pollsToEnd: 3 });
    const input = writePrompts(s.dir, 3000);
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const rs = records(out);
    expect(rs).toHaveLength(3000);
    expect(unique(rs.map((x) => x.id))).toBe(true);
    expect(rs.every((x) => typeof x.batch_id === 'string' && x.error === null)).toBe(true);
    const stats = server.batches.stats();
    expect(stats.batches).toBe(2);
    expect(stats.submittedLines).toBe(3000);
    expect(unique(stats.submittedIds)).toBe(true);
    expect(stats.billedLines).toBe(3000);
    expect(spend(rs)).toBe(stats.billedPico);
    // No line was ever sent live.
    expect(server.requests).toHaveLength(0);
    expect(r.stderr).toMatch(/batch discount: \$[\d.]+ saved against sending the same 3,000 calls live/);
    // Half price: the discount equals what was spent.
    const discount = /batch discount: \$([\d.]+)/.exec(r.stderr)![1]!;
    expect(Number(discount)).toBeCloseTo(Number(spend(rs)) / 1e12, 4);
    const haiku = rs.find((x) => x.route === 'haiku')!;
    expect(haiku).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5', answered_by: 'claude-haiku-4-5', cached: false });
    expect(String(haiku.batch_id)).toMatch(/^msgbatch_/);
    expect(String(rs.find((x) => x.route === 'mini')!.batch_id)).toMatch(/^batch_/);
  });

  it('resubmits lines that failed retryably or expired as a new batch of just those lines; invalid ones are reported, not retried', async () => {
    const s = setup(server);
    server.addFaultRule({ promptIncludes: 'flaky', fault: { status: 500, message: 'upstream hiccup' }, times: 2 });
    server.addFaultRule({ promptIncludes: 'limited', fault: { status: 429 }, times: 1 });
    server.addFaultRule({ promptIncludes: 'broken', fault: { status: 400, message: 'max_tokens: too large for this model' } });
    // The first batch of each model runs 30 lines then expires.
    server.batches.setProgress({ pollsToEnd: 1, expireAfterLines: 30 });
    const input = writePrompts(s.dir, 40, (i) => (i === 1 ? 'flaky one' : i === 2 ? 'limited two' : i === 4 ? 'broken four' : i === 5 ? 'flaky five' : `Summarise item ${i}`));
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out]);
    expect(r.code).toBe(1);
    const rs = records(out);
    expect(rs).toHaveLength(40);
    expect(unique(rs.map((x) => x.id))).toBe(true);
    const bad = rs.filter((x) => x.error !== null);
    expect(bad.map((x) => x.id)).toEqual(['p4']);
    expect(bad[0]!.error).toMatchObject({ status: 400, message: 'max_tokens: too large for this model' });
    expect(r.stderr).toContain('p4: 400 max_tokens: too large for this model');
    const batches = server.batches.list();
    // Round 1: all 40 lines (30 ran, 10 expired). Round 2: the 3 retryable failures and the 10 expired, alone.
    expect(batches.map((b) => b.lines.length)).toEqual([40, 13]);
    const second = new Set(batches[1]!.lines.map((l) => l.customId));
    const first = batches[0]!;
    const retried = first.outcomes.map((o, i) => ({ o, id: first.lines[i]!.customId })).filter(({ o }) => o.kind === 'expired' || (o.kind === 'error' && o.status !== 400));
    expect(new Set(retried.map((x) => x.id))).toEqual(second);
    expect(spend(rs)).toBe(server.batches.stats().billedPico);
  });

  it('gives up after --retries rounds', async () => {
    const s = setup(server);
    server.addFaultRule({ promptIncludes: 'doomed', fault: { status: 503, message: 'still down' } });
    const input = writePrompts(s.dir, 3, (i) => (i === 0 ? 'doomed' : `Summarise item ${i}`));
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--retries', '2']);
    expect(r.code).toBe(1);
    expect(server.batches.list().map((b) => b.lines.length)).toEqual([3, 1, 1]);
    expect(records(out).find((x) => x.id === 'p0')).toMatchObject({ error: { status: 503, message: 'still down' }, attempts: 3, cost_usd: 0 });
  });

  it('--no-wait submits and exits 0 with the job id; batch collect writes the results', async () => {
    const s = setup(server);
    server.batches.setProgress({ hold: true });
    const input = writePrompts(s.dir, 50);
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--no-wait']);
    expect(r.code).toBe(0);
    const job = r.stdout.trim();
    expect(job).toMatch(/^job-/);
    expect(r.stderr).toContain(`frugal batch collect ${job} -o ${out}`);
    expect(records(out)).toHaveLength(0);
    const st = await frugal(s, ['batch', 'status', job, '--json']);
    expect(JSON.parse(st.stdout)).toMatchObject({ id: job, state: 'open', prompts: 50, collected: 0, in_batches: 50 });
    const list = await frugal(s, ['batch', 'list']);
    expect(list.stdout).toContain(job);
    server.batches.release();
    const c = await frugal(s, ['batch', 'collect', job]);
    expect(c.code, c.stderr).toBe(0);
    const rs = records(out);
    expect(rs).toHaveLength(50);
    expect(spend(rs)).toBe(server.batches.stats().billedPico);
    // Collecting again writes nothing twice.
    const again = await frugal(s, ['batch', 'collect', job]);
    expect(again.code).toBe(0);
    expect(records(out)).toHaveLength(50);
    expect(server.batches.stats().submittedLines).toBe(50);
  });

  it('a cancelled job keeps what finished and pays for it; the rest is reported cancelled', async () => {
    const s = setup(server);
    server.batches.setProgress({ pollsToEnd: 4 });
    const input = writePrompts(s.dir, 40);
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--no-wait']);
    const job = r.stdout.trim();
    await frugal(s, ['batch', 'status', job]); // one status check: a quarter of each batch runs
    const c = await frugal(s, ['batch', 'cancel', job]);
    expect(c.stderr).toContain(`cancelled job ${job}: 2 batches cancelling`);
    const col = await frugal(s, ['batch', 'collect', job]);
    expect(col.code).toBe(1);
    const rs = records(out);
    expect(rs).toHaveLength(40);
    expect(unique(rs.map((x) => x.id))).toBe(true);
    const ok = rs.filter((x) => x.error === null);
    expect(ok.length).toBe(server.batches.stats().billedLines);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.length).toBeLessThan(40);
    expect(rs.filter((x) => x.error !== null).every((x) => (x.error as { type: string }).type === 'cancelled')).toBe(true);
    expect(spend(rs)).toBe(server.batches.stats().billedPico);
    expect(server.batches.list().every((b) => b.end === 'cancelled')).toBe(true);
  });

  it('--max-spend reserves each batch\'s worst case and submits only what fits; --resume with more sends the rest', async () => {
    const s = setup(server);
    const input = writePrompts(s.dir, 200, (i) => `Summarise item ${i}`);
    const out = join(s.dir, 'out.jsonl');
    // mini's batch worst case: (bytes + framing) * $1/M + 4096 * $4/M = about $0.0165 a prompt;
    // answers use most of their cap, so money freed by settled batches does not stretch far.
    server.setModel('gpt-5.4-mini', { usage: { input: 30, output: 4000 } });
    const r = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--max-spend', '1', '--max-tokens', '4096']);
    expect(r.code).toBe(3);
    const first = server.batches.stats();
    expect(first.submittedLines).toBeGreaterThan(0);
    expect(first.submittedLines).toBeLessThan(200);
    expect(first.billedPico).toBeLessThanOrEqual(1_000_000_000_000n);
    expect(records(out)).toHaveLength(first.submittedLines);
    const again = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out, '--max-spend', '10', '--max-tokens', '4096', '--resume']);
    expect(again.code, again.stderr).toBe(0);
    const rs = records(out);
    expect(rs).toHaveLength(200);
    expect(unique(rs.map((x) => x.id))).toBe(true);
    const stats = server.batches.stats();
    expect(stats.submittedLines).toBe(200);
    expect(unique(stats.submittedIds.map(String))).toBe(true);
    expect(spend(rs)).toBe(stats.billedPico);
    expect(stats.billedPico).toBeLessThanOrEqual(10_000_000_000_000n);
    server.setModel('gpt-5.4-mini', { usage: (p) => ({ input: 40 + p.length, output: 12, cacheRead: 10 }) });
  });

  it('--cache answers prompts it already has without submitting them', async () => {
    const s = setup(server);
    const input = writePrompts(s.dir, 20);
    const r1 = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', join(s.dir, 'a.jsonl'), '--cache']);
    expect(r1.code).toBe(0);
    server.reset();
    const r2 = await frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', join(s.dir, 'b.jsonl'), '--cache']);
    expect(r2.code).toBe(0);
    expect(server.batches.stats().batches).toBe(0);
    const rs = records(join(s.dir, 'b.jsonl'));
    expect(rs).toHaveLength(20);
    expect(rs.every((x) => x.cached === true && x.cost_usd === 0)).toBe(true);
  });

  it('batch: true on one model batches that model only; the others run live', async () => {
    const s = setup(server, POLICY_ONE);
    const input = writePrompts(s.dir, 30);
    const out = join(s.dir, 'out.jsonl');
    const r = await frugal(s, ['run', '--routes', s.routes, input, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const rs = records(out);
    expect(rs).toHaveLength(30);
    expect(rs.filter((x) => x.route === 'haiku').every((x) => typeof x.batch_id === 'string')).toBe(true);
    expect(rs.filter((x) => x.route === 'mini').every((x) => x.batch_id === null)).toBe(true);
    expect(server.batches.stats().submittedLines).toBe(10);
    expect(server.requests.filter((q) => q.api === 'responses')).toHaveLength(20);
  });
});

const POLICY_ONE = `
baseline: flagship
default: mini
models:
  flagship: { provider: anthropic, model: claude-opus-5-5, price: { input: 10, output: 40, cache_read: 1, cache_write: 12.5 } }
  mini: { provider: openai, model: gpt-5.4-mini, price: { input: 2, output: 8, cache_read: 0.2 } }
  haiku: { provider: anthropic, model: claude-haiku-4-5, batch: true, price: { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 } }
classes:
  - name: lookup
    when: { keywords: [what] }
    route: haiku
`;

describe('a submit that fails on the way', () => {
  it('is found again by its tag if the provider created it, and never submitted twice', async () => {
    const s = setup(server);
    const input = writePrompts(s.dir, 30, (i) => `Summarise item ${i}`);
    const out = join(s.dir, 'out.jsonl');
    // The batch is created, but its answer is lost: the client sees a 500 only after the fact.
    const real = server.batches;
    let broke = false;
    server.batches.setProgress({});
    const { createServer } = await import('node:http');
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const upstream = await fetch(`${server.url}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: req.method === 'GET' ? undefined : Buffer.concat(chunks) });
        const body = Buffer.from(await upstream.arrayBuffer());
        if (!broke && req.method === 'POST' && req.url === '/v1/batches') {
          broke = true;
          res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"message":"bad gateway"}}');
          return;
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const port = (proxy.address() as { port: number }).port;
    try {
      const r = await frugal({ ...s, env: { ...s.env, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` } }, ['run', '--routes', s.routes, '--batch', input, '-o', out]);
      expect(r.code, r.stderr).toBe(0);
    } finally {
      proxy.close();
    }
    expect(broke).toBe(true);
    expect(real.stats()).toMatchObject({ batches: 1, submittedLines: 30 });
    expect(records(out)).toHaveLength(30);
  });
});

describe('waiting on a batch job', () => {
  it('Ctrl-C detaches and says how to collect; a progress line goes to stderr meanwhile', async () => {
    const s = setup(server);
    server.batches.setProgress({ hold: true });
    const input = writePrompts(s.dir, 20);
    const out = join(s.dir, 'out.jsonl');
    let interrupt: (() => void) | undefined;
    const running = frugal(s, ['run', '--routes', s.routes, '--batch', input, '-o', out], (h) => (interrupt = h));
    while (server.batches.stats().statusChecks < 3 || interrupt === undefined) await new Promise((r) => setTimeout(r, 5));
    interrupt();
    const r = await running;
    expect(r.code).toBe(130);
    const job = /job-[a-z0-9-]+/.exec(r.stderr)![0];
    expect(r.stderr).toMatch(/frugal: job-[a-z0-9-]+: 0 of 20 prompts collected; batches: 2 in_progress/);
    expect(r.stderr).toContain(`detached from batch job ${job}: the batches go on at the provider`);
    expect(r.stderr).toContain(`frugal batch collect ${job} -o ${out}`);
    server.batches.release();
    const c = await frugal(s, ['batch', 'collect', job]);
    expect(c.code).toBe(0);
    expect(records(out)).toHaveLength(20);
    expect(server.batches.stats().submittedLines).toBe(20);
  });
});
