import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultRecord } from '../../src/core/execution/events.js';

/** A finished live call; override what the test is about. */
export function call(change: Partial<ResultRecord> = {}): ResultRecord {
  return {
    id: 'q1',
    source: { file: 'prompts.jsonl', line: 1 },
    class: 'lookup',
    route: 'quick',
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    answeredBy: 'claude-haiku-4-5-20251001',
    reason: 'lookup: keyword "what"',
    estimated: false,
    usage: { input: 12, output: 30, cacheRead: 0, cacheWrite: 0 },
    cost: 162_000_000n,
    baselineCost: 810_000_000n,
    output: 'Canberra.',
    latencyMs: 420,
    attempts: 1,
    ...change,
  };
}

export function tempHome(): { root: string; dir: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'frugal-ledger-'));
  // A folder that does not exist yet: frugal creates it.
  return { root, dir: join(root, 'data', 'frugal'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

export const mode = (path: string) => statSync(path).mode & 0o777;

/** Every byte frugal keeps on disk for this folder: the database and its WAL. */
export function storedBytes(dir: string): string {
  return ['frugal.db', 'frugal.db-wal']
    .map((f) => join(dir, f))
    .filter((p) => existsSync(p))
    .map((p) => readFileSync(p).toString('latin1'))
    .join('');
}
