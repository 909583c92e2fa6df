import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { jsonLines, runCli } from '../helpers/cli.js';

// weak: $0.25 in / $1.25 out per Mtok; strong: $5 / $25. Every call: 100 in, 20 out.
const POLICY = `baseline: strong
default: careful
models:
  strong: { provider: anthropic, model: claude-opus-5-5, price: { input: 5, output: 25 } }
  weak: { provider: anthropic, model: claude-haiku-4-5, price: { input: 0.25, output: 1.25 } }
cascades:
  careful:
    try: [weak, strong]
    accept:
      all:
        - finish_reason: stop
        - check: arithmetic
`;
const WEAK = (100 * 0.25 + 20 * 1.25) / 1e6;
const STRONG = (100 * 5 + 20 * 25) / 1e6;

let server: FakeServer;
let dir: string;
let routes: string;

beforeAll(async () => {
  server = await startFakeServer();
  dir = mkdtempSync(join(tmpdir(), 'frugal-cascade-live-'));
  routes = join(dir, 'routes.yaml');
  writeFileSync(routes, POLICY);
});
afterAll(async () => server.close());
beforeEach(() => {
  server.reset();
  // The weak model slips on the prompts that mention "hard": its worked sum is wrong.
  server.setModel('claude-haiku-4-5', { text: (p) => (p.includes('hard') ? '3 + 4 = 8, so #### 8' : '3 + 4 = 7, so #### 7'), usage: { input: 100, output: 20 } });
  server.setModel('claude-opus-5-5', { text: () => '3 + 4 = 7, so #### 7', usage: { input: 100, output: 20 } });
});

const env = (home: string) => ({ ANTHROPIC_API_KEY: 'k', OPENAI_BASE_URL: openaiBaseUrl(server), ANTHROPIC_BASE_URL: anthropicBaseUrl(server), FRUGAL_HOME: home });

describe('a cascade, live', () => {
  it('keeps the cheap answer that passes its checks, escalates the one that does not, and pays for every call', async () => {
    const home = join(dir, 'home1');
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, ['How many is 3 and 4?', 'A hard one: 3 and 4?', 'Add 3 and 4'].map((p, i) => JSON.stringify({ id: `q${i}`, prompt: p })).join('\n') + '\n');
    const summary = join(dir, 'summary.json');
    const res = await runCli(['run', '--routes', routes, input, '--summary-json', summary, '-c', '1'], { env: env(home), cwd: dir });
    expect(res.code).toBe(0);
    const records = Object.fromEntries(jsonLines(res.stdout).map((r) => [r.id as string, r]));
    // Two kept at the weak model, one escalated to the strong model after its arithmetic failed.
    expect(records.q0).toMatchObject({ route: 'weak', escalated: false, output: '3 + 4 = 7, so #### 7' });
    expect(records.q1).toMatchObject({ route: 'strong', escalated: true, output: '3 + 4 = 7, so #### 7', cascade: 'careful', failed_check: 'cascades.careful.accept.all[1].check' });
    const calls = records.q1!.calls as { kind: string; route: string; cost_usd: number; checks?: { id: string; ok: boolean }[] }[];
    expect(calls.map((c) => c.route)).toEqual(['weak', 'strong']);
    expect(calls[0]!.checks!.find((c) => !c.ok)!.id).toBe('cascades.careful.accept.all[1].check');
    expect(records.q1!.cost_usd).toBeCloseTo(WEAK + STRONG, 15);
    expect(records.q0!.cost_usd).toBeCloseTo(WEAK, 15);
    // The baseline prices the kept answer on the strong model.
    expect(records.q1!.baseline_cost_usd).toBeCloseTo(STRONG, 15);
    expect(server.requests).toHaveLength(4);
    const s = JSON.parse(readFileSync(summary, 'utf8')) as { cost_usd: number; escalated: number; discarded_cost_usd: number; calls: number };
    expect(s).toMatchObject({ escalated: 1, calls: 4 });
    expect(s.cost_usd).toBeCloseTo(3 * WEAK + STRONG, 15);
    expect(s.discarded_cost_usd).toBeCloseTo(WEAK, 15);
    expect((s as unknown as { cascades: unknown[] }).cascades).toEqual([{ route: 'careful', prompts: 3, escalated: 1, discarded_cost_usd: WEAK }]);
    expect(res.stderr).toContain('cascade careful: 1 of 3 prompts escalated (33.3%)');
    // One ledger row per call; the prompt's baseline only on the call whose answer was kept.
    const db = new Database(join(home, 'frugal.db'), { readonly: true });
    const rows = db.prepare("SELECT prompt_id, route, status, cost_pico, baseline_cost_pico FROM calls WHERE prompt_id = 'q1' ORDER BY id").safeIntegers(true).all() as { route: string; status: string; cost_pico: bigint; baseline_cost_pico: bigint }[];
    db.close();
    expect(rows.map((r) => [r.route, r.status, r.baseline_cost_pico])).toEqual([
      ['weak', 'ok', 0n],
      ['strong', 'ok', BigInt(Math.round(STRONG * 1e12))],
    ]);
    expect(rows.reduce((sum, r) => sum + r.cost_pico, 0n)).toBe(BigInt(Math.round((WEAK + STRONG) * 1e12)));
  });

  it('--resume after a kill between the cheap and the strong call resumes at the strong call: no call is paid twice', async () => {
    const home = join(dir, 'home3');
    const input = join(dir, 'one.jsonl');
    const out = join(dir, 'one-out.jsonl');
    writeFileSync(input, JSON.stringify({ id: 'h', prompt: 'A hard one: 3 and 4?' }) + '\n');
    // The strong call hangs long enough for the process to be killed while it is in flight.
    server.setModel('claude-opus-5-5', { text: () => '3 + 4 = 7, so #### 7', usage: { input: 100, output: 20 }, latencyMs: 5000 });
    const killed = await runCli(['run', '--routes', routes, input, '-o', out], {
      env: env(home),
      cwd: dir,
      onSpawn: (child) => {
        const timer = setInterval(() => {
          if (!server.requests.some((r) => r.model === 'claude-opus-5-5')) return;
          clearInterval(timer);
          child.kill('SIGKILL');
        }, 5);
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(server.requests.map((r) => r.model)).toEqual(['claude-haiku-4-5', 'claude-opus-5-5']);
    server.setModel('claude-opus-5-5', { text: () => '3 + 4 = 7, so #### 7', usage: { input: 100, output: 20 } });
    const resumed = await runCli(['run', '--routes', routes, input, '-o', out, '--resume'], { env: env(home), cwd: dir });
    expect(resumed.code).toBe(0);
    // Only the strong call again: the weak step's answer came from the job's record of it.
    expect(server.requests.map((r) => r.model)).toEqual(['claude-haiku-4-5', 'claude-opus-5-5', 'claude-opus-5-5']);
    const [record] = jsonLines(readFileSync(out, 'utf8'));
    expect(record).toMatchObject({ id: 'h', route: 'strong', escalated: true });
    expect((record!.calls as { route: string }[]).map((c) => c.route)).toEqual(['weak', 'strong']);
    expect(record!.cost_usd).toBeCloseTo(WEAK + STRONG, 15);
  });

  it('--max-spend reserves the whole chain before the first call: a cap that fits the cheap call alone sends nothing', async () => {
    const home = join(dir, 'home2');
    const res = await runCli(['run', '--routes', routes, '-p', 'How many is 3 and 4?', '--max-spend', '0.004', '--max-tokens', '200', '--format', 'jsonl'], { env: env(home), cwd: dir });
    // weak's worst case is $0.00026; with strong's (200 tokens at $25/Mtok plus the input) the chain's is $0.0055.
    expect(res.code).toBe(3);
    expect(server.requests).toHaveLength(0);
    const ok = await runCli(['run', '--routes', routes, '-p', 'How many is 3 and 4?', '--max-spend', '0.01', '--max-tokens', '200', '--format', 'jsonl'], { env: env(home), cwd: dir });
    expect(ok.code).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it("sends each step its own model's options, not the first step's", async () => {
    const policy = POLICY.replace('price: { input: 5, output: 25 } }', 'price: { input: 5, output: 25 }, options: { temperature: 0.9 } }').replace('price: { input: 0.25, output: 1.25 } }', 'price: { input: 0.25, output: 1.25 }, options: { temperature: 0.1, top_k: 5 } }');
    const file = join(dir, 'options.yaml');
    writeFileSync(file, policy);
    const res = await runCli(['run', '--routes', file, '-p', 'A hard one: 3 and 4?', '--no-ledger'], { env: env(join(dir, 'home-options')), cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const bodies = server.requests.map((r) => r.body as { model: string; temperature?: number; top_k?: number });
    expect(bodies.map((b) => [b.model, b.temperature, b.top_k])).toEqual([
      ['claude-haiku-4-5', 0.1, 5],
      ['claude-opus-5-5', 0.9, undefined],
    ]);
  });
});
