import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { jsonLines, runCli, spawnCli } from '../helpers/cli.js';

let server: FakeServer;
let dir: string;
let routes: string;
const KEY = 'sk-test-LEDGER-KEY-abcdef123456';

const POLICY = `
baseline: flagship
default: balanced
models:
  flagship: { provider: anthropic, model: claude-opus-5-5 }
  balanced: { provider: openai, model: gpt-5.4-mini }
classes:
  - { name: hard, when: { keywords: [hard] }, route: flagship }
`;

const env = (home: string) => ({
  OPENAI_API_KEY: KEY,
  ANTHROPIC_API_KEY: KEY,
  OPENAI_BASE_URL: openaiBaseUrl(server),
  ANTHROPIC_BASE_URL: anthropicBaseUrl(server),
  FRUGAL_HOME: home,
});

const freshHome = () => join(mkdtempSync(join(tmpdir(), 'frugal-ledger-')), 'home');

function input(name: string, records: object[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

beforeAll(async () => {
  server = await startFakeServer();
  dir = mkdtempSync(join(tmpdir(), 'frugal-lc-'));
  routes = join(dir, 'routes.yaml');
  writeFileSync(routes, POLICY);
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.setDefaults({ usage: { input: 1000, output: 100 } });
});

describe('the ledger', () => {
  it('records every real call; stats agrees with the run summary to the picodollar', async () => {
    const home = freshHome();
    const file = input('l.jsonl', [
      { id: 'a', prompt: 'A hard question about secret-project-zebra' },
      { id: 'b', prompt: 'An easy one' },
      { id: 'c', prompt: 'Another easy one' },
    ]);
    const summary = join(dir, 'l-summary.json');
    const res = await runCli(['run', '--routes', routes, file, '--summary-json', summary], { env: env(home) });
    expect(res.code).toBe(0);
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    const stats = await runCli(['stats', '--json', '--by', 'route'], { env: env(home) });
    expect(stats.code).toBe(0);
    const st = JSON.parse(stats.stdout);
    expect(st.calls).toBe(3);
    expect(st.cost_usd).toBe(s.cost_usd);
    expect(st.baseline_cost_usd).toBe(s.baseline_cost_usd);
    expect(st.savings_usd).toBe(s.savings_usd);
    expect(Object.fromEntries(st.rows.map((r: { route: string; calls: number }) => [r.route, r.calls]))).toEqual({ flagship: 1, balanced: 2 });
    // folder 0700, database 0600; no prompt text and no key inside by default
    expect(statSync(home).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(home)) {
      expect(statSync(join(home, f)).mode & 0o777, f).toBe(0o600);
      const bytes = readFileSync(join(home, f)).toString('latin1');
      expect(bytes).not.toContain('secret-project-zebra');
      expect(bytes).not.toContain(KEY);
    }
  });

  it('stores the prompt text only with --log-prompts', async () => {
    const home = freshHome();
    const file = input('lp.jsonl', [{ id: 'a', prompt: 'Remember secret-project-okapi' }]);
    await runCli(['run', '--routes', routes, file, '--log-prompts'], { env: env(home) });
    await runCli(['stats'], { env: env(home) }); // checkpoints the WAL into the file
    const bytes = readdirSync(home).map((f) => readFileSync(join(home, f)).toString('latin1')).join('');
    expect(bytes).toContain('secret-project-okapi');
  });

  it('--no-ledger writes nothing; dry runs are not recorded', async () => {
    const home = freshHome();
    const file = input('n.jsonl', [{ id: 'a', prompt: 'An easy one' }]);
    expect((await runCli(['run', '--routes', routes, file, '--no-ledger'], { env: env(home) })).code).toBe(0);
    expect((await runCli(['run', '--routes', routes, file, '--dry-run'], { env: env(home) })).code).toBe(0);
    expect(existsSync(home)).toBe(false);
  });

  it('concurrent invocations all record safely', async () => {
    const home = freshHome();
    server.setLatency(30);
    // Eight processes, as `xargs -P 8 frugal run` makes: the processes are what is under test.
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => spawnCli(['run', '--routes', routes, '-p', `Easy question number ${i}`], { env: env(home) })),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const st = JSON.parse((await runCli(['stats', '--json'], { env: env(home) })).stdout);
    expect(st.calls).toBe(8);
    // gpt-5.4-mini: 1000 * 0.75 + 100 * 4.5 = 1200 micro-USD per call
    expect(st.cost_usd).toBe(0.0096);
  }, 60_000);
});

describe('--cache', () => {
  it('answers an identical request from the cache at no cost, and counts what it saved', async () => {
    const home = freshHome();
    const file = input('c.jsonl', [{ id: 'a', prompt: 'Cache me' }, { id: 'b', prompt: 'A hard one to cache' }]);
    const first = await runCli(['run', '--routes', routes, file, '--cache', '-c', '1'], { env: env(home) });
    expect(first.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    const summary = join(dir, 'c-summary.json');
    const second = await runCli(['run', '--routes', routes, file, '--cache', '-c', '1', '--summary-json', summary], { env: env(home) });
    expect(second.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    const records = jsonLines(second.stdout);
    expect(records.every((r) => r.cached === true && r.cost_usd === 0)).toBe(true);
    expect(records.map((r) => r.output)).toEqual(jsonLines(first.stdout).map((r) => r.output));
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(s.cache_hits).toBe(2);
    // what the two calls cost the first time: 1200 (gpt-5.4-mini) + 1000 * 4 + 100 * 20 = 6000 (claude-opus-5-5) micro-USD
    expect(s.cache_saved_usd).toBe(0.0072);
    expect(s.cost_usd).toBe(0);
    expect(second.stderr).toContain('cache hits: 2 (saved $0.007200)');
    // a different answer cap is a different request
    await runCli(['run', '--routes', routes, file, '--cache', '--max-tokens', '50'], { env: env(home) });
    expect(server.requests).toHaveLength(4);
    const st = JSON.parse((await runCli(['stats', '--json'], { env: env(home) })).stdout);
    expect(st.cache_hits).toBe(2);
  });

  it('never caches an error', async () => {
    const home = freshHome();
    server.enqueueFaults([{ status: 400, message: 'bad' }]);
    const file = input('e.jsonl', [{ id: 'a', prompt: 'Fail first' }]);
    expect((await runCli(['run', '--routes', routes, file, '--cache'], { env: env(home) })).code).toBe(1);
    const again = await runCli(['run', '--routes', routes, file, '--cache'], { env: env(home) });
    expect(again.code).toBe(0);
    expect(jsonLines(again.stdout)[0]!.cached).toBe(false);
    expect(server.requests).toHaveLength(2);
  });
});
