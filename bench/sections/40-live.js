// Live runs against the loopback fake provider (no latency): frugal's throughput against a bare
// SDK loop with the same prompts, SDK, API and concurrency; peak RSS over a long run; and AIMD
// against a rate-limited server.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../lib/measure.js';
import { fakeSetup, startFake } from '../lib/fake-server.js';
import { generatePrompts } from '../gen-prompts.js';

export const name = 'live';
export const title = 'Live runs against the fake provider';

const N = Number(process.env.BENCH_LIVE_PROMPTS ?? 10_000);
const RSS_N = Number(process.env.BENCH_RSS_PROMPTS ?? 100_000);
const C = 64;
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export async function run(ctx) {
  const { serve, routes } = fakeSetup(ctx, 'live');
  const bareLoop = join(ctx.root, 'bench', 'lib', 'bare-loop.js');

  // The same generated prompts (bench/gen-prompts.js, seed 42) for the bare loop and frugal.
  const slice = (count) => {
    const out = join(ctx.tmp, `live-${count}.jsonl`);
    const lines = [];
    for (const record of generatePrompts(count, 42)) lines.push(JSON.stringify(record));
    writeFileSync(out, `${lines.join('\n')}\n`);
    return out;
  };
  const prompts = slice(N);

  const env = { OPENAI_API_KEY: 'bench', FRUGAL_HOME: join(ctx.tmp, 'home') };
  const frugalArgs = (file, extra = [], concurrency = C) => [ctx.bin, 'run', '--routes', routes, file, '-c', String(concurrency), '--quiet', '-o', join(ctx.tmp, 'live-out.jsonl'), ...extra];

  // Throughput: alternate the runs, three rounds each, and compare medians.
  const bare = [];
  const bareTurn = [];
  const mine = [];
  const mineNoLedger = [];
  // A fresh server for every measured run: it records every request, and a long-lived one slows down.
  const timed = async (args) => {
    const server = await startFake(serve);
    const run = await ctx.measure(process.execPath, args(server.url), { env: { ...env, OPENAI_BASE_URL: `${server.url}/v1` } });
    await server.stop();
    return run.wallMs;
  };
  for (let round = 0; round < 3; round++) {
    bare.push(await timed((url) => [bareLoop, `${url}/v1`, prompts, String(C)]));
    bareTurn.push(await timed((url) => [bareLoop, `${url}/v1`, prompts, String(C), 'turn']));
    mine.push(await timed(() => frugalArgs(prompts)));
    mineNoLedger.push(await timed(() => frugalArgs(prompts, ['--no-ledger'])));
  }
  const bareMs = median(bare);
  const turnMs = median(bareTurn);
  const mineMs = median(mine);
  const plainMs = median(mineNoLedger);
  const vs = (ms) => `ratio ${(bareMs / ms).toFixed(2)} (${(turnMs / ms).toFixed(2)} against the yielding loop)`;
  console.log(`throughput, ${fmt(N)} prompts at concurrency ${C} (median of 3, interleaved):`);
  console.log(`  bare SDK loop (openai responses.create):  ${fmt(bareMs)} ms = ${fmt((N / bareMs) * 1000)} prompts/s`);
  console.log(`  bare SDK loop yielding a turn per answer: ${fmt(turnMs)} ms = ${fmt((N / turnMs) * 1000)} prompts/s`);
  console.log(`  frugal run (ledger on, the default):      ${fmt(mineMs)} ms = ${fmt((N / mineMs) * 1000)} prompts/s  ${vs(mineMs)}`);
  console.log(`  frugal run --no-ledger:                   ${fmt(plainMs)} ms = ${fmt((N / plainMs) * 1000)} prompts/s  ${vs(plainMs)}`);
  const lines = readFileSync(join(ctx.tmp, 'live-out.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  if (lines !== N) {
    console.log(`  WRONG: frugal wrote ${lines} records for ${N} prompts`);
    process.exitCode = 1;
  }

  // Peak RSS over a long run.
  const rssFile = slice(RSS_N);
  const rssServer = await startFake(serve);
  const rss = await ctx.measure(process.execPath, frugalArgs(rssFile), { env: { ...env, OPENAI_BASE_URL: `${rssServer.url}/v1` } });
  await rssServer.stop();

  console.log(`peak RSS over ${fmt(RSS_N)} prompts: ${fmt(rss.maxRssKb / 1024, 1)} MB (${fmt(rss.wallMs)} ms, ${fmt((RSS_N / rss.wallMs) * 1000)} prompts/s)`);

  // The one-shot (a single piped prompt against a bare one-call SDK script) is in the startup section.

  // AIMD against a server that allows RATE requests per second.
  const RATE = Number(process.env.BENCH_RATE ?? 50);
  const limited = await startFake(serve, { rateLimit: { requestsPerSecond: RATE }, latencyMs: 100 });
  const rateFile = slice(RATE * 10);
  const summary = join(ctx.tmp, 'rate-summary.json');
  const r = await ctx.measure(process.execPath, frugalArgs(rateFile, ['--retries', '20', '--summary-json', summary, '--no-ledger'], 32), {
    env: { ...env, OPENAI_BASE_URL: `${limited.url}/v1` },
  });
  const stats = await limited.stop();
  const s = JSON.parse(readFileSync(summary, 'utf8'));
  const achieved = (RATE * 10) / (r.wallMs / 1000);
  console.log(
    `rate limit ${RATE}/s, 100 ms latency, ${fmt(RATE * 10)} prompts at concurrency 32: ${fmt(r.wallMs)} ms, achieved ${fmt(achieved, 1)} prompts/s (${((achieved / RATE) * 100).toFixed(0)}% of the limit), ${fmt(stats?.rateLimited ?? s.throttled?.[0]?.responses_429 ?? 0)} 429s, concurrency down to ${s.throttled?.[0]?.lowest_concurrency ?? 'n/a'}; ${s.succeeded} succeeded, ${s.failed} failed`,
  );
}
