import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import type { PromptRecord } from '../../src/core/prompt.js';
import { SCHEMA_VERSION } from '../../src/io/db.js';
import { openLedger, promptHash, readCallGroups } from '../../src/io/ledger.js';
import { dataDir } from '../../src/io/store-path.js';
import { bundleForProcess } from '../helpers/bundle.js';
import { userPrompt } from '../support.js';
import { call, mode, recordCall, storedBytes, tempHome, type Meta } from './ledger-fixtures.js';
import type { CallSpec } from '../../src/core/execution/call-runner.js';
import type { CallRecord } from '../../src/core/execution/calls.js';

function recordFixtureCall(): CallRecord {
  return { kind: 'answer', route: 'quick', provider: 'anthropic', model: 'claude-haiku-4-5', usage: { input: 12, output: 30, cacheRead: 0, cacheWrite: 0 }, cost: 0n, unsettled: 0n, attempts: 1, cached: false };
}

let home: ReturnType<typeof tempHome>;
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.remove());

const AT = new Date('2026-11-02T10:20:30.456Z');
const meta = (change: Partial<Meta> = {}): Meta => ({ runId: 'run-1', at: AT, ...change });

type Raw = Record<string, unknown>;
function rows(dir: string): Raw[] {
  const db = new Database(join(dir, 'frugal.db'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM calls ORDER BY id').safeIntegers(true).all() as Raw[];
  } finally {
    db.close();
  }
}

describe('dataDir', () => {
  it.each<[string, Record<string, string>, string | undefined, string]>([
    ['--home wins', { FRUGAL_HOME: '/f', XDG_DATA_HOME: '/x', HOME: '/h' }, '/given', '/given'],
    ['a relative --home is taken from the working folder', { FRUGAL_HOME: '/f' }, 'here', '/work/here'],
    ['FRUGAL_HOME', { FRUGAL_HOME: '/f', XDG_DATA_HOME: '/x', HOME: '/h' }, undefined, '/f'],
    ['XDG_DATA_HOME/frugal', { XDG_DATA_HOME: '/x', HOME: '/h' }, undefined, '/x/frugal'],
    ['empty variables count as unset', { FRUGAL_HOME: '', XDG_DATA_HOME: '', HOME: '/h' }, undefined, '/h/.local/share/frugal'],
    ['a relative XDG_DATA_HOME is ignored', { XDG_DATA_HOME: 'rel', HOME: '/h' }, undefined, '/h/.local/share/frugal'],
    ['~/.local/share/frugal', { HOME: '/h' }, undefined, '/h/.local/share/frugal'],
  ])('%s', (_name, env, flag, expected) => {
    expect(dataDir(env, '/work', flag)).toBe(expected);
  });
});

describe('openLedger: where and how the file is kept', () => {
  it('creates the folder 0700 and the database, WAL and shared-memory files 0600, whatever the umask', () => {
    const old = process.umask(0);
    try {
      const ledger = openLedger(home.dir);
      recordCall(ledger, call(), meta());
      expect(mode(home.dir)).toBe(0o700);
      for (const f of ['frugal.db', 'frugal.db-wal', 'frugal.db-shm']) expect([f, mode(join(home.dir, f))]).toEqual([f, 0o600]);
      ledger.close();
    } finally {
      process.umask(old);
    }
  });

  it('narrows a folder and files that exist with wider permissions', () => {
    mkdirSync(home.dir, { recursive: true });
    chmodSync(home.dir, 0o755);
    writeFileSync(join(home.dir, 'frugal.db'), '');
    chmodSync(join(home.dir, 'frugal.db'), 0o644);
    openLedger(home.dir).close();
    expect(mode(home.dir)).toBe(0o700);
    expect(mode(join(home.dir, 'frugal.db'))).toBe(0o600);
  });

  it('uses WAL, a busy timeout and a versioned schema', () => {
    openLedger(home.dir).close();
    const db = new Database(join(home.dir, 'frugal.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('a data folder that cannot be one, or a file that is not a database, is a user error with a hint', () => {
    mkdirSync(home.root, { recursive: true });
    const blocked = join(home.root, 'a-file');
    writeFileSync(blocked, 'not a folder');
    expect(() => openLedger(join(blocked, 'frugal'))).toThrow(UserError);
    mkdirSync(home.dir, { recursive: true });
    writeFileSync(join(home.dir, 'frugal.db'), 'this is not an SQLite database, just some text that is long enough to have a header'.repeat(20));
    let caught: unknown;
    try {
      openLedger(home.dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toBe(`${join(home.dir, 'frugal.db')} is damaged: it cannot be read as a ledger`);
    expect((caught as UserError).hint).toMatch(/move .*frugal\.db aside/);
  });

  it('refuses a database from a newer frugal, with a hint', () => {
    openLedger(home.dir).close();
    const db = new Database(join(home.dir, 'frugal.db'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openLedger(home.dir)).toThrow(UserError);
    expect(() => openLedger(home.dir)).toThrow(/newer frugal/);
  });
});

describe('ledger.record', () => {
  it('stores every field of a call, money as exact integer picodollars', () => {
    const ledger = openLedger(home.dir);
    const big = 9_007_199_254_740_993n; // 2^53 + 1: a double would round it
    recordCall(ledger, call({ cost: big, baselineCost: big * 3n, usage: { input: 1200, output: 340, cacheRead: 1000, cacheWrite: 50 } }), meta());
    ledger.close();
    expect(rows(home.dir)).toEqual([
      {
        id: 1n,
        at: '2026-11-02T10:20:30.456Z',
        at_ms: BigInt(AT.getTime()),
        run_id: 'run-1',
        job_id: null,
        prompt_id: 'q1',
        kind: 'answer',
        class: 'lookup',
        route: 'quick',
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        answered_by: 'claude-haiku-4-5-20251001',
        input_tokens: 1200n,
        output_tokens: 340n,
        cache_read_tokens: 1000n,
        cache_write_tokens: 50n,
        reasoning_tokens: 0n,
        cost_pico: big,
        unsettled_pico: 0n,
        baseline_cost_pico: big * 3n,
        latency_ms: 420n,
        attempts: 1n,
        finish_reason: null,
        status: 'ok',
        error_status: null,
        error_kind: null,
        error_message: null,
        prompt_hash: createHash('sha256').update('{"system":null,"messages":[{"role":"user","content":"What is the capital of Australia?"}]}').digest('hex'),
        prompt_text: null,
        answer_text: null,
      },
    ]);
  });

  it('records status ok, cached and error; a cost an older frugal did not know stays NULL, not 0', () => {
    const ledger = openLedger(home.dir);
    recordCall(ledger, call({ id: 'a' }), meta());
    recordCall(ledger, call({ id: 'b', cached: true, cost: 0n }), meta());
    recordCall(ledger, call({ id: 'c', usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, cost: 0n, baselineCost: 0n, output: undefined, error: { status: 500, kind: 'http', message: 'server error' }, attempts: 5 }), meta());
    recordCall(ledger, call({ id: 'd', cost: undefined, baselineCost: undefined, class: null, answeredBy: undefined, latencyMs: undefined }), meta());
    ledger.close();
    const got = rows(home.dir).map((r) => [r.prompt_id, r.status, r.cost_pico, r.baseline_cost_pico, r.class, r.answered_by, r.error_status, r.error_kind, r.error_message, r.attempts, r.latency_ms]);
    expect(got).toEqual([
      ['a', 'ok', 162_000_000n, 810_000_000n, 'lookup', 'claude-haiku-4-5-20251001', null, null, null, 1n, 420n],
      ['b', 'cached', 0n, 810_000_000n, 'lookup', 'claude-haiku-4-5-20251001', null, null, null, 1n, 420n],
      ['c', 'error', 0n, 0n, 'lookup', 'claude-haiku-4-5-20251001', 500n, 'http', 'server error', 5n, 420n],
      ['d', 'ok', null, null, null, null, null, null, null, 1n, null],
    ]);
  });

  it('keeps no prompt text by default, only its hash; stores the canonical text when asked', () => {
    const secretPrompt = userPrompt('my medical history is PRIVATE-TEXT-123', {}, { system: 'You are terse.' });
    const ledger = openLedger(home.dir);
    recordCall(ledger, call({ id: 'hidden' }), meta({ prompt: secretPrompt }));
    expect(storedBytes(home.dir)).not.toContain('PRIVATE-TEXT-123');
    recordCall(ledger, call({ id: 'logged' }), meta({ prompt: secretPrompt, logPrompts: true }));
    ledger.close();
    const [hidden, logged] = rows(home.dir);
    expect(hidden!.prompt_text).toBeNull();
    expect(logged!.prompt_text).toBe('{"system":"You are terse.","messages":[{"role":"user","content":"my medical history is PRIVATE-TEXT-123"}]}');
    expect(logged!.prompt_hash).toBe(createHash('sha256').update(logged!.prompt_text as string).digest('hex'));
    expect(hidden!.prompt_hash).toBe(logged!.prompt_hash);
  });

  it('promptHash covers the system prompt and every message, and nothing else', () => {
    const p = userPrompt('hello');
    const other: PromptRecord = { ...p, id: 'other', fields: { x: 1 }, source: { file: 'b.jsonl', line: 9 } };
    expect(promptHash(p)).toBe(promptHash(other));
    expect(promptHash(p)).not.toBe(promptHash({ ...p, system: 'be brief' }));
    expect(promptHash(p)).not.toBe(promptHash({ ...p, messages: [{ role: 'user', content: 'hello ' }] }));
    expect(promptHash(p)).not.toBe(promptHash({ ...p, messages: [{ role: 'assistant', content: 'hello' }] }));
    expect(promptHash(p)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps key-shaped text that a provider echoes in an error out of the file', () => {
    const ledger = openLedger(home.dir);
    recordCall(ledger, call({ error: { status: 401, kind: 'http', message: 'Incorrect API key provided: sk-proj-AbCdEf0123456789. You can find your API key at ...' } }), meta());
    recordCall(ledger, call({ error: { status: 401, kind: 'http', message: 'bad header Authorization: Bearer sk-ant-api03-XYZXYZXYZ' } }), meta());
    ledger.close();
    expect(rows(home.dir).map((r) => r.error_message)).toEqual([
      'Incorrect API key provided: [redacted]. You can find your API key at ...',
      'bad header Authorization: [redacted]',
    ]);
    expect(storedBytes(home.dir)).not.toMatch(/AbCdEf0123456789|XYZXYZXYZ/);
  });
});

describe('the write-ahead journal', () => {
  const spec = (id: string): CallSpec => ({
    kind: 'answer',
    prompt: userPrompt('What is the capital of Australia?', {}, { id }),
    class: 'lookup',
    model: { alias: 'quick', provider: 'anthropic', model: 'claude-haiku-4-5', pricing: { rates: { input: { base: 1, tiers: [] }, output: { base: 5, tiers: [] } }, source: { kind: 'override' } } },
    worstCase: 7_000n,
  });

  it('a call is in the file before its request leaves, booked at its reservation, and settled by the end of the turn', async () => {
    const ledger = openLedger(home.dir);
    const journal = ledger.journal({ runId: 'run-1', jobId: 'job-1', now: () => AT });
    const handle = journal.open(spec('q1'), 7_000n);
    // Another connection sees it at once: what a kill -9 would leave.
    expect(rows(home.dir).map((r) => [r.status, r.cost_pico, r.unsettled_pico, r.job_id, r.attempts])).toEqual([['pending', 7_000n, 7_000n, 'job-1', 1n]]);
    journal.rebook(handle, 14_000n);
    expect(rows(home.dir).map((r) => [r.status, r.cost_pico, r.attempts])).toEqual([['pending', 14_000n, 2n]]);
    expect(ledger.jobSpend('job-1')).toEqual({ cost: 14_000n, unsettled: 14_000n, unsettledCalls: 1 });
    const call = { ...(recordFixtureCall()), cost: 7_500n, unsettled: 7_000n, attempts: 2, finishReason: 'stop' as const };
    journal.settle(handle, spec('q1'), call, 30_000n);
    // A group commit: until the turn ends, a kill would leave the call at its reservation, never at less.
    expect(rows(home.dir).map((r) => [r.status, r.cost_pico])).toEqual([['pending', 14_000n]]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(rows(home.dir).map((r) => [r.status, r.cost_pico, r.unsettled_pico, r.baseline_cost_pico, r.finish_reason, r.attempts])).toEqual([['ok', 7_500n, 7_000n, 30_000n, 'stop', 2n]]);
    expect(ledger.jobSpend('job-1')).toEqual({ cost: 7_500n, unsettled: 7_000n, unsettledCalls: 1 });
    ledger.close();
    ledger.close();
    expect(() => ledger.journal({ runId: 'r', now: () => AT })).toThrow(/closed/);
  });

  it('a job is found again for --resume by its -o path; a fresh run starts a new one', () => {
    const ledger = openLedger(home.dir);
    let n = 0;
    const id = () => `job-${++n}`;
    expect(ledger.jobFor('/out.jsonl', false, id)).toEqual({ jobId: 'job-1', resumed: false });
    expect(ledger.jobFor('/out.jsonl', true, id)).toEqual({ jobId: 'job-1', resumed: true });
    expect(ledger.jobFor('/other.jsonl', true, id)).toEqual({ jobId: 'job-2', resumed: false });
    expect(ledger.jobFor('/out.jsonl', false, id)).toEqual({ jobId: 'job-3', resumed: false });
    expect(ledger.jobFor('/out.jsonl', true, id)).toEqual({ jobId: 'job-3', resumed: true });
    ledger.close();
  });

  it('a database of the first schema is migrated: its calls are kept as answers', () => {
    mkdirSync(home.dir, { recursive: true });
    const db = new Database(join(home.dir, 'frugal.db'));
    db.exec(`CREATE TABLE calls (id INTEGER PRIMARY KEY, at TEXT NOT NULL, at_ms INTEGER NOT NULL, run_id TEXT NOT NULL, prompt_id TEXT NOT NULL, class TEXT, route TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, answered_by TEXT, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, cost_pico INTEGER, baseline_cost_pico INTEGER, latency_ms INTEGER, attempts INTEGER, status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'cached')), error_status INTEGER, error_kind TEXT, error_message TEXT, prompt_hash TEXT NOT NULL, prompt_text TEXT) STRICT;
      CREATE TABLE response_cache (key TEXT PRIMARY KEY, text TEXT NOT NULL, input_tokens INTEGER, output_tokens INTEGER, cache_read_tokens INTEGER, cache_write_tokens INTEGER, answered_by TEXT, created_ms INTEGER NOT NULL) STRICT, WITHOUT ROWID;
      INSERT INTO calls VALUES (1, '2026-11-01T00:00:00Z', 0, 'r', 'q1', NULL, 'quick', 'anthropic', 'claude-haiku-4-5', NULL, 10, 20, 0, 0, 123, 456, 5, 1, 'ok', NULL, NULL, NULL, 'h', NULL);`);
    db.pragma('user_version = 1');
    db.close();
    openLedger(home.dir).close();
    expect(rows(home.dir).map((r) => [r.prompt_id, r.kind, r.cost_pico, r.unsettled_pico, r.status])).toEqual([['q1', 'answer', 123n, 0n, 'ok']]);
  });

  it('readCallGroups creates nothing when there is no ledger yet', () => {
    expect(readCallGroups(home.dir)).toBeUndefined();
    expect(existsSync(home.dir)).toBe(false);
  });
});

const WORKER = `
import { existsSync } from 'node:fs';
const [ledgerUrl, dir, worker, count, go] = process.argv.slice(2);
process.umask(0);
const { openLedger } = await import(ledgerUrl);
process.stdout.write('ready\\n');
while (!existsSync(go)) await new Promise((r) => setTimeout(r, 1));
const ledger = openLedger(dir);
const journal = ledger.journal({ runId: 'w' + worker, now: () => new Date() });
const model = { alias: 'quick', provider: 'openai', model: 'gpt-5.4-mini' };
for (let i = 0; i < Number(count); i++) {
  const error = i % 50 === 7 ? { status: 401, kind: 'http', message: 'Incorrect API key provided: ' + process.env.OPENAI_API_KEY } : undefined;
  const spec = { kind: 'answer', prompt: { id: 'p' + i, messages: [{ role: 'user', content: 'q' + i }], fields: {}, source: { file: 'in.jsonl' } }, class: null, model, worstCase: 2_000_000_000n };
  const handle = journal.open(spec, spec.worstCase);
  journal.settle(handle, spec, {
    kind: 'answer', route: 'quick', provider: 'openai', model: 'gpt-5.4-mini', usage: { input: 10, output: 20, cacheRead: 0, cacheWrite: 0 },
    cost: error ? 0n : 1_000_000_007n, unsettled: 0n, attempts: 1, latencyMs: 5, cached: false, error,
  }, error ? 0n : 3_000_000_011n);
}
ledger.close();
`;

function runWorker(script: string, args: string[], env: NodeJS.ProcessEnv): { ready: Promise<void>; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { ready, done };
}

describe('concurrent invocations', () => {
  it('8 processes writing 200 calls each, two autocommits per call, into a database none of them found: 1,600 rows, none lost', async () => {
    const ledgerUrl = await bundleForProcess('ledger-worker', { openLedger: 'io/ledger.ts', promptHash: 'io/hash.ts' });
    const script = join(home.root, 'worker.mjs');
    const go = join(home.root, 'go');
    writeFileSync(script, WORKER);
    const secret = 'sk-proj-SENTINEL0SECRET0KEY0123456789';
    const env = { ...process.env, OPENAI_API_KEY: secret, ANTHROPIC_API_KEY: 'sk-ant-SENTINEL0ANTHROPIC0KEY' };
    const workers = Array.from({ length: 8 }, (_, w) => runWorker(script, [ledgerUrl, home.dir, String(w), '200', go], env));
    await Promise.all(workers.map((w) => w.ready));
    writeFileSync(go, '');
    const results = await Promise.all(workers.map((w) => w.done));
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ code: 0, stderr: '' })));

    const all = rows(home.dir);
    expect(all).toHaveLength(1600);
    const perWorker = new Map<unknown, Set<unknown>>();
    for (const r of all) perWorker.set(r.run_id, (perWorker.get(r.run_id) ?? new Set()).add(r.prompt_id));
    expect([...perWorker.values()].map((ids) => ids.size)).toEqual(Array(8).fill(200));

    const groups = readCallGroups(home.dir)!;
    const cost = groups.reduce((s, g) => s + g.cost, 0n);
    const errors = groups.filter((g) => g.status === 'error').reduce((s, g) => s + g.calls, 0);
    expect(errors).toBe(8 * 4);
    expect(cost).toBe(1_000_000_007n * BigInt(1600 - 8 * 4));

    expect(mode(home.dir)).toBe(0o700);
    for (const f of ['frugal.db', 'frugal.db-wal', 'frugal.db-shm']) {
      if (existsSync(join(home.dir, f))) expect([f, mode(join(home.dir, f))]).toEqual([f, 0o600]);
    }
    const bytes = storedBytes(home.dir);
    expect(bytes).not.toContain('SENTINEL');
    expect(bytes).toContain('[redacted]');
  });
});
