// Ctrl-C (and SIGTERM) while frugal waits for more of a stdin whose writer is idle: the input ends
// where it is and the run stops, instead of waiting for a writer that may never write again.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { jsonLines, runCli } from '../helpers/cli.js';
import { requireBuild, tempDir } from './cli.js';

const tmp = tempDir();
let server: FakeServer;
let routes: string;

beforeAll(async () => {
  requireBuild();
  server = await startFakeServer();
  routes = join(tmp.path, 'routes.yaml');
  writeFileSync(routes, 'default: quick\nmodels:\n  quick: { provider: anthropic, model: claude-haiku-4-5 }\n  balanced: { provider: openai, model: gpt-5.4-mini }\n');
});
afterAll(async () => {
  await server.close();
  tmp.remove();
});

const record = (id: string) => `${JSON.stringify({ id, prompt: `Question ${id}?` })}\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** stdin that has given `lines` and stays open, as a pipe whose writer went quiet. */
function idlePipe(...lines: string[]): PassThrough {
  const stdin = new PassThrough();
  for (const line of lines) stdin.write(line);
  return stdin;
}

/** Ctrl-C once the run has read all there is and waits for more (its Ctrl-C handler is in place by then). */
function interruptWhenWaiting(stdin: PassThrough) {
  return ({ interrupt }: { interrupt: () => void }) =>
    void (async () => {
      while (stdin.readableLength > 0 || stdin.listenerCount('readable') + stdin.listenerCount('data') === 0) await sleep(10);
      await sleep(50);
      interrupt();
    })();
}

describe('Ctrl-C while stdin is open and quiet', () => {
  it('a dry run stops at once with what it read: exit 130, the records so far, the summary says interrupted', async () => {
    const started = Date.now();
    const stdin = idlePipe(record('a'), record('b'));
    const r = await runCli(['run', '--dry-run', '--routes', routes], { stdin, onStart: interruptWhenWaiting(stdin) });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(130);
    expect(jsonLines(r.stdout).map((x) => x.id)).toEqual(['a', 'b']);
    expect(r.stderr).toContain('prompts: 2');
  });

  it('before any prompt came: exit 130 and "interrupted before the first one", not "standard input is empty"', async () => {
    const stdin = idlePipe();
    const r = await runCli(['run', '--dry-run', '--routes', routes], { stdin, onStart: interruptWhenWaiting(stdin) });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('no prompts: interrupted before the first one');
    expect(r.stderr).not.toContain('standard input is empty');
  });

  it('a live run sends what it read, then stops: exit 130, every record, nothing sent twice', async () => {
    server.reset();
    const env = { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropicBaseUrl(server), OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openaiBaseUrl(server) };
    const r = await runCli(['run', '--routes', routes, '--no-ledger', '-q'], {
      env,
      stdin: idlePipe(record('a'), record('b')),
      onStart: ({ interrupt }) =>
        void (async () => {
          while (server.requests.length < 2) await sleep(10);
          await sleep(100);
          interrupt();
        })(),
    });
    expect(r.code).toBe(130);
    expect(jsonLines(r.stdout).map((x) => x.id).sort()).toEqual(['a', 'b']);
    expect(server.requests).toHaveLength(2);
  });

  it('the process: SIGTERM with a quiet stdin ends a dry run at once (exit 130)', async () => {
    const started = Date.now();
    const r = await runCli(['run', '--dry-run', '-q', '--routes', routes], {
      stdin: idlePipe(record('a')),
      onSpawn: (child) => void sleep(700).then(() => child.kill('SIGTERM')),
    });
    expect([r.code, r.stderr]).toEqual([130, '']);
    expect(jsonLines(r.stdout).map((x) => x.id)).toEqual(['a']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
