import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statsCommand } from '../../src/commands/stats.js';
import type { Context } from '../../src/commands/context.js';
import { UserError } from '../../src/core/errors.js';
import type { ResultRecord } from '../../src/core/execution/events.js';
import { openLedger } from '../../src/io/ledger.js';
import { call, recordCall, scrambleRows, tempHome } from '../io/ledger-fixtures.js';

const NOW = new Date('2026-11-08T12:00:00Z');
const usd = (n: number) => BigInt(Math.round(n * 1e6)) * 1_000_000n;

const haiku = { route: 'quick', provider: 'anthropic', model: 'claude-haiku-4-5', class: 'lookup' };
const opus = { route: 'flagship', provider: 'openai', model: 'gpt-5.4', class: 'code' };
const llama = { route: 'local', provider: 'openai-compatible', model: 'llama3.2:3b', class: null };
const u = (input: number, output: number) => ({ input, output, cacheRead: 0, cacheWrite: 0 });

/** The known calls: [when, record]. */
const CALLS: [string, Partial<ResultRecord>][] = [
  ['2026-10-20T08:00:00Z', { id: 'A', ...opus, usage: u(1000, 500), cost: usd(0.5), baselineCost: usd(0.5) }],
  ['2026-11-02T09:00:00Z', { id: 'B', ...haiku, usage: u(100, 10), cost: usd(0.1), baselineCost: usd(1) }],
  ['2026-11-02T23:59:59.999Z', { id: 'C', ...haiku, usage: u(200, 20), cost: usd(0.2), baselineCost: usd(1) }],
  ['2026-11-03T00:00:00Z', { id: 'D', ...haiku, usage: u(100, 10), cost: 0n, baselineCost: usd(1), cached: true }],
  ['2026-11-03T01:00:00Z', { id: 'E', ...haiku, usage: u(0, 0), cost: 0n, baselineCost: 0n, output: undefined, error: { status: 500, kind: 'http', message: 'overloaded' } }],
  ['2026-11-07T10:00:00Z', { id: 'F', ...llama, usage: u(50, 5), cost: undefined, baselineCost: undefined }],
  ['2026-11-07T11:00:00Z', { id: 'G', ...opus, usage: u(300, 100), cost: usd(0.7), baselineCost: usd(0.7) }],
];

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Outcome {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

async function stats(args: string[], env: NodeJS.ProcessEnv = {}, cwd = '/'): Promise<Outcome> {
  const stdout = new Sink();
  const stderr = new Sink();
  const ctx: Context = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { HOME: '/nonexistent-home', ...env },
    cwd,
    now: () => NOW,
    clock: () => 0,
    onInterrupt: () => () => {},
  };
  let code: number | undefined;
  const cmd = statsCommand(ctx, (c) => (code = c))
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  await cmd.parseAsync(['node', 'stats', ...args]);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const json = async (args: string[]) => {
  const r = await stats([...args, '--json', '--home', home.dir]);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

const zero = { failed: 0, cache_hits: 0, cache_read_tokens: 0, cache_write_tokens: 0, unsettled_usd: 0, unsettled_calls: 0, cost_unknown: 0, baseline_unknown: 0 };

let home: ReturnType<typeof tempHome>;
beforeAll(() => {
  home = tempHome();
  const ledger = openLedger(home.dir);
  for (const [at, change] of CALLS) recordCall(ledger, call(change), { runId: `run-${at.slice(0, 10)}`, at: new Date(at) });
  ledger.close();
});
afterAll(() => home.remove());

describe('frugal stats', () => {
  it('--by model (the default), all time: exact sums, unknown cost counted and not priced', async () => {
    expect(await json([])).toEqual({
      by: 'model',
      since: null,
      calls: 7,
      failed: 1,
      cache_hits: 1,
      input_tokens: 1750,
      output_tokens: 645,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_usd: 1.5,
      unsettled_usd: 0,
      unsettled_calls: 0,
      cost_unknown: 1,
      baseline_cost_usd: 4.2,
      baseline_unknown: 1,
      savings_usd: 2.7,
      savings_pct: (2.7e12 / 4.2e12) * 100,
      rows: [
        { ...zero, provider: 'openai', model: 'gpt-5.4', calls: 2, input_tokens: 1300, output_tokens: 600, cost_usd: 1.2, baseline_cost_usd: 1.2, savings_usd: 0, savings_pct: 0 },
        // 0.1 + 0.2 summed as picodollars: exactly 0.3, not 0.30000000000000004
        { ...zero, provider: 'anthropic', model: 'claude-haiku-4-5', calls: 4, failed: 1, cache_hits: 1, input_tokens: 400, output_tokens: 40, cost_usd: 0.3, baseline_cost_usd: 3, savings_usd: 2.7, savings_pct: 90 },
        { ...zero, provider: 'openai-compatible', model: 'llama3.2:3b', calls: 1, input_tokens: 50, output_tokens: 5, cost_usd: 0, cost_unknown: 1, baseline_cost_usd: 0, baseline_unknown: 1, savings_usd: 0, savings_pct: null },
      ],
    });
  });

  it('--since 7d --by day: UTC days, the call before the window left out', async () => {
    const s = await json(['--since', '7d', '--by', 'day']);
    expect(s).toMatchObject({ since: '2026-11-01T12:00:00.000Z', calls: 6, input_tokens: 750, output_tokens: 145, cost_usd: 1, baseline_cost_usd: 3.7, savings_usd: 2.7, cost_unknown: 1 });
    expect(s.rows).toEqual([
      { ...zero, day: '2026-11-02', calls: 2, input_tokens: 300, output_tokens: 30, cost_usd: 0.3, baseline_cost_usd: 2, savings_usd: 1.7, savings_pct: 85 },
      { ...zero, day: '2026-11-03', calls: 2, failed: 1, cache_hits: 1, input_tokens: 100, output_tokens: 10, cost_usd: 0, baseline_cost_usd: 1, savings_usd: 1, savings_pct: 100 },
      { ...zero, day: '2026-11-07', calls: 2, input_tokens: 350, output_tokens: 105, cost_usd: 0.7, cost_unknown: 1, baseline_cost_usd: 0.7, baseline_unknown: 1, savings_usd: 0, savings_pct: 0 },
    ]);
  });

  it('--since DATE --by class: the default route is a null class, listed last', async () => {
    const s = await json(['--since', '2026-11-03', '--by', 'class']);
    expect((s.rows as Record<string, unknown>[]).map((r) => [r.class, r.calls, r.cost_usd, r.baseline_cost_usd])).toEqual([
      ['code', 1, 0.7, 0.7],
      ['lookup', 2, 0, 1],
      [null, 1, 0, 0],
    ]);
    expect(s.calls).toBe(4);
  });

  it('--by route', async () => {
    const s = await json(['--by', 'route']);
    expect((s.rows as Record<string, unknown>[]).map((r) => [r.route, r.calls, r.cost_usd])).toEqual([
      ['flagship', 2, 1.2],
      ['quick', 4, 0.3],
      ['local', 1, 0],
    ]);
  });

  it('prints a table on stdout with a total line and what the figures leave out', async () => {
    const r = await stats(['--home', home.dir]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        '┌───────────────────────────────┬───────┬───────────┬────────────┬────────────┬──────────┬─────────┬───────┐',
        '│ model                         │ calls │ input tok │ output tok │      spend │ baseline │ savings │ saved │',
        '├───────────────────────────────┼───────┼───────────┼────────────┼────────────┼──────────┼─────────┼───────┤',
        '│ openai/gpt-5.4                │     2 │     1,300 │        600 │      $1.20 │    $1.20 │   $0.00 │  0.0% │',
        '├───────────────────────────────┼───────┼───────────┼────────────┼────────────┼──────────┼─────────┼───────┤',
        '│ anthropic/claude-haiku-4-5    │     4 │       400 │         40 │    $0.3000 │    $3.00 │   $2.70 │ 90.0% │',
        '├───────────────────────────────┼───────┼───────────┼────────────┼────────────┼──────────┼─────────┼───────┤',
        '│ openai-compatible/llama3.2:3b │     1 │        50 │          5 │ $0.00 +1×— │    $0.00 │   $0.00 │     — │',
        '├───────────────────────────────┼───────┼───────────┼────────────┼────────────┼──────────┼─────────┼───────┤',
        '│ total                         │     7 │     1,750 │        645 │ $1.50 +1×— │    $4.20 │   $2.70 │ 64.3% │',
        '└───────────────────────────────┴───────┴───────────┴────────────┴────────────┴──────────┴─────────┴───────┘',
        'calls: 7  succeeded: 6  failed: 1  cache hits: 1',
        'unknown cost: 1 calls recorded by an older frugal reported no usage; not in the spend above',
        'all time',
        '',
      ].join('\n'),
    );
  });

  it('finds the ledger through FRUGAL_HOME, and --home wins over it', async () => {
    const viaEnv = await stats(['--json'], { FRUGAL_HOME: home.dir });
    expect(JSON.parse(viaEnv.stdout).calls).toBe(7);
    const elsewhere = join(home.root, 'elsewhere');
    const viaFlag = await stats(['--json', '--home', elsewhere], { FRUGAL_HOME: home.dir });
    expect(JSON.parse(viaFlag.stdout).calls).toBe(0);
    const viaXdg = await stats(['--json'], { XDG_DATA_HOME: join(home.root, 'data') });
    expect(JSON.parse(viaXdg.stdout).calls).toBe(7);
  });

  it('with no ledger yet: zero figures, a note on stderr, and nothing created', async () => {
    const missing = join(home.root, 'none');
    const r = await stats(['--json', '--home', missing]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ by: 'model', since: null, ...zero, calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0, baseline_cost_usd: 0, savings_usd: 0, savings_pct: null, rows: [] });
    expect(r.stderr).toBe(`frugal: no ledger yet at ${join(missing, 'frugal.db')}; calls are recorded there as they are made\n`);
    expect(existsSync(missing)).toBe(false);
  });

  it.each([
    { name: 'overwritten with text', damage: (db: string) => writeFileSync(db, 'not a database at all, just text that someone saved over it\n'.repeat(100)) },
    { name: 'cut short', damage: (db: string) => truncateSync(db, Math.floor(statSync(db).size / 2)) },
    { name: 'its pages scrambled', damage: (db: string) => writeFileSync(db, Buffer.concat([readFileSync(db).subarray(0, 4096), Buffer.alloc(statSync(db).size - 4096, 0x5a)])) },
    { name: 'the pages of its rows scrambled', damage: (db: string) => scrambleRows(db) },
  ])('a damaged ledger ($name): one line naming the file, a hint, no SQLite text, no stack', async ({ damage }) => {
    const copy = join(home.root, `damaged-${Math.random().toString(36).slice(2)}`);
    mkdirSync(copy);
    copyFileSync(join(home.dir, 'frugal.db'), join(copy, 'frugal.db'));
    damage(join(copy, 'frugal.db'));
    const r = stats(['--home', copy]);
    await expect(r).rejects.toBeInstanceOf(UserError);
    const err = (await r.catch((e: unknown) => e)) as UserError;
    expect(err.message).toBe(`${join(copy, 'frugal.db')} is damaged: it cannot be read as a ledger`);
    expect(err.hint).toContain(`move ${join(copy, 'frugal.db')} aside`);
  });

  it('a bad --since is a user error with a hint; a bad --by is refused by the parser', async () => {
    const bad = stats(['--since', 'last week', '--home', home.dir]);
    await expect(bad).rejects.toBeInstanceOf(UserError);
    await expect(bad).rejects.toMatchObject({ message: '--since: "last week" is neither a duration nor a date', hint: expect.stringContaining('7d') });
    await expect(stats(['--by', 'provider', '--home', home.dir])).rejects.toBeInstanceOf(CommanderError);
  });
});

