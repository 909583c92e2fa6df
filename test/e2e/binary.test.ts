// The built, bundled binary as users run it: the process is what is under test here (its exit
// codes, a reader that goes away, what a one-shot loads, and that the bundle finds package.json,
// the shipped routes.yaml and the price catalogue from dist/). Everything else runs in process.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, BIN, spawnCli } from '../helpers/cli.js';
import { ROOT } from '../support.js';
import { requireBuild, tempDir } from './cli.js';

const QUESTION = 'What is the capital of Australia?\n';
let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  requireBuild();
  tmp = tempDir();
});
afterAll(() => tmp.remove());

describe.concurrent('bin/frugal.js (the bundle)', () => {
  it('a piped one-shot dry run, with the policy cache cold and then warm: the same answer, exit 0', async () => {
    const env = { XDG_CACHE_HOME: join(tmp.path, 'cache') };
    const cold = await spawnCli(['run', '--dry-run', '-q'], { stdin: QUESTION, env, cwd: tmp.path });
    const warm = await spawnCli(['run', '--dry-run', '-q'], { stdin: QUESTION, env, cwd: tmp.path });
    expect([cold.code, cold.stderr]).toEqual([0, '']);
    expect(JSON.parse(cold.stdout)).toMatchObject({ id: 'stdin', class: 'tiny', route: 'quick', baseline_cost_usd: 0.005148, source: '<stdin>' });
    expect(warm).toEqual(cold);
  });

  it('--version reads package.json from the bundle; validate finds the shipped routes.yaml and the catalogue', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await spawnCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    const r = await spawnCli(['validate'], { cwd: tmp.path, env: { HOME: tmp.path } });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[0]).toBe(`${join(ROOT, 'routes.yaml')}: ok (shipped example)`);
    expect(r.stdout).toMatch(/catalogue anthropic\/claude-opus-5-5/);
  });

  it('exit codes: 2 for a user mistake (one line and a hint, no stack), 2 for a usage error, 1 for bad input', async () => {
    const missing = await spawnCli(['run', '--dry-run', '--routes', 'nope.yaml', '-p', 'hi'], { cwd: tmp.path });
    expect(missing).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: 'frugal: nope.yaml: no such policy file\n  hint: check the path given to --routes, or run `frugal init` to write a starter routes.yaml\n',
    });
    const usage = await spawnCli(['run', '--bogus']);
    expect([usage.code, usage.stderr.split('\n')[0]]).toEqual([2, "frugal: unknown option '--bogus'"]);
    const empty = await spawnCli(['run', '--dry-run', '-q'], { stdin: '' });
    expect([empty.code, empty.stdout, empty.stderr]).toEqual([1, '', 'frugal: <stdin>: no prompt: standard input is empty\n']);
  });

  it('stops quietly with exit 0 when the reader of stdout goes away (`frugal run ... | head -1`)', async () => {
    const input = join(tmp.path, 'many.jsonl');
    writeFileSync(input, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `Question number ${i}` })).join('\n'));
    const child = spawn(process.execPath, [BIN, 'run', '--dry-run', '-q', input], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect([code, stderr]).toEqual([0, '']);
  });

  it('stdin as a shell pipe, a pipe that runs dry before its end, and a file: every byte read; pipes and files in and out without node:net', () => {
    const records = Array.from({ length: 3 }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `Question number ${i} about ${'words '.repeat(40 * i)}` }));
    const file = join(tmp.path, 'three.jsonl');
    writeFileSync(file, `${records.join('\n')}\n`);
    // Which of Node's own modules the process loaded, written when it exits.
    const builtins = join(tmp.path, 'builtins.txt');
    const preload = join(tmp.path, 'builtins.cjs');
    writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(builtins)}, process.moduleLoadList.join('\\n')));`);
    const env = { ...baseEnv({ XDG_CACHE_HOME: join(tmp.path, 'pipe-cache') }), NODE_OPTIONS: `--require=${preload}`, FRUGAL_BIN: BIN, FRUGAL_FILE: file };
    // Standard output to a file, as a socket would load node:net for itself.
    const out = join(tmp.path, 'pipe-out.jsonl');
    const sh = (script: string) => {
      const r = spawnSync('sh', ['-c', `${script} > "${out}"`], { env, encoding: 'utf8' });
      return { ...r, stdout: readFileSync(out, 'utf8') };
    };
    const expected = spawnSync(process.execPath, [BIN, 'run', '--dry-run', '-q', file], { env, encoding: 'utf8' });
    expect([expected.status, expected.stderr]).toEqual([0, '']);
    const sources = (out: string) => out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string; input_tokens: number }));
    const want = sources(expected.stdout).map(({ id, input_tokens }) => ({ id, input_tokens }));
    expect(want).toHaveLength(3);
    const filled = sh(`cat "$FRUGAL_FILE" | "${process.execPath}" "$FRUGAL_BIN" run --dry-run -q`);
    expect([filled.status, filled.stderr]).toEqual([0, '']);
    expect(sources(filled.stdout).map(({ id, input_tokens }) => ({ id, input_tokens }))).toEqual(want);
    expect(readFileSync(builtins, 'utf8')).not.toMatch(/NativeModule net\b/);
    // The writer pauses in the middle of a record: the rest comes through process.stdin.
    const [head, tail] = [records.join('\n').slice(0, 60), `${records.join('\n').slice(60)}\n`];
    writeFileSync(join(tmp.path, 'head.txt'), head);
    writeFileSync(join(tmp.path, 'tail.txt'), tail);
    const dry = sh(`(cat "${join(tmp.path, 'head.txt')}"; sleep 0.3; cat "${join(tmp.path, 'tail.txt')}") | "${process.execPath}" "$FRUGAL_BIN" run --dry-run -q`);
    expect([dry.status, dry.stderr]).toEqual([0, '']);
    expect(sources(dry.stdout).map(({ id, input_tokens }) => ({ id, input_tokens }))).toEqual(want);
    const redirected = sh(`"${process.execPath}" "$FRUGAL_BIN" run --dry-run -q < "$FRUGAL_FILE"`);
    expect([redirected.status, redirected.stderr]).toEqual([0, '']);
    expect(sources(redirected.stdout).map(({ id, input_tokens }) => ({ id, input_tokens }))).toEqual(want);
    expect(readFileSync(builtins, 'utf8')).not.toMatch(/NativeModule net\b/);
    // Standard output and error pipes too (`answer=$(frugal run ...)`): written to their descriptors.
    const allPipes = sh(`cat "$FRUGAL_FILE" | "${process.execPath}" "$FRUGAL_BIN" run --dry-run 2>&1 | cat`);
    expect(allPipes.status).toBe(0);
    const [lines, table] = [allPipes.stdout.split('\n').filter((l) => l.startsWith('{')).join('\n'), allPipes.stdout.split('\n').filter((l) => !l.startsWith('{')).join('\n')];
    expect(sources(lines).map(({ id, input_tokens }) => ({ id, input_tokens }))).toEqual(want);
    expect(table).toContain('prompts: 3  routed: 3  failed: 0');
    expect(readFileSync(builtins, 'utf8')).not.toMatch(/NativeModule net\b/);
  });

  it('a --quiet one-shot loads no heavy package: not the SDKs, Ink, React, SQLite, the tokenizer, the catalogue, YAML, zod or cli-table3', () => {
    const out = join(tmp.path, 'imports.txt');
    const trace = pathToFileURL(join(ROOT, 'bench', 'lib', 'trace-imports.js')).href;
    const env = { ...baseEnv({ XDG_CACHE_HOME: join(tmp.path, 'trace-cache') }), NODE_OPTIONS: `--import=${trace}`, FRUGAL_TRACE_IMPORTS: out };
    // A first run fills the policy cache (and loads YAML, zod and the catalogue to do it); the traced one is warm.
    expect(spawnSync(process.execPath, [BIN, 'run', '--dry-run', '-q'], { input: QUESTION, env: { ...env, NODE_OPTIONS: '' } }).status).toBe(0);
    const r = spawnSync(process.execPath, [BIN, 'run', '--dry-run', '-q'], { input: QUESTION, env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const chunks = JSON.parse(readFileSync(join(ROOT, 'dist', 'chunks.json'), 'utf8')) as Record<string, string[]>;
    const loaded = new Set<string>();
    for (const url of readFileSync(out, 'utf8').split('\n').filter(Boolean)) {
      const chunk = /\/dist\/([^/]+\.js)$/.exec(url)?.[1];
      for (const pkg of chunk ? (chunks[chunk] ?? ['?']) : [/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? 'other']) loaded.add(pkg);
    }
    for (const heavy of ['openai', '@anthropic-ai/sdk', 'ink', 'react', 'better-sqlite3', 'gpt-tokenizer', '@pydantic/genai-prices', 'yaml', 'zod', 'cli-table3']) {
      expect(loaded.has(heavy), heavy).toBe(false);
    }
    expect(loaded.has('commander')).toBe(true);
  });
});
