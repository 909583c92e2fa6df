// One-shot start-up: `echo "..." | frugal run --dry-run` against bare `node -e 0`, and which
// modules that one-shot loads (Ink, React, the provider SDKs and the tokenizer must not load).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, wallOf } from '../lib/measure.js';

export const name = 'startup';
export const title = 'One-shot start-up';

const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
const SHORT = 'What is the capital of Australia?';
const LONG =
  'Our team is moving a ten-year-old monolith to a handful of services and we keep arguing about where to draw the lines. ' +
  'The billing code touches almost every table, the reporting jobs read straight from the production database at night, ' +
  'and two teams deploy the same binary on different schedules. We have about forty engineers, a single Postgres cluster, ' +
  'and customers in healthcare who need audit trails for every change. Summarize the main options for splitting it, ' +
  'what each costs us in the first year, and which parts you would leave alone until later. Be concrete about the order ' +
  'of the work, how we keep releasing every week while it happens, and how we would know after six months whether it is paying off.';
const MUST_NOT_LOAD = ['ink', 'react', 'openai', '@anthropic-ai/sdk', 'gpt-tokenizer'];
const DEPENDENCIES = ['commander', 'yaml', 'zod', '@pydantic/genai-prices', 'cli-table3'];
const trace = fileURLToPath(new URL('../lib/trace-imports.js', import.meta.url));

function packageOf(entry) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(entry);
  return m ? m[1] : entry.startsWith('node:') ? 'node:' : 'frugal';
}

export async function run(ctx) {
  const node = process.execPath;
  const oneShot = [ctx.bin, 'run', '--dry-run', '--quiet'];
  const times = { bare: [], short: [], long: [], cold: [] };
  wallOf(node, oneShot, `${SHORT}\n`); // warm the file cache and frugal's policy cache
  for (let i = 0; i < runs; i++) {
    times.bare.push(wallOf(node, ['-e', '0']));
    times.short.push(wallOf(node, oneShot, `${SHORT}\n`));
    times.long.push(wallOf(node, oneShot, `${LONG}\n`));
    // A first run, or a changed routes.yaml: the policy cache misses and YAML, zod and the catalogue load.
    times.cold.push(wallOf(node, oneShot, `${SHORT}\n`, { ...process.env, XDG_CACHE_HOME: mkdtempSync(join(ctx.tmp, 'cache-')) }));
  }
  const bare = median(times.bare);
  console.log(`median of ${runs} runs each, interleaved in one loop:`);
  console.log(`  ${bare.toFixed(1).padStart(6)} ms             node -e 0`);
  for (const [label, key] of [
    [`echo "${SHORT}" | node bin/frugal.js run --dry-run --quiet`, 'short'],
    [`the same with a ${LONG.split(' ').length}-word prompt`, 'long'],
    ['the short one with an empty policy cache (first run, or routes.yaml changed)', 'cold'],
  ]) {
    const m = median(times[key]);
    console.log(`  ${m.toFixed(1).padStart(6)} ms = ${(m / bare).toFixed(2)} x  ${label}`);
  }

  // What the one-shot loads: ES modules seen by a loader hook, CommonJS ones from require.cache.
  const out = join(ctx.tmp, 'imports.txt');
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(trace).href}`, FRUGAL_TRACE_IMPORTS: out };
  const r = spawnSync(node, oneShot, { input: `${SHORT}\n`, env, stdio: ['pipe', 'ignore', 'pipe'] });
  let loaded = [];
  try {
    loaded = [...new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean))];
  } catch {
    // no trace written: reported below
  }
  rmSync(out, { force: true });
  if (r.status !== 0 || !loaded.some((l) => l.endsWith('/dist/cli.js'))) {
    console.log(`  module trace failed (exit ${r.status}): ${r.stderr}`);
    process.exitCode = 1;
    return;
  }
  const counts = new Map();
  for (const entry of loaded) counts.set(packageOf(entry), (counts.get(packageOf(entry)) ?? 0) + 1);
  const list = [...counts].filter(([p]) => p !== 'node:').sort((a, b) => b[1] - a[1]);
  console.log(`modules loaded by the one-shot: ${loaded.length - (counts.get('node:') ?? 0)} files (${list.map(([p, n]) => `${p} ${n}`).join(', ')})`);
  for (const pkg of MUST_NOT_LOAD) {
    const hit = counts.has(pkg);
    console.log(`  ${pkg.padEnd(18)} ${hit ? 'LOADED (must not be)' : 'not loaded'}`);
    if (hit) process.exitCode = 1;
  }

  // Where the rest of the start-up goes: each dependency imported alone in a fresh process.
  const costs = DEPENDENCIES.map((dep) => {
    const ms = [];
    for (let i = 0; i < 5; i++) {
      const p = spawnSync(node, ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(dep)}); process.stdout.write(String(performance.now() - t));`], { cwd: ctx.root, encoding: 'utf8' });
      ms.push(Number(p.stdout));
    }
    return `${dep} ${median(ms).toFixed(1)} ms${counts.has(dep) ? '' : ' (not loaded by the one-shot)'}`;
  });
  console.log(`import cost of each dependency alone (median of 5): ${costs.join(', ')}`);
}
