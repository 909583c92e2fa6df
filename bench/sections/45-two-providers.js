// Per-provider queues: prompts routed to a fast provider finish at that provider's own speed while
// another provider, rate limited to 5 requests/s, works through its share. Compared in one run with
// the fast prompts alone.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFakeServer, startFake } from '../lib/fake-server.js';

export const name = 'two-providers';
export const title = 'Two providers, one rate limited to 5 requests/s';

const FAST = Number(process.env.BENCH_FAST_PROMPTS ?? 2_000);
const SLOW = 40;
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Runs frugal and notes when each record line arrives on stdout (ms since the start). */
function timedLines(bin, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      const at = performance.now() - started;
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop();
      for (const line of parts) if (line) lines.push({ at, record: JSON.parse(line) });
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, lines, wallMs: performance.now() - started }));
  });
}

export async function run(ctx) {
  const fakeDir = join(ctx.tmp, 'fake-two');
  mkdirSync(fakeDir, { recursive: true });
  const serve = buildFakeServer(ctx.root, fakeDir);
  const routes = join(ctx.tmp, 'two-routes.yaml');
  writeFileSync(
    routes,
    `default: fast
models:
  fast: { provider: openai, model: gpt-5.4-mini }
  slow: { provider: anthropic, model: claude-haiku-4-5 }
classes:
  - { name: slow, when: { keywords: [slowly] }, route: slow }
`,
  );
  const mixed = join(ctx.tmp, 'two-mixed.jsonl');
  const fastOnly = join(ctx.tmp, 'two-fast.jsonl');
  const records = [];
  // The slow prompts come first and are spread through the file: in input order, they would block.
  for (let i = 0; i < FAST + SLOW; i++) {
    const slow = i % Math.floor((FAST + SLOW) / SLOW) === 0 && records.filter((r) => r.slow).length < SLOW;
    records.push({ slow, json: JSON.stringify({ id: `p${i}`, prompt: slow ? `Answer this slowly, question ${i}` : `Answer question ${i}` }) });
  }
  writeFileSync(mixed, records.map((r) => r.json).join('\n') + '\n');
  writeFileSync(fastOnly, records.filter((r) => !r.slow).map((r) => r.json).join('\n') + '\n');

  const fast = await startFake(serve);
  const slow = await startFake(serve, { rateLimit: { requestsPerSecond: 5 } });
  const env = { OPENAI_API_KEY: 'bench', ANTHROPIC_API_KEY: 'bench', OPENAI_BASE_URL: `${fast.url}/v1`, ANTHROPIC_BASE_URL: slow.url, FRUGAL_HOME: join(ctx.tmp, 'home-two') };
  const args = (file) => ['run', '--routes', routes, file, '-c', '16', '--retries', '20', '--quiet'];
  const alone = [];
  const together = [];
  for (let round = 0; round < 3; round++) {
    const a = await timedLines(ctx.bin, args(fastOnly), env);
    alone.push(a.lines.at(-1).at);
    const t = await timedLines(ctx.bin, args(mixed), env);
    const fastDone = t.lines.filter((l) => l.record.route === 'fast');
    const slowDone = t.lines.filter((l) => l.record.route === 'slow');
    together.push({ fastMs: fastDone.at(-1).at, slowMs: slowDone.at(-1).at, fast: fastDone.length, slow: slowDone.length, failed: t.lines.filter((l) => l.record.error).length });
  }
  await fast.stop();
  await slow.stop();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const aloneMs = median(alone);
  const fastMs = median(together.map((t) => t.fastMs));
  const slowMs = median(together.map((t) => t.slowMs));
  console.log(`${fmt(FAST)} prompts to a fast provider, ${SLOW} to one limited to 5 requests/s, concurrency 16 (median of 3, interleaved):`);
  console.log(`  fast prompts alone:                 last one done at ${fmt(aloneMs)} ms`);
  console.log(`  fast prompts beside the slow ones:  last one done at ${fmt(fastMs)} ms  (ratio ${(aloneMs / fastMs).toFixed(2)} of their own speed)`);
  console.log(`  slow prompts:                       last one done at ${fmt(slowMs)} ms  (${SLOW} at 5/s is ${fmt((SLOW / 5) * 1000)} ms at best)`);
  const last = together.at(-1);
  if (last.fast !== FAST || last.slow !== SLOW || last.failed > 0) {
    console.log(`  WRONG: ${last.fast} fast and ${last.slow} slow records, ${last.failed} failed`);
    process.exitCode = 1;
  }
}
