import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { baseEnv, BIN, jsonLines, runCli } from '../helpers/cli.js';

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
/** With a ledger of its own. */
const envAt = (home: string) => ({ ...env(), FRUGAL_HOME: home });

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

describe('a full disk', () => {
  it('-o on a full disk: stops sending at the first failed write, says so, exit 1; --resume runs the rest once there is space', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const out = join(dir, 'full.jsonl');
    // /dev/full takes the open and fails every write with ENOSPC, as a full disk does.
    symlinkSync('/dev/full', out);
    const four = join(dir, 'four.jsonl');
    writeFileSync(four, ['a', 'b', 'c', 'd'].map((id) => JSON.stringify({ id, prompt: `Summarize document ${id}` })).join('\n') + '\n');
    const res = await runCli(['run', '--routes', routes, four, '-o', out, '--concurrency', '1'], { env: envAt(home) });
    expect(res.stderr).not.toContain('    at ');
    expect(res.stderr).toContain(`frugal: ${out}: cannot write (ENOSPC): stopped sending`);
    expect(res.stderr).toContain('stopped: a write failed; the prompts not yet started were not sent');
    expect(res.stderr).toContain('--resume');
    expect(res.code).toBe(1);
    // The first answer was paid for; its write failed, so no other prompt was sent.
    expect(server.requests).toHaveLength(1);
    // Space again: the same -o, resumed, sends the rest.
    rmSync(out);
    writeFileSync(out, '');
    server.reset();
    const again = await runCli(['run', '--routes', routes, four, '-o', out, '--resume', '--concurrency', '1'], { env: envAt(home) });
    expect(again.code).toBe(0);
    expect(jsonLines(readFileSync(out, 'utf8')).map((r) => r.id).sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('compare on a full disk', () => {
  it('-o that cannot be written: the comparison stops sending, one line, exit 1, no stack', async () => {
    const out = join(dir, 'compare-full.jsonl');
    symlinkSync('/dev/full', out);
    const res = await runCli(['compare', routes, '--input', input, '-o', out, '--concurrency', '1'], { env: envAt(mkdtempSync(join(dir, 'home-'))) });
    expect(res.stderr).not.toContain('    at ');
    expect(res.stderr).toContain(`frugal: ${out}: cannot write (ENOSPC): stopped sending`);
    expect(res.stderr).toContain('the comparison is incomplete');
    expect(res.code).toBe(1);
    expect(server.requests).toHaveLength(1);
  });
});

describe('--resume', () => {
  it("ends with the job's total over all its runs, not only this invocation's", async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const out = join(dir, 'job.jsonl');
    expect((await runCli(['run', '--routes', routes, input, '-o', out], { env: envAt(home) })).code).toBe(0);
    const three = join(dir, 'three.jsonl');
    writeFileSync(three, readFileSync(input, 'utf8') + '{"id":"c","prompt":"Summarize the third document"}\n');
    const res = await runCli(['run', '--routes', routes, three, '-o', out, '--resume'], { env: envAt(home) });
    expect(res.code).toBe(0);
    // Earlier: what the resume note says the job had booked; this one: the summary's total spend.
    const earlier = /the job has booked (\$[\d.]+) in all/.exec(res.stderr)![1]!;
    const now = /│ total +│ +│ +1 │.*│ +(\$[\d.]+) │ +100\.0% │/.exec(res.stderr)![1]!;
    const all = (Number(earlier.slice(1)) + Number(now.slice(1))).toFixed(6);
    expect(res.stderr).toMatch(new RegExp(`frugal: the job in all: 3 prompts done, \\$${all.slice(0, -1)}\\d booked \\(\\${earlier} in earlier runs, \\${now} in this one\\)`));
  });
});

describe('a ledger deleted while a run is going', () => {
  it('is found before the next request: said once, the run stops cleanly with -o holding every answer, exit 1; --resume finishes the job', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const ten = join(dir, 'ten.jsonl');
    writeFileSync(ten, Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `t${i}`, prompt: `Summarize report ${i}` })).join('\n') + '\n');
    const out = join(dir, 'deleted-ledger.jsonl');
    server.setLatency(40);
    try {
      const run = runCli(['run', '--routes', routes, ten, '-o', out, '--concurrency', '1'], { env: envAt(home) });
      while (server.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
      for (const f of ['frugal.db', 'frugal.db-wal', 'frugal.db-shm']) rmSync(join(home, f), { force: true });
      const res = await run;
      expect(res.stderr).not.toContain('    at ');
      const said = `frugal: ${home}/frugal.db: cannot write (deleted while the run was going): stopped sending; ${out} holds every answer received`;
      expect(res.stderr.split(said)).toHaveLength(2);
      expect(res.code).toBe(1);
      const answered = jsonLines(readFileSync(out, 'utf8')).filter((r) => !r.error);
      expect(server.requests.length).toBeLessThan(10);
      expect(answered).toHaveLength(server.requests.length);
    } finally {
      server.setLatency(0);
    }
    const before = server.requests.length;
    server.reset();
    const again = await runCli(['run', '--routes', routes, ten, '-o', out, '--resume', '--concurrency', '1'], { env: envAt(home) });
    expect(again.code).toBe(0);
    expect(server.requests).toHaveLength(10 - before);
    expect(new Set(jsonLines(readFileSync(out, 'utf8')).filter((r) => !r.error).map((r) => r.id)).size).toBe(10);
  });
});

/** bin/frugal.js as a real process whose files cannot grow past `blocks` of 512 bytes (ulimit -f): a disk that fills up. */
function spawnLimited(blocks: number, args: string[], home: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `ulimit -f ${blocks}; exec "$0" "$@"`, process.execPath, BIN, ...args], { cwd: dir, env: baseEnv(envAt(home)), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a ledger on a full disk', () => {
  it('stops sending at the first failed write: every answer received is in -o, no request leaves unrecorded, exit 1; --resume finishes the job', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const many = join(dir, 'many.jsonl');
    writeFileSync(many, Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: `p${i}`, prompt: `Summarize document ${i}` })).join('\n') + '\n');
    // A ledger that exists (its file is past the limit already, and is only read); its log grows until the limit.
    expect((await runCli(['run', '--routes', routes, '-p', 'Summarize a warm-up document'], { env: envAt(home) })).code).toBe(0);
    server.reset();
    const out = join(dir, 'ledger-full.jsonl');
    const res = await spawnLimited(LIMIT_BLOCKS, ['run', '--routes', routes, many, '-o', out, '--concurrency', '1'], home);
    expect(res.stderr).not.toContain('    at ');
    expect(res.stderr).toMatch(new RegExp(`frugal: ${home}/frugal\\.db: cannot write \\(SQLITE_[A-Z_]+\\): stopped sending; ${out} holds every answer received`));
    expect(res.code).toBe(1);
    const answered = jsonLines(readFileSync(out, 'utf8')).filter((r) => !r.error);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.length).toBeLessThan(40);
    // Each request that left was answered and written; the one the ledger could not write down never left.
    expect(answered).toHaveLength(server.requests.length);
    server.reset();
    const again = await runCli(['run', '--routes', routes, many, '-o', out, '--resume', '--concurrency', '1'], { env: envAt(home) });
    expect(again.code).toBe(0);
    expect(server.requests).toHaveLength(40 - answered.length);
    expect(new Set(jsonLines(readFileSync(out, 'utf8')).filter((r) => !r.error).map((r) => r.id)).size).toBe(40);
  });
});

const LIMIT_BLOCKS = 200;

/** A folder that exists when the outputs are checked and is gone by the time the run ends. */
function vanishing(): string {
  const sub = join(dir, `gone-${Math.random().toString(36).slice(2)}`);
  mkdirSync(sub);
  server.setModel('gpt-5.4-mini', {
    text: () => {
      rmSync(sub, { recursive: true, force: true });
      return 'A summary.';
    },
  });
  return sub;
}

describe('an output that cannot be written once the prompts were sent', () => {
  it('--summary-json: exit 1, not 2 (which says nothing was sent); the records are kept', async () => {
    const sub = vanishing();
    const out = join(dir, 'late1.jsonl');
    const res = await runCli(['run', '--routes', routes, input, '-o', out, '--summary-json', join(sub, 's.json')], { env: envAt(join(dir, 'home-late')) });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/s\.json: cannot write \(ENOENT\)/);
    expect(res.stderr).toContain('the prompts were sent');
    expect(jsonLines(readFileSync(out, 'utf8'))).toHaveLength(2);
  });

  it('compare --html: exit 1, the comparison still printed', async () => {
    const sub = vanishing();
    const res = await runCli(['compare', routes, '--input', input, '--html', join(sub, 'r.html')], { env: envAt(join(dir, 'home-late')) });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/r\.html: cannot write \(ENOENT\)/);
    expect(res.stderr).toContain('quality unknown: no prompt carries an expected answer');
  });
});

describe('a full disk', () => {
  it('-o on a full disk: exit 1 with the file and the reason, never a success', async () => {
    const res = await runCli(['run', '--dry-run', '--routes', routes, input, '-o', '/dev/full', '-q'], { env: envAt(join(dir, 'home-late')) });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('/dev/full: cannot write (ENOSPC)');
  });

  // The process's own standard output is under test: a real process, its stdout on /dev/full.
  it('standard output on a full disk: one line and a hint, exit 1, no stack', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [BIN, 'run', '--dry-run', '--routes', routes, input, '-q'], { stdio: ['ignore', fd, 'pipe'], env: baseEnv(envAt(join(dir, 'home-late'))) });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toBe('frugal: cannot write to standard output (ENOSPC: no space left on device)\n  hint: free some space, or send the records to a file on another disk with -o FILE\n');
    } finally {
      closeSync(fd);
    }
  });
});
