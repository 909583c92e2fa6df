// Batch APIs against the fake provider (its OpenAI Files + Batches and Anthropic Message Batches):
// how long frugal takes to submit N prompts (split over three batches) and to collect them, and
// its peak RSS in each step. The provider "runs" every batch at the first status check, so the
// figures measure frugal (and the loopback HTTP), not a provider's queue.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFakeServer, startFake } from '../lib/fake-server.js';

export const name = 'batch';
export const title = 'Batch jobs against the fake provider';

const N = Number(process.env.BENCH_BATCH_PROMPTS ?? 100_000);
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export async function run(ctx) {
  const fakeDir = join(ctx.tmp, 'fake-batch');
  mkdirSync(fakeDir, { recursive: true });
  buildFakeServer(ctx.root, fakeDir);
  const serve = join(fakeDir, 'serve-batch.js');
  writeFileSync(
    serve,
    `import { startFakeServer } from './server.js';
const server = await startFakeServer();
server.setDefaults({ text: 'ok, here is a short answer', usage: { input: 120, output: 12 } });
process.stdout.write(server.url + '\\n');
process.on('SIGTERM', async () => {
  const s = server.batches.stats();
  process.stderr.write(JSON.stringify({ batches: s.batches, submittedLines: s.submittedLines, billedLines: s.billedLines, statusChecks: s.statusChecks, downloads: s.downloads }) + '\\n');
  await server.close();
  process.exit(0);
});
`,
  );
  const routes = join(ctx.tmp, 'batch-routes.yaml');
  writeFileSync(
    routes,
    [
      'baseline: flagship',
      'default: mini',
      'models:',
      '  flagship: { provider: anthropic, model: claude-opus-4-5 }',
      '  mini: { provider: openai, model: gpt-5.4-mini }',
      '  haiku: { provider: anthropic, model: claude-haiku-4-5 }',
      'classes:',
      '  - { name: lookup, when: { keywords: [define, what, who] }, route: haiku }',
      '',
    ].join('\n'),
  );
  const { file } = await ctx.prompts(N);
  const out = join(ctx.tmp, 'batch-out.jsonl');
  const fake = await startFake(serve);
  const env = {
    OPENAI_API_KEY: 'bench',
    ANTHROPIC_API_KEY: 'bench',
    OPENAI_BASE_URL: `${fake.url}/v1`,
    ANTHROPIC_BASE_URL: fake.url,
    FRUGAL_HOME: join(ctx.tmp, 'batch-home'),
    FRUGAL_BATCH_POLL_MS: '100',
  };
  const submit = await ctx.measure(process.execPath, [ctx.bin, 'run', '--routes', routes, '--batch', file, '-o', out, '--no-wait', '-q'], { env });
  const job = /job-[a-z0-9-]+/.exec(submit.stderr)?.[0];
  if (submit.code !== 0 || !job) {
    console.log(`  WRONG: submitting failed (exit ${submit.code}): ${submit.stderr.slice(-500)}`);
    process.exitCode = 1;
    await fake.stop();
    return;
  }
  const collect = await ctx.measure(process.execPath, [ctx.bin, 'batch', 'collect', job, '-q'], { env });
  const stats = await fake.stop();
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  const ids = new Set(lines.map((l) => JSON.parse(l).id));
  console.log(`${fmt(N)} prompts in ${stats?.batches ?? '?'} batches (OpenAI: 50,000 per file; Anthropic: 100,000 per batch), ledger on:`);
  const cpu = (r) => (r.userS === undefined ? '' : `, ${fmt(r.userS + r.sysS, 1)} s of CPU`);
  console.log(`  submit  (run --batch --no-wait): ${fmt(submit.wallMs)} ms${cpu(submit)}, peak RSS ${fmt(submit.maxRssKb / 1024, 1)} MB`);
  console.log(`  collect (batch collect):         ${fmt(collect.wallMs)} ms${cpu(collect)}, peak RSS ${fmt(collect.maxRssKb / 1024, 1)} MB`);
  console.log(`  server: ${fmt(stats?.submittedLines ?? 0)} lines submitted, ${fmt(stats?.billedLines ?? 0)} billed, ${fmt(stats?.statusChecks ?? 0)} status checks, ${fmt(stats?.downloads ?? 0)} downloads`);
  if (lines.length !== N || ids.size !== N || stats?.submittedLines !== N) {
    console.log(`  WRONG: ${lines.length} records, ${ids.size} distinct ids, ${stats?.submittedLines} lines submitted for ${N} prompts`);
    process.exitCode = 1;
  }
}
