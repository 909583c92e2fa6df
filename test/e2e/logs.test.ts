import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/io/ledger.js';
import { promptHash } from '../../src/io/hash.js';
import { call, recordCall, scrambleRows, tempHome } from '../io/ledger-fixtures.js';
import { frugalIn } from '../helpers/in-process.js';

const home = tempHome();
afterAll(() => home.remove());

const NOW = new Date('2026-11-08T12:00:00Z');
const prompt = { system: 'Be brief.', messages: [{ role: 'user' as const, content: 'What is the capital of Australia?' }] };

{
  const ledger = openLedger(home.dir);
  const record = (id: string) => ({ id, fields: {}, source: { file: 'in.jsonl' }, ...prompt });
  recordCall(ledger, call({ id: 'old' }), { runId: 'run-aaa', at: new Date('2026-11-01T10:00:00Z'), prompt: record('old') });
  recordCall(ledger, call({ id: 'q1' }), { runId: 'run-bbb', at: new Date('2026-11-08T11:00:00Z'), prompt: record('q1'), logPrompts: true });
  recordCall(ledger, call({ id: 'q2\u001b[2J', cost: undefined, error: { status: 500, kind: 'http', message: 'overloaded' } }), { runId: 'run-bbb', at: new Date('2026-11-08T11:30:00Z'), prompt: { ...record('q2'), system: undefined } });
  ledger.close();
}

const logs = (args: string[]) => frugalIn(['logs', '--home', home.dir, ...args], { now: NOW });

describe('frugal logs', () => {
  it('lists the most recent calls, oldest first, with the hash when the text was not kept', async () => {
    const r = await logs(['-n', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '2026-11-08 11:00:00Z  q1  quick (anthropic/claude-haiku-4-5)  12 in / 30 out  $0.000162  ok',
        '  run run-bbb  class lookup  420 ms',
        '  system: Be brief.',
        '  user: What is the capital of Australia?',
        '  answer: Canberra.',
        '',
        '2026-11-08 11:30:00Z  q2  quick (anthropic/claude-haiku-4-5)  12 in / 30 out  —  failed: 500 overloaded',
        '  run run-bbb  class lookup  420 ms',
        `  prompt: sha256 ${promptHash({ messages: prompt.messages })} (not kept: run with --log-prompts to keep prompt text in the ledger)`,
        '',
      ].join('\n'),
    );
  });

  it('filters by prompt id, run id prefix and --since', async () => {
    expect(JSON.parse((await logs(['--id', 'q1', '--json'])).stdout).map((c: { id: string }) => c.id)).toEqual(['q1']);
    expect(JSON.parse((await logs(['--id', 'run-a', '--json'])).stdout).map((c: { id: string }) => c.id)).toEqual(['old']);
    expect(JSON.parse((await logs(['--since', '2d', '--json'])).stdout)).toHaveLength(2);
  });

  it('prints JSON with the prompt only when it was kept', async () => {
    const [old, q1] = JSON.parse((await logs(['--json', '-n', '2', '--since', '30d'])).stdout.split('\n')[0]!) as Record<string, unknown>[];
    expect(old).toMatchObject({ id: 'q1', prompt: prompt, cost_usd: 0.000162, run_id: 'run-bbb' });
    expect(q1).toMatchObject({ prompt: null, cost_usd: null, error: { status: 500, kind: 'http', message: 'overloaded' } });
  });

  it('says when there is no ledger yet', async () => {
    const r = await frugalIn(['logs', '--home', `${home.root}/none`]);
    expect(r.stderr).toContain('frugal: no ledger yet at');
    expect(r.stdout).toBe('no calls recorded for this query\n');
  });

  it('a ledger whose rows are damaged: one line naming the file and a hint, no SQLite text', async () => {
    const copy = join(home.root, 'damaged');
    mkdirSync(copy);
    copyFileSync(join(home.dir, 'frugal.db'), join(copy, 'frugal.db'));
    scrambleRows(join(copy, 'frugal.db'));
    const r = await frugalIn(['logs', '--home', copy], { now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`frugal: ${join(copy, 'frugal.db')} is damaged: it cannot be read as a ledger\n  hint: move ${join(copy, 'frugal.db')} aside (frugal starts a new one), or point --home / FRUGAL_HOME at another folder\n`);
  });
});
