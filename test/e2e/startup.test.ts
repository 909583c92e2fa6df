// The built binary's start-up machinery, in real processes (it only runs in one): V8's code cache
// for the bundle (bin/code-cache.js), which no state of its files may break, and RE2, which a
// one-shot loads only when a policy regex has to run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, BIN, spawnCli } from '../helpers/cli.js';
import { ROOT } from '../support.js';
import { requireBuild, tempDir } from './cli.js';

const { checksum, HEADER } = createRequire(import.meta.url)('../../bin/code-cache.js') as { checksum: (b: Buffer) => number; HEADER: number };
const QUESTION = 'What is the capital of Australia?\n';
const tmp = tempDir();
beforeAll(requireBuild);
afterAll(tmp.remove);

/** The code cache folder under a cache home, and its files. */
function codeFiles(cacheHome: string): string[] {
  const base = join(cacheHome, 'frugal', 'code');
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((dir) => readdirSync(join(base, dir)).map((f) => join(base, dir, f)));
}

const oneShot = (cacheHome: string, stdin = QUESTION) => spawnCli(['run', '--dry-run', '-q'], { stdin, env: { XDG_CACHE_HOME: cacheHome }, cwd: tmp.path });

describe.concurrent('the code cache (bin/code-cache.js)', () => {
  it('a first run writes it for the hashed chunks it loaded; the next run gives the same answer from it', async () => {
    const home = join(tmp.path, 'fresh');
    const first = await oneShot(home);
    const files = codeFiles(home);
    expect(files.map((f) => f.split('/').pop())).toContainEqual(expect.stringMatching(/^warm-[\w-]{8}\.v\d+\.\d+\.\d+-\w+\.bin$/));
    const second = await oneShot(home);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(second).toEqual(first);
    // Read, not written again: the files are the same.
    expect(codeFiles(home).map((f) => readFileSync(f))).toEqual(files.map((f) => readFileSync(f)));
  });

  it('a file spoilt in any way (a flipped bit, cut short, garbage, empty, made for another source or an older one) changes nothing, and is written again', async () => {
    const spoilers: [string, (b: Buffer) => Buffer][] = [
      ['a flipped bit in the compiled code', (b) => Buffer.from(b.map((x, i) => (i === b.length >> 1 ? x ^ 0x10 : x)))],
      ['cut short', (b) => b.subarray(0, b.length >> 1)],
      ['garbage', (b) => Buffer.alloc(b.length, 0x5a)],
      ['empty', () => Buffer.alloc(0)],
      ['made for a source of another length', (b) => Buffer.from(b.map((x, i) => (i === 4 ? x ^ 1 : x)))],
      ['made for the source as it was before it changed', (b) => Buffer.from(b.map((x, i) => (i === 16 ? x ^ 1 : x)))],
    ];
    const home = join(tmp.path, 'spoilt');
    await oneShot(home);
    // Only what a warm run loads (a cold one also loads the validation's chunks).
    for (const f of codeFiles(home)) rmSync(f);
    const clean = await oneShot(home);
    expect([clean.code, clean.stderr]).toEqual([0, '']);
    for (const [what, spoil] of spoilers) {
      const spoilt = new Map<string, Buffer>();
      for (const f of codeFiles(home)) {
        spoilt.set(f, spoil(readFileSync(f)));
        writeFileSync(f, spoilt.get(f)!);
      }
      expect(await oneShot(home), what).toEqual(clean);
      for (const [f, bad] of spoilt) {
        const now = readFileSync(f);
        expect(now.equals(bad), `${what}: ${f}`).toBe(false);
        expect(checksum(now.subarray(HEADER)), `${what}: ${f}`).toBe(now.readUInt32LE(12));
      }
    }
  }, 60_000);

  it('a cache folder that cannot be written only costs time', async () => {
    const home = join(tmp.path, 'not-a-folder');
    writeFileSync(home, 'a file where the cache home would be');
    const r = await oneShot(home);
    expect([r.code, r.stderr, JSON.parse(r.stdout).route]).toEqual([0, '', 'quick']);
  });

  it('files of chunks no longer in dist/ go when the cache is written', async () => {
    const home = join(tmp.path, 'prune');
    await oneShot(home);
    const [file] = codeFiles(home);
    const stale = join(file!, '..', 'warm-OLDBUILD.v20.0.0-x64.bin');
    writeFileSync(stale, 'compiled for a bundle that is gone');
    // A cold policy cache loads chunks the warm run did not; writing them prunes.
    const r = await spawnCli(['validate'], { env: { XDG_CACHE_HOME: home }, cwd: tmp.path });
    expect(r.code).toBe(0);
    expect(existsSync(stale)).toBe(false);
  });
});

describe('RE2 in a one-shot', () => {
  /** The modules a warm one-shot loaded, by path (CommonJS, from require.cache at exit). */
  function loaded(stdin: string): { out: string; files: string[] } {
    const trace = pathToFileURL(join(ROOT, 'bench', 'lib', 'trace-imports.js')).href;
    const list = join(tmp.path, `loaded-${Math.random().toString(36).slice(2)}.txt`);
    const env = baseEnv({ XDG_CACHE_HOME: join(tmp.path, 're2-cache') });
    expect(spawnSync(process.execPath, [BIN, 'run', '--dry-run', '-q'], { input: QUESTION, env }).status).toBe(0);
    const r = spawnSync(process.execPath, [BIN, 'run', '--dry-run', '-q'], { input: stdin, env: { ...env, NODE_OPTIONS: `--import=${trace}`, FRUGAL_TRACE_IMPORTS: list }, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    return { out: r.stdout, files: readFileSync(list, 'utf8').split('\n') };
  }

  it('is not loaded when the prompt lacks the literals every match of the policy regex needs', () => {
    const { out, files } = loaded(QUESTION);
    expect(JSON.parse(out)).toMatchObject({ class: 'tiny' });
    expect(files.some((f) => f.includes('/node_modules/re2js/'))).toBe(false);
  });

  it('is loaded, and decides, when they are there', () => {
    const { out, files } = loaded('why does my function leak memory?\n');
    expect(JSON.parse(out)).toMatchObject({ class: 'code', reason: 'code: regex ```|\\bdef |\\bfunction\\b|stack ?trace matched "function"' });
    expect(files.some((f) => f.includes('/node_modules/re2js/'))).toBe(true);
    // "functions" has the literal but no match (\b): RE2 says no.
    expect(JSON.parse(loaded('list the functions of a liver\n').out)).toMatchObject({ class: 'tiny' });
  });
});

describe('the price catalogue in a first run', () => {
  it("is not loaded when the policy's models are in the catalogue's index built with frugal; a dated id the index lacks loads it", () => {
    const trace = pathToFileURL(join(ROOT, 'bench', 'lib', 'trace-imports.js')).href;
    const files = (policy: string, name: string) => {
      const routes = join(tmp.path, `${name}.yaml`);
      writeFileSync(routes, policy);
      const list = join(tmp.path, `${name}-loaded.txt`);
      // A first run: no policy cache, no price cache, no code cache.
      const env = baseEnv({ XDG_CACHE_HOME: join(tmp.path, `${name}-cache`), NODE_OPTIONS: `--import=${trace}`, FRUGAL_TRACE_IMPORTS: list });
      const r = spawnSync(process.execPath, [BIN, 'run', '--dry-run', '-q', '--routes', routes], { input: QUESTION, env, encoding: 'utf8' });
      expect([r.status, r.stderr]).toEqual([0, '']);
      return { record: JSON.parse(r.stdout) as { cost_usd: number }, files: readFileSync(list, 'utf8').split('\n') };
    };
    const indexed = files('default: m\nmodels:\n  m: { provider: anthropic, model: claude-haiku-4-5 }\n', 'indexed');
    expect(indexed.files.some((f) => f.includes('/node_modules/@pydantic/genai-prices/'))).toBe(false);
    const dated = files('default: m\nmodels:\n  m: { provider: anthropic, model: claude-haiku-4-5-20251001 }\n', 'dated');
    expect(dated.files.some((f) => f.includes('/node_modules/@pydantic/genai-prices/'))).toBe(true);
    // The same prices either way: the index is the catalogue's own answer.
    expect(indexed.record.cost_usd).toBe(dated.record.cost_usd);
    expect(indexed.record.cost_usd).toBeGreaterThan(0);
  });
});
