// The spend ledger: what recording a call costs a run, alone and with eight processes at once,
// and how long `frugal stats` takes to read it back.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const name = 'ledger';
export const title = 'Ledger: recording calls and reading them back';

const records = Number(process.env.BENCH_LEDGER_RECORDS ?? 10_000);
const statsRows = Number(process.env.BENCH_LEDGER_STATS_ROWS ?? 200_000);

function record(i) {
  return {
    id: `p${i}`,
    source: { file: 'prompts.jsonl', line: i + 1 },
    class: ['code', 'lookup', 'tiny', null][i % 4],
    route: ['flagship', 'quick', 'local', 'balanced'][i % 4],
    provider: 'anthropic',
    model: ['claude-opus-5-5', 'claude-haiku-4-5', 'llama3.2:3b', 'gpt-5.4-mini'][i % 4],
    answeredBy: 'claude-haiku-4-5-20251001',
    reason: 'lookup: keyword "what"',
    estimated: false,
    usage: { input: 100 + (i % 50), output: 200, cacheRead: 0, cacheWrite: 0 },
    cost: 1_234_567n + BigInt(i),
    baselineCost: 9_876_543n,
    output: 'answer',
    latencyMs: 321,
    attempts: 1,
  };
}

const rate = (n, ms) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} records/s`;

const WORKER = `
const [ledgerUrl, dir, worker, count] = process.argv.slice(2);
const { openLedger, promptHash } = await import(ledgerUrl);
const record = ${record.toString()};
const ledger = openLedger(dir);
for (let i = 0; i < Number(count); i++) ledger.record(record(i), { runId: 'w' + worker, at: new Date(), promptHash: promptHash({ messages: [{ role: 'user', content: 'q' + i }] }) });
ledger.close();
`;

export async function run(ctx) {
  const ledgerUrl = pathToFileURL(join(ctx.root, 'dist', 'io', 'ledger.js')).href;
  const { openLedger, promptHash, readCallGroups } = await import(ledgerUrl);
  const prompts = Array.from({ length: records }, (_, i) => ({ messages: [{ role: 'user', content: `What is item ${i}? `.repeat(20) }] }));

  for (const batchSize of [1, 16, 256]) {
    const dir = join(ctx.tmp, `ledger-batch-${batchSize}`);
    const ledger = openLedger(dir, { batchSize });
    const t0 = performance.now();
    for (let i = 0; i < records; i++) ledger.record(record(i), { runId: 'bench', at: new Date(), promptHash: promptHash(prompts[i]) });
    ledger.close();
    const ms = performance.now() - t0;
    console.log(`${records.toLocaleString('en-US')} records, batch ${batchSize}${batchSize === 256 ? ' (default)' : ''}: ${ms.toFixed(0)} ms, ${rate(records, ms)} (${((ms * 1000) / records).toFixed(1)} µs each, prompt hashing included)`);
  }

  const dir = join(ctx.tmp, 'ledger-concurrent');
  const script = join(ctx.tmp, 'ledger-worker.mjs');
  writeFileSync(script, WORKER);
  const per = Math.ceil(records / 8);
  const t0 = performance.now();
  const codes = await Promise.all(
    Array.from({ length: 8 }, (_, w) => new Promise((resolve) => spawn(process.execPath, [script, ledgerUrl, dir, String(w), String(per)], { stdio: 'inherit' }).on('close', resolve))),
  );
  const ms = performance.now() - t0;
  const groups = readCallGroups(dir) ?? [];
  const total = groups.reduce((s, g) => s + g.calls, 0);
  const ok = codes.every((c) => c === 0) && total === per * 8;
  console.log(`8 processes x ${per.toLocaleString('en-US')} records into one file: ${ms.toFixed(0)} ms wall (process start included), ${total.toLocaleString('en-US')} rows ${ok ? '[ok]' : '[WRONG: rows lost]'}`);
  if (!ok) process.exitCode = 1;

  const big = join(ctx.tmp, 'ledger-stats');
  const ledger = openLedger(big);
  const day = 86_400_000;
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < statsRows; i++) ledger.record(record(i), { runId: 'bench', at: new Date(start + Math.floor((i * 90 * day) / statsRows)), promptHash: 'h' });
  ledger.close();
  const t1 = performance.now();
  const read = readCallGroups(big);
  console.log(`stats read over ${statsRows.toLocaleString('en-US')} calls: ${(performance.now() - t1).toFixed(0)} ms (${read.length} day/model/route/class/status groups)`);
}
