import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from '../fake/server.js';
import { runCli } from '../helpers/cli.js';
import { frugal, records, setup, spend, writePrompts } from './batch-helpers.js';

let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const unique = (ids: unknown[]) => new Set(ids).size === ids.length;

/** Kills the child with SIGKILL as soon as `when` holds (checked every few ms). */
function killWhen(when: () => boolean): (child: ChildProcess) => void {
  return (child) => {
    const timer = setInterval(() => {
      if (!when()) return;
      clearInterval(timer);
      child.kill('SIGKILL');
    }, 2);
    child.on('exit', () => clearInterval(timer));
  };
}

describe('a batch run killed with SIGKILL', () => {
  it('while polling: --resume submits nothing twice and writes every record once', async () => {
    const s = setup(server);
    server.batches.setProgress({ hold: true });
    const input = writePrompts(s.dir, 300);
    const out = join(s.dir, 'out.jsonl');
    const args = ['run', '--routes', s.routes, '--batch', input, '-o', out];
    const killed = await runCli(args, { cwd: s.dir, env: s.env as Record<string, string>, onSpawn: killWhen(() => server.batches.list().length === 2 && server.batches.stats().statusChecks >= 4) });
    expect(killed.signal).toBe('SIGKILL');
    expect(server.batches.stats().submittedLines).toBe(300);
    server.batches.release();
    const r = await frugal(s, [...args, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('resuming batch job');
    const rs = records(out);
    expect(rs).toHaveLength(300);
    expect(unique(rs.map((x) => x.id))).toBe(true);
    const stats = server.batches.stats();
    expect(stats.batches).toBe(2);
    expect(stats.submittedLines).toBe(300);
    expect(spend(rs)).toBe(stats.billedPico);
  });

  it('while writing results: --resume writes no record twice', async () => {
    const s = setup(server);
    server.setDefaults({ text: 'x'.repeat(2000), usage: { input: 50, output: 500 } });
    const input = writePrompts(s.dir, 4000, (i) => `Summarise item ${i}`);
    const out = join(s.dir, 'out.jsonl');
    const args = ['run', '--routes', s.routes, '--batch', input, '-o', out];
    const killed = await runCli(args, { cwd: s.dir, env: s.env as Record<string, string>, onSpawn: killWhen(() => existsSync(out) && statSync(out).size > 1_000_000) });
    server.setDefaults({});
    expect(killed.signal).toBe('SIGKILL');
    // A kill while writing may leave a torn last line (--resume drops it): count the whole ones.
    const before = readFileSync(out, 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as unknown).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(4000);
    const r = await frugal(s, [...args, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    const rs = records(out);
    expect(rs).toHaveLength(4000);
    expect(unique(rs.map((x) => x.id))).toBe(true);
    expect(server.batches.stats().submittedLines).toBe(4000);
    expect(spend(rs)).toBe(server.batches.stats().billedPico);
  });
});
