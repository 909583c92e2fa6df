import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { jsonLines, runCli } from '../helpers/cli.js';

const POLICY = `
baseline: balanced
default: balanced
models:
  balanced: { provider: openai, model: gpt-5.4-mini }
`;

let server: FakeServer;
let dir: string;
let routes: string;
let input: string;

beforeAll(async () => {
  server = await startFakeServer();
  dir = mkdtempSync(join(tmpdir(), 'frugal-outputs-'));
  routes = join(dir, 'routes.yaml');
  writeFileSync(routes, POLICY);
  input = join(dir, 'in.jsonl');
  writeFileSync(input, '{"id":"a","prompt":"Summarize the first document"}\n{"id":"b","prompt":"Summarize the second document"}\n');
});
afterAll(async () => server.close());
beforeEach(() => server.reset());

const env = () => ({ OPENAI_API_KEY: 'k1', OPENAI_BASE_URL: openaiBaseUrl(server), ANTHROPIC_BASE_URL: anthropicBaseUrl(server) });

describe('output files are checked before the first call', () => {
  it('-o naming an input file is refused: the input is kept, nothing is sent, exit 2', async () => {
    const before = readFileSync(input, 'utf8');
    const res = await runCli(['run', '--routes', routes, input, '-o', input], { env: env() });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('is also an input file');
    expect(readFileSync(input, 'utf8')).toBe(before);
    expect(server.requests).toHaveLength(0);
  });

  it('--summary-json into a folder that does not exist fails before anything is paid for', async () => {
    const res = await runCli(['run', '--routes', routes, input, '-o', join(dir, 'o1.jsonl'), '--summary-json', join(dir, 'missing', 's.json')], { env: env() });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--summary-json .*the folder .* does not exist/);
    expect(server.requests).toHaveLength(0);
  });

  it('compare --html into a missing folder, and -o naming the policy, fail before any call', async () => {
    const html = await runCli(['compare', routes, '--input', input, '--html', join(dir, 'nope', 'r.html')], { env: env() });
    expect(html.code).toBe(2);
    const same = await runCli(['compare', routes, '--input', input, '-o', routes], { env: env() });
    expect(same.code).toBe(2);
    expect(readFileSync(routes, 'utf8')).toBe(POLICY);
    expect(server.requests).toHaveLength(0);
  });

  it('a second writer of the same -o gets a clear error and exit 2 before sending; a lock left by a killed run is taken over', async () => {
    const out = join(dir, 'locked.jsonl');
    // A live process holds it: this test's own.
    writeFileSync(`${out}.lock`, `${process.pid}\n`);
    const busy = await runCli(['run', '--routes', routes, input, '-o', out], { env: env() });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(`is being written by another frugal (pid ${process.pid})`);
    expect(server.requests).toHaveLength(0);
    // A pid that no longer runs: the lock is stale.
    writeFileSync(`${out}.lock`, '999999999\n');
    const ok = await runCli(['run', '--routes', routes, input, '-o', out], { env: env() });
    expect(ok.code).toBe(0);
    expect(jsonLines(readFileSync(out, 'utf8'))).toHaveLength(2);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('files are created 0644 even under umask 000', async () => {
    const out = join(dir, 'mode.jsonl');
    const summary = join(dir, 'mode.json');
    const res = await runCli(['run', '--routes', routes, input, '-o', out, '--summary-json', summary], { env: env(), umask: 0 });
    expect(res.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o644);
    expect(statSync(summary).mode & 0o777).toBe(0o644);
  });
});

describe('--max-retry-wait', () => {
  it('reaches the scheduler: a retry-after above it fails the prompt at once instead of waiting', async () => {
    server.enqueueFaults([{ status: 429, retryAfter: 30 }]);
    const started = Date.now();
    const res = await runCli(['run', '--routes', routes, '-p', 'Summarize this', '--max-retry-wait', '2', '--format', 'jsonl'], { env: env() });
    expect(Date.now() - started).toBeLessThan(10_000);
    const [record] = jsonLines(res.stdout);
    expect((record!.error as { message: string }).message).toContain('over the 2 s limit');
    expect(server.requests).toHaveLength(1);
  });
});
