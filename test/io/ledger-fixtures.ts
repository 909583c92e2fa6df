import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CallSpec } from '../../src/core/execution/call-runner.js';
import type { CallRecord } from '../../src/core/execution/calls.js';
import type { ResultRecord } from '../../src/core/execution/events.js';
import type { ModelConfig } from '../../src/core/policy/types.js';
import type { PromptRecord } from '../../src/core/prompt.js';
import type { Ledger } from '../../src/io/ledger.js';

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

export interface Meta {
  runId: string;
  at: Date;
  prompt?: PromptRecord | undefined;
  logPrompts?: boolean | undefined;
  jobId?: string | undefined;
}

/**
 * Writes a finished record's call through the journal, as a live run does: before the request
 * leaves (pending, booked at `reserved`), then settled. A record without a cost stands for a row
 * an older frugal wrote (NULL cost: unknown).
 */
export function recordCall(ledger: Ledger, r: ResultRecord, meta: Meta, reserved = 1_000_000_000n): void {
  const journal = ledger.journal({ runId: meta.runId, jobId: meta.jobId, now: () => meta.at, logPrompts: meta.logPrompts });
  const prompt = meta.prompt ?? { id: r.id, messages: [{ role: 'user' as const, content: 'What is the capital of Australia?' }], fields: {}, source: r.source };
  const model: ModelConfig = { alias: r.route, provider: r.provider as ModelConfig['provider'], model: r.model, pricing: { rates: { input: { base: 0, tiers: [] }, output: { base: 0, tiers: [] } }, source: { kind: 'override' } } };
  const spec: CallSpec = { kind: 'answer', prompt: { ...prompt, id: r.id }, class: r.class, model, worstCase: reserved };
  const call: CallRecord = {
    kind: 'answer',
    route: r.route,
    provider: r.provider,
    model: r.model,
    answeredBy: r.answeredBy,
    usage: r.usage,
    cost: r.cost ?? 0n,
    unsettled: r.unsettled ?? 0n,
    latencyMs: r.latencyMs,
    attempts: r.attempts ?? 1,
    finishReason: undefined,
    cached: r.cached === true,
    error: r.error,
    output: r.output,
  };
  const handle = r.cached ? undefined : journal.open(spec, reserved);
  journal.settle(handle, spec, call, r.baselineCost);
  journal.flush?.();
  if (r.cost === undefined) legacyUnknownCost(ledger.dir, r.id);
}

function legacyUnknownCost(dir: string, promptId: string): void {
  const db = new Database(join(dir, 'frugal.db'));
  db.prepare('UPDATE calls SET cost_pico = NULL WHERE prompt_id = ?').run(promptId);
  db.close();
}

/** Overwrites the leaf pages of the calls table only: the file opens, and reading the rows fails. */
export function scrambleRows(path: string): void {
  const probe = new Database(path);
  const pages = probe.prepare<[], { pageno: number }>("SELECT pageno FROM dbstat WHERE name LIKE 'calls%' AND pagetype = 'leaf'").all();
  const size = probe.pragma('page_size', { simple: true }) as number;
  probe.close();
  const bytes = readFileSync(path);
  for (const { pageno } of pages) bytes.fill(0x5a, (pageno - 1) * size, pageno * size);
  writeFileSync(path, bytes);
}
