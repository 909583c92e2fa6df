// similar_to classes: classification throughput (builtin and a remote embedder) and the accuracy of
// the labelled set in test/fixtures/similar before and after `frugal test --fit`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { internals } from '../lib/internals.js';

export const name = 'similar';
export const title = 'similar_to: throughput and --fit accuracy';

const lines = Number(process.env.BENCH_SIMILAR_LINES ?? 100_000);

export async function run(ctx) {
  const fixture = join(ctx.root, 'test', 'fixtures', 'similar');
  for (const f of ['routes.yaml', 'account.txt', 'train.jsonl', 'heldout.jsonl']) copyFileSync(join(fixture, f), join(ctx.tmp, f));
  const routes = join(ctx.tmp, 'routes.yaml');

  // Throughput: the CLI's dry run over generated prompts, with the four similar_to classes.
  const input = await ctx.prompts(lines);
  const r = await ctx.measure(process.execPath, [ctx.bin, 'run', '--dry-run', '--routes', routes, input.file]);
  const ok = r.code === 0 && r.stdoutLines === lines;
  console.log(`builtin: frugal run --dry-run --routes routes.yaml (4 similar_to classes, 26 examples) over ${lines.toLocaleString('en-US')} prompts: wall ${(r.wallMs / 1000).toFixed(2)} s, ${Math.round(lines / (r.wallMs / 1000)).toLocaleString('en-US')} prompts/s ${ok ? '[ok]' : '[WRONG]'}`);
  if (!ok) process.exitCode = 1;

  // The same features step over a remote embedder, in process: a stand-in provider that answers
  // at once with deterministic 256-dimension vectors (the fake server's embeddings endpoint is not
  // on this branch), so the figure is frugal's own cost: batching, vectors, nearest examples.
  const { module } = await internals(ctx.root, {
    parsePolicy: 'src/core/policy/parse.ts',
    computeFeatures: 'src/core/routing/features.ts',
    classify: 'src/core/routing/classify.ts',
    estimateCounter: 'src/core/routing/tokens.ts',
    remoteEmbedder: 'src/executors/embed.ts',
  });
  const { parsePolicy, computeFeatures, classify, estimateCounter, remoteEmbedder } = module;
  const readFile = (f) => readFileSync(join(ctx.tmp, f), 'utf8');
  const text = readFileSync(routes, 'utf8');
  const remotePolicy = parsePolicy(text.replace('embedder: builtin', 'embedder: embed').replace('models:', 'models:\n  embed: { provider: openai, model: text-embedding-3-small, price: { input: 0.02, output: 0 } }'), 'routes.yaml', { now: new Date(), readFile });
  const dims = 256;
  let requests = 0;
  const provider = {
    generate: () => Promise.reject(new Error('unused')),
    embed: async (req) => {
      requests++;
      const vectors = req.inputs.map((t) => {
        const v = new Array(dims).fill(0);
        for (const w of t.toLowerCase().split(/\W+/)) if (w) v[[...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % dims, 7)] += 1;
        return v;
      });
      return { vectors, usage: { input: req.inputs.length * 20, output: 0, cacheRead: 0, cacheWrite: 0 } };
    },
  };
  const embedder = remoteEmbedder({ model: remotePolicy.models.get('embed'), provider: async () => provider, count: (t) => estimateCounter.count(t), clock: () => performance.now(), sleep: async () => {}, random: Math.random });
  const prompts = readFileSync(input.file, 'utf8').split('\n').filter(Boolean).map((l, i) => ({ id: String(i), messages: [{ role: 'user', content: JSON.parse(l).prompt ?? '' }], fields: {}, source: { file: 'x' } }));
  const started = performance.now();
  let calls = 0;
  for (let i = 0; i < prompts.length; i += 2048) {
    const batch = prompts.slice(i, i + 2048);
    const f = await computeFeatures(remotePolicy, batch, embedder, undefined);
    calls += f.calls.length;
    batch.forEach((p, j) => classify(remotePolicy, p, estimateCounter, f.features[j]));
  }
  const s = (performance.now() - started) / 1000;
  console.log(`remote (in-process stand-in provider, 256-dim vectors, no cache): ${prompts.length.toLocaleString('en-US')} prompts classified in ${s.toFixed(2)} s, ${Math.round(prompts.length / s).toLocaleString('en-US')} prompts/s, ${calls} embedding calls (${requests} requests)`);

  // Accuracy before and after --fit: fitted on train.jsonl, checked on heldout.jsonl.
  const accuracy = async (file) => {
    const r = spawnSync(process.execPath, [ctx.bin, 'test', '--json', '--routes', file], { encoding: 'utf8' });
    const j = JSON.parse(r.stdout);
    return `${j.passed}/${j.passed + j.failed} (${((100 * j.passed) / (j.passed + j.failed)).toFixed(1)}%)`;
  };
  const heldout = join(ctx.tmp, 'heldout.yaml');
  const writeHeldout = () => writeFileSync(heldout, readFileSync(routes, 'utf8').replace('tests_file: train.jsonl', 'tests_file: heldout.jsonl'));
  writeHeldout();
  const before = [await accuracy(routes), await accuracy(heldout)];
  const fit = spawnSync(process.execPath, [ctx.bin, 'test', '--fit', '--write', '--routes', routes], { encoding: 'utf8' });
  writeHeldout();
  const after = [await accuracy(routes), await accuracy(heldout)];
  console.log(`labelled set (test/fixtures/similar: 4 topics + none; train 50, held out 25), embedder builtin, all thresholds 0.5 to start:`);
  console.log(`  before --fit: train ${before[0]}, held out ${before[1]}`);
  console.log(`  after --fit:  train ${after[0]}, held out ${after[1]}`);
  console.log(fit.stdout.split('\n').filter((l) => l.includes('->')).map((l) => `  ${l.trim()}`).join('\n'));
}
