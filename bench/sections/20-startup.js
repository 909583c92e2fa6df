// One-shot start-up: `echo "..." | frugal run --dry-run` against bare `node -e 0`, warm, on a first
// run (no policy cache, no user code cache: with the code cache the build ships in dist/code/, as a
// user has it after `npm ci`, and without it, in a copy of the package) and after an edit of
// routes.yaml (the policy cache misses, the code cache of bin/code-cache.js does not); which files
// that one-shot loads (no heavy package may load); and a live one-shot against a bare one-call SDK
// script.
//
// The one-shots get their prompt as a shell pipe gives it: stdin a pipe that holds it (a named pipe
// filled before the spawn). One line also gives it the way a Node parent does (spawnSync's input:
// a socket, read through process.stdin, which frugal cannot read without node:net).
import { spawnSync } from 'node:child_process';
import { closeSync, constants, copyFileSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, wallOf } from '../lib/measure.js';
import { fakeSetup, startFake } from '../lib/fake-server.js';

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
const MUST_NOT_LOAD = ['ink', 'react', 'openai', '@anthropic-ai/sdk', 'gpt-tokenizer', 'better-sqlite3', '@pydantic/genai-prices', 'yaml', 'zod', 'cli-table3', 'ajv', 're2js'];
const DEPENDENCIES = ['@pydantic/genai-prices', 'gpt-tokenizer'];
const trace = fileURLToPath(new URL('../lib/trace-imports.js', import.meta.url));

function packageOf(entry) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(entry);
  return m ? m[1] : entry.startsWith('node:') ? 'node:' : 'frugal';
}

/** A copy of the package without the code cache the build ships (dist/code/); returns its launcher. */
function withoutShippedCache(ctx) {
  const dir = join(ctx.tmp, 'unshipped');
  mkdirSync(dir);
  cpSync(join(ctx.root, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ctx.root, 'dist'), join(dir, 'dist'), { recursive: true, filter: (src) => src !== join(ctx.root, 'dist', 'code') });
  for (const f of ['package.json', 'routes.yaml']) copyFileSync(join(ctx.root, f), join(dir, f));
  symlinkSync(join(ctx.root, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin', 'frugal.js');
}

/** The median of the per-pair ratios: each frugal run over the `node -e 0` run just before it. */
const ratioOf = (pairs) => median(pairs.map(([bare, run]) => run / bare));

export async function run(ctx) {
  const node = process.execPath;
  const oneShot = [ctx.bin, 'run', '--dry-run', '--quiet'];
  const withoutQuiet = [ctx.bin, 'run', '--dry-run'];
  // stdin a pipe that holds the prompt, as `echo "..." |` leaves it by the time node reads it: a
  // named pipe filled just before the spawn (no shell in between, which would add its own start).
  const fifo = join(ctx.tmp, 'stdin.fifo');
  if (spawnSync('mkfifo', [fifo]).status !== 0) throw new Error('bench: mkfifo failed');
  const piped = (args, prompt, env = process.env) => {
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const writer = openSync(fifo, constants.O_WRONLY);
      writeSync(writer, `${prompt}\n`);
      closeSync(writer);
      return wallOf(node, args, reader, env);
    } finally {
      closeSync(reader);
    }
  };
  const cold = () => ({ ...process.env, XDG_CACHE_HOME: mkdtempSync(join(ctx.tmp, 'cache-')) });
  // routes.yaml just edited: the shipped policy with a new comment each time, in a cache home kept warm.
  const shipped = readFileSync(join(ctx.root, 'routes.yaml'), 'utf8');
  const edited = { ...process.env, XDG_CACHE_HOME: mkdtempSync(join(ctx.tmp, 'cache-edited-')) };
  let edits = 0;
  const editedArgs = () => {
    const file = join(ctx.tmp, `routes-edited-${++edits}.yaml`);
    writeFileSync(file, `${shipped}# edit ${edits}\n`);
    return [...oneShot, '--routes', file];
  };
  piped(editedArgs(), SHORT, edited);
  const unshipped = [withoutShippedCache(ctx), ...oneShot.slice(1)];
  piped(unshipped, SHORT, cold());
  const cases = [
    [`echo "${SHORT}" | node bin/frugal.js run --dry-run --quiet`, () => piped(oneShot, SHORT)],
    [`the same with a ${LONG.split(' ').length}-word prompt`, () => piped(oneShot, LONG)],
    ['the short one without --quiet (stderr not a terminal: quiet all the same)', () => piped(withoutQuiet, SHORT)],
    ['the short one with --summary (its one line on stderr, as on a terminal)', () => piped([...withoutQuiet, '--summary'], SHORT)],
    ['two JSONL records without --quiet (the table on stderr)', () => piped(withoutQuiet, `{"prompt":${JSON.stringify(SHORT)}}\n{"prompt":"Who wrote Dune?"}`)],
    ["the short one from a Node parent (spawnSync's input: stdin a socket)", () => wallOf(node, oneShot, `${SHORT}\n`)],
    // A first run, or a changed routes.yaml: the policy cache misses and YAML, zod and the catalogue load.
    ['cold: the short one on a first run (empty policy cache and user code cache; dist/code/ as built)', () => piped(oneShot, SHORT, cold())],
    ['cold: the same without dist/code/ (no code cache at all)', () => piped(unshipped, SHORT, cold())],
    ['cold: the short one after routes.yaml changed (policy cache misses, code cache warm)', () => piped(editedArgs(), SHORT, edited)],
  ];
  piped(oneShot, SHORT); // warm the file cache and frugal's policy cache
  const pairs = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, [, measureOne]] of cases.entries()) pairs[j].push([wallOf(node, ['-e', '0']), measureOne()]);
  }
  const bare = median(pairs.flat().map(([b]) => b));
  console.log(`${runs} interleaved pairs (node -e 0, then the case) per case; ratio = median of the pairs' ratios:`);
  console.log(`  ${bare.toFixed(1).padStart(6)} ms             node -e 0 (median)`);
  for (const [j, [label]] of cases.entries()) {
    const ms = median(pairs[j].map(([, r]) => r));
    console.log(`  ${ms.toFixed(1).padStart(6)} ms = ${ratioOf(pairs[j]).toFixed(2)} x  ${label}`);
  }
  const at = (label) => pairs[cases.findIndex(([l]) => l.startsWith(label))];
  console.log(
    `  warm ratio ${ratioOf(pairs[0]).toFixed(2)} (target 1.3); cold ratio ${ratioOf(at('cold: the short one on a first run')).toFixed(2)} on a first run (${ratioOf(at('cold: the same without')).toFixed(2)} without dist/code/), ${ratioOf(at('cold: the short one after')).toFixed(2)} after an edit (target 2.5)`,
  );

  await liveOneShot(ctx);

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
  const add = (pkg) => counts.set(pkg, (counts.get(pkg) ?? 0) + 1);
  // A chunk of the bundle stands for the packages bundled into it (dist/chunks.json, written by the build).
  const chunks = JSON.parse(readFileSync(join(ctx.root, 'dist', 'chunks.json'), 'utf8'));
  for (const entry of loaded) {
    const chunk = /\/dist\/([^/]+\.js)$/.exec(entry)?.[1];
    if (chunk && chunks[chunk]) for (const pkg of chunks[chunk].length > 0 ? chunks[chunk] : ['frugal']) add(pkg);
    else add(packageOf(entry));
  }
  const list = [...counts].filter(([p]) => p !== 'node:').sort((a, b) => b[1] - a[1]);
  console.log(`files loaded by the --quiet one-shot: ${loaded.filter((l) => !l.startsWith('node:')).length} (${list.map(([p, n]) => `${p} ${n}`).join(', ')}; a bundled chunk counts once for each package in it)`);
  for (const pkg of MUST_NOT_LOAD) {
    const hit = counts.has(pkg);
    console.log(`  ${pkg.padEnd(18)} ${hit ? 'LOADED (must not be)' : 'not loaded'}`);
    if (hit) process.exitCode = 1;
  }

  // What the unbundled packages cost when a path needs them: each imported alone in a fresh process.
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

// A live one-shot: a piped prompt through frugal against one call of the same SDK in a bare script
// (bench/lib/bare-one.js), both against the loopback fake provider.
async function liveOneShot(ctx) {
  const { serve, routes } = fakeSetup(ctx, 'startup');
  const bareOne = join(ctx.root, 'bench', 'lib', 'bare-one.js');
  const q = `${SHORT}\n`;
  const oneArgs = [ctx.bin, 'run', '--routes', routes, '--no-ledger'];
  const fake = await startFake(serve);
  const env = { ...process.env, OPENAI_API_KEY: 'bench', FRUGAL_HOME: join(ctx.tmp, 'home'), OPENAI_BASE_URL: `${fake.url}/v1` };
  wallOf(process.execPath, oneArgs, q, env);
  const times = { node: [], bare: [], frugal: [] };
  for (let i = 0; i < runs; i++) {
    times.node.push(wallOf(process.execPath, ['-e', '0']));
    times.bare.push(wallOf(process.execPath, [bareOne, `${fake.url}/v1`], q, env));
    times.frugal.push(wallOf(process.execPath, oneArgs, q, env));
  }
  await fake.stop();
  const [nodeMs, bareMs, frugalMs] = [median(times.node), median(times.bare), median(times.frugal)];
  const overhead = median(times.frugal.map((f, i) => f - times.bare[i]));
  console.log(`live one-shot against the fake server (median of ${runs} interleaved runs): node -e 0 ${nodeMs.toFixed(1)} ms; bare one-call SDK script ${bareMs.toFixed(1)} ms; echo "..." | frugal run ${frugalMs.toFixed(1)} ms`);
  console.log(`  frugal over the bare script: ${overhead.toFixed(1)} ms (median of the runs' differences) = ${(overhead / nodeMs).toFixed(2)} x node -e 0; ratio ${(frugalMs / bareMs).toFixed(2)}`);
}
