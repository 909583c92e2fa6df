import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { jsonLines, spawnCli } from '../helpers/cli.js';

let server: FakeServer;
let dir: string;

beforeAll(async () => {
  server = await startFakeServer({ rateLimit: { requestsPerSecond: 40 } });
  server.setDefaults({ usage: { input: 50, output: 5 } });
  dir = mkdtempSync(join(tmpdir(), 'frugal-rate-'));
});
afterAll(() => server.close());

it('lowers concurrency on 429s, waits as retry-after says, and finishes every prompt', async () => {
  const routes = join(dir, 'routes.yaml');
  writeFileSync(routes, 'default: m\nmodels:\n  m: { provider: openai, model: gpt-5.4-mini }\n');
  const input = join(dir, 'in.jsonl');
  writeFileSync(input, Array.from({ length: 120 }, (_, i) => JSON.stringify({ id: `r${i}`, prompt: `Summarize ${i}` })).join('\n'));
  const summary = join(dir, 'summary.json');
  server.setLatency(20);
  const started = Date.now();
  // A process of its own: in this one, frugal would share the event loop with the server and the
  // test runner, and could fall short of the server's limit instead of running into it.
  const res = await spawnCli(['run', '--routes', routes, input, '-c', '32', '--retries', '8', '--summary-json', summary], {
    env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: openaiBaseUrl(server), ANTHROPIC_BASE_URL: anthropicBaseUrl(server) },
  });
  const seconds = (Date.now() - started) / 1000;
  expect(res.code).toBe(0);
  expect(res.stderr).not.toContain('Warning');
  expect(jsonLines(res.stdout).filter((r) => r.error === null)).toHaveLength(120);
  const s = JSON.parse(readFileSync(summary, 'utf8'));
  const stats = server.stats();
  expect(stats.billed).toBe(120);
  expect(s.throttled).toHaveLength(1);
  expect(s.throttled[0].responses_429).toBe(stats.rateLimited);
  expect(s.throttled[0].lowest_concurrency).toBeLessThan(32);
  // 120 requests at 40/s cannot take less than ~2 s; AIMD keeps the 429s to a fraction of the calls
  expect(seconds).toBeGreaterThan(2);
  expect(stats.rateLimited).toBeLessThan(120);
  expect(res.stderr).toMatch(/rate limited: openai answered 429 \d+ times; concurrency went down to \d+/);
});
