// The spend ledger: what writing a call down costs a run (a row committed before its request
// leaves, its settle group-committed after), alone and with eight processes at once, and how long
// `frugal stats` takes to read the ledger back.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { internals } from '../lib/internals.js';

export const name = 'ledger';
export const title = 'Ledger: writing calls down and reading them back';

const records = Number(process.env.BENCH_LEDGER_RECORDS ?? 20_000);
const statsRows = Number(process.env.BENCH_LEDGER_STATS_ROWS ?? 200_000);

// One call of a live run: its row before the request leaves, settled when the answer is in.
const CALLS = `
const model = { alias: 'quick', provider: 'anthropic', model: 'claude-haiku-4-5', pricing: { rates: {} } };
const answer = { kind: 'answer', route: 'quick', provider: 'anthropic', model: 'claude-haiku-4-5', answeredBy: 'claude-haiku-4-5-20251001',
  usage: { input: 120, output: 200, cacheRead: 0, cacheWrite: 0 }, cost: 1234567n, unsettled: 0n, latencyMs: 321, attempts: 1, finishReason: 'stop', cached: false };
async function writeCalls(journal, count, at, turns) {
  for (let i = 0; i < count; i++) {
    const prompt = { id: 'p' + i, messages: [{ role: 'user', content: ('What is item ' + i + '? ').repeat(20) }], fields: {}, source: { file: 'prompts.jsonl', line: i + 1 } };
    const spec = { kind: 'answer', prompt, class: null, model, worstCase: 9876543n };
    const handle = journal.open(spec, spec.worstCase);
    journal.settle(handle, spec, answer, 9876543n);
    if (turns) await new Promise((resolve) => setImmediate(resolve));
  }
}
`;

const WORKER = `
const [modUrl, dir, worker, count] = process.argv.slice(2);
const { openLedger } = await import(modUrl);
${CALLS}
const ledger = openLedger(dir);
await writeCalls(ledger.journal({ runId: 'w' + worker, now: () => new Date() }), Number(count), new Date(), false);
ledger.close();
`;

export async function run(ctx) {
  const { module, url } = await internals(ctx.root, { openLedger: 'src/io/ledger.ts', readCallGroups: 'src/io/ledger.ts' });
  const { openLedger, readCallGroups } = module;
  const writeCalls = new Function(`${CALLS}; return writeCalls;`)();

  for (const turns of [false, true]) {
    const dir = join(ctx.tmp, `ledger-${turns ? 'turns' : 'tight'}`);
    const ledger = openLedger(dir);
    const journal = ledger.journal({ runId: 'bench', jobId: 'job', now: () => new Date() });
    const t0 = performance.now();
    await writeCalls(journal, records, new Date(), turns);
    ledger.close();
    const ms = performance.now() - t0;
    console.log(`${records.toLocaleString('en-US')} calls written down and settled, ${turns ? 'a turn of the event loop after each (as a run does)' : 'back to back'}: ${ms.toFixed(0)} ms, ${((ms * 1000) / records).toFixed(1)} µs per call${turns ? ' (the turns included)' : ''}`);
  }

  const dir = join(ctx.tmp, 'ledger-concurrent');
  const script = join(ctx.tmp, 'ledger-worker.mjs');
  writeFileSync(script, WORKER);
  const per = Math.ceil(records / 8);
  const t0 = performance.now();
  const codes = await Promise.all(
    Array.from({ length: 8 }, (_, w) => new Promise((resolve) => spawn(process.execPath, [script, url, dir, String(w), String(per)], { stdio: 'inherit' }).on('close', resolve))),
  );
  const ms = performance.now() - t0;
  const groups = readCallGroups(dir) ?? [];
  const total = groups.reduce((s, g) => s + g.calls, 0);
  const ok = codes.every((c) => c === 0) && total === per * 8;
  console.log(`8 processes x ${per.toLocaleString('en-US')} calls into one file: ${ms.toFixed(0)} ms wall (process start included), ${total.toLocaleString('en-US')} rows ${ok ? '[ok]' : '[WRONG: rows lost]'}`);
  if (!ok) process.exitCode = 1;

  const big = join(ctx.tmp, 'ledger-stats');
  const ledger = openLedger(big);
  const day = 86_400_000;
  const start = Date.parse('2026-01-01T00:00:00Z');
  let i = 0;
  const journal = ledger.journal({ runId: 'bench', now: () => new Date(start + Math.floor((i++ * 90 * day) / statsRows)) });
  await writeCalls(journal, statsRows, new Date(), false);
  ledger.close();
  const t1 = performance.now();
  const read = readCallGroups(big);
  console.log(`stats read over ${statsRows.toLocaleString('en-US')} calls: ${(performance.now() - t1).toFixed(0)} ms (${read.length} day/model/route/class/status groups)`);
}
