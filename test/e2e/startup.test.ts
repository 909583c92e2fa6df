// The built binary's start-up machinery, in real processes (it only runs in one): V8's code cache
// for the bundle (bin/code-cache.js), the user's and the one the build ships in dist/code/, which no
// state of their files may break, and RE2, which a one-shot loads only when a policy regex has to run.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, BIN, spawnCli } from '../helpers/cli.js';
import { ROOT } from '../support.js';
import { requireBuild, tempDir } from './cli.js';

const { checksum, HEADER, MAGIC, SHIPPED } = createRequire(import.meta.url)('../../bin/code-cache.js') as { checksum: (b: Buffer) => number; HEADER: number; MAGIC: number; SHIPPED: number };
const QUESTION = 'What is the capital of Australia?\n';
const WARM = /^warm-[\w-]{8}\.v\d+\.\d+\.\d+-\w+\.bin$/;
const tmp = tempDir();
/** The launcher of a copy of the package without dist/code/: the user's cache alone, as before the build shipped one. */
let unshipped = '';
beforeAll(() => {
  requireBuild();
  unshipped = copyPackage('unshipped', { shipped: false });
});
afterAll(tmp.remove);

/**
 * A copy of the package (bin/, dist/ with or without the shipped code cache, package.json,
 * routes.yaml; node_modules linked), so that its files can be spoilt; returns its launcher.
 */
function copyPackage(name: string, { shipped }: { shipped: boolean }): string {
  const dir = join(tmp.path, name);
  mkdirSync(dir);
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  const code = join(ROOT, 'dist', 'code');
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true, filter: (src) => shipped || !src.startsWith(code) });
  for (const f of ['package.json', 'routes.yaml']) copyFileSync(join(ROOT, f), join(dir, f));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin', 'frugal.js');
}
const distOf = (bin: string) => join(bin, '..', '..', 'dist');

/** The code cache folder under a cache home, and its files. */
function codeFiles(cacheHome: string): string[] {
  const base = join(cacheHome, 'frugal', 'code');
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((dir) => readdirSync(join(base, dir)).filter((f) => f.endsWith('.bin')).map((f) => join(base, dir, f)));
}
/** The record of the files that passed their checksum (bin/code-cache.js), by path: their stat signatures. */
function verifiedOf(cacheHome: string): Record<string, string> {
  const base = join(cacheHome, 'frugal', 'code');
  const records = readdirSync(base).flatMap((dir) => (existsSync(join(base, dir, 'verified.json')) ? [JSON.parse(readFileSync(join(base, dir, 'verified.json'), 'utf8')) as Record<string, string>] : []));
  return Object.assign({}, ...records) as Record<string, string>;
}
const signatureOf = (file: string) => {
  const info = statSync(file);
  return `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
};
const names = (files: string[]) => files.map((f) => f.split('/').pop());

/** Ways a cache file can be spoilt: what, and how (given its bytes and its name). */
type Spoiler = [string, (b: Buffer, name: string) => Buffer];
const SPOILT: Spoiler[] = [
  ['a flipped bit in the compiled code', (b) => Buffer.from(b.map((x, i) => (i === b.length >> 1 ? x ^ 0x10 : x)))],
  ['cut short', (b) => b.subarray(0, b.length >> 1)],
  ['garbage', (b) => Buffer.alloc(b.length, 0x5a)],
  ['empty', () => Buffer.alloc(0)],
  ['made for a source of another length', (b) => Buffer.from(b.map((x, i) => (i === 4 ? x ^ 1 : x)))],
];

const oneShot = (cacheHome: string, stdin = QUESTION, bin = unshipped) => spawnCli(['run', '--dry-run', '-q'], { stdin, env: { XDG_CACHE_HOME: cacheHome }, cwd: tmp.path, bin });

describe.concurrent('the code cache (bin/code-cache.js), without a shipped one', () => {
  it('a first run writes it for the hashed chunks it loaded; the next run gives the same answer from it', async () => {
    const home = join(tmp.path, 'fresh');
    const first = await oneShot(home);
    const files = codeFiles(home);
    expect(names(files)).toContainEqual(expect.stringMatching(WARM));
    const second = await oneShot(home);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(second).toEqual(first);
    // Read, not written again: the files are the same.
    expect(codeFiles(home).map((f) => readFileSync(f))).toEqual(files.map((f) => readFileSync(f)));
  });

  it('sums a file once: a run records the stat signature of each file that passed, and a file changed since is summed again', async () => {
    const home = join(tmp.path, 'verified');
    const first = await oneShot(home);
    const warm = codeFiles(home).find((f) => WARM.test(f.split('/').pop()!))!;
    // Made by the first run, summed by the second, taken on its record by the third.
    expect(verifiedOf(home)[warm]).toBeUndefined();
    expect(await oneShot(home)).toEqual(first);
    expect(verifiedOf(home)[warm]).toBe(signatureOf(warm));
    const recorded = verifiedOf(home);
    expect(await oneShot(home)).toEqual(first);
    expect(verifiedOf(home)).toEqual(recorded);
    // A flipped bit written in place (the same inode, new times): summed, caught, written again.
    const spoilt = Buffer.from(readFileSync(warm).map((x, i, b) => (i === b.length >> 1 ? x ^ 0x10 : x)));
    writeFileSync(warm, spoilt);
    expect(verifiedOf(home)[warm]).not.toBe(signatureOf(warm));
    expect(await oneShot(home)).toEqual(first);
    expect(readFileSync(warm).equals(spoilt)).toBe(false);
  });

  it('a file spoilt in any way (a flipped bit, cut short, garbage, empty, made for another source or an older one) changes nothing, and is written again', async () => {
    const spoilers: Spoiler[] = [
      ...SPOILT,
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
        spoilt.set(f, spoil(readFileSync(f), f));
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
    const r = await spawnCli(['validate'], { env: { XDG_CACHE_HOME: home }, cwd: tmp.path, bin: unshipped });
    expect(r.code).toBe(0);
    expect(existsSync(stale)).toBe(false);
  });
});

describe.concurrent('the code cache the build ships in dist/code/', () => {
  /** Every file under `dir`, by relative path: its mode, modification time and a hash of its bytes. */
  function snapshot(dir: string): Map<string, [number, number, string | undefined]> {
    const all = new Map<string, [number, number, string | undefined]>();
    for (const name of readdirSync(dir, { recursive: true }) as string[]) {
      const path = join(dir, name);
      const st = statSync(path);
      all.set(relative(dir, path), [st.mode, st.mtimeMs, st.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : undefined]);
    }
    return all;
  }

  it("holds the warm chunk's code, made by the build; a first run starts from it: it writes no user cache and answers as a run without it", async () => {
    const shipped = readdirSync(join(ROOT, 'dist', 'code'));
    expect(shipped).toContainEqual(expect.stringMatching(WARM));
    for (const name of shipped) {
      const b = readFileSync(join(ROOT, 'dist', 'code', name));
      expect([name, b.readUInt32LE(0), checksum(b.subarray(HEADER))]).toEqual([name, SHIPPED, b.readUInt32LE(12)]);
    }
    const home = join(tmp.path, 'shipped-first');
    const first = await oneShot(home, QUESTION, BIN);
    expect([first.code, first.stderr]).toEqual([0, '']);
    // Nothing compiled without a cache: every chunk the first run loaded came from dist/code/.
    expect(codeFiles(home)).toEqual([]);
    expect(first).toEqual(await oneShot(join(tmp.path, 'unshipped-first')));
    expect(await oneShot(home, QUESTION, BIN)).toEqual(first);
    expect(codeFiles(home)).toEqual([]);
  });

  it('does not depend on the modification times of dist/ (npm resets them on install)', async () => {
    const bin = copyPackage('old-times', { shipped: true });
    const npmDate = new Date('1985-10-26T08:15:00Z');
    for (const name of readdirSync(distOf(bin), { recursive: true }) as string[]) utimesSync(join(distOf(bin), name), npmDate, npmDate);
    const home = join(tmp.path, 'old-times-cache');
    const r = await oneShot(home, QUESTION, bin);
    expect([r.code, r.stderr, JSON.parse(r.stdout).route]).toEqual([0, '', 'quick']);
    expect(codeFiles(home)).toEqual([]);
  });

  it('a shipped file spoilt in any way (a flipped bit, cut short, garbage, empty, made for another source, of the wrong kind, made by V8 for another chunk) changes nothing: the user cache takes over, dist/ is not written', async () => {
    const bin = copyPackage('shipped-spoilt', { shipped: true });
    const code = join(distOf(bin), 'code');
    const pristine = new Map(readdirSync(code).map((name) => [name, readFileSync(join(code, name))]));
    // Each chunk gets the compiled code of another, with a header that its checks accept: only V8 can tell.
    const order = [...pristine.keys()];
    const otherThan = (name: string) => pristine.get(order[(order.indexOf(name) + 1) % order.length]!)!;
    const headerFor = (b: Buffer, data: Buffer) => {
      const header = Buffer.from(b.subarray(0, HEADER));
      header.writeUInt32LE(data.length, 8);
      header.writeUInt32LE(checksum(data), 12);
      return Buffer.concat([header, data]);
    };
    const spoilers: Spoiler[] = [
      ...SPOILT,
      ['a file of the user cache kind', (b) => Buffer.from(b.map((x, i) => (i < 4 ? (MAGIC >>> (8 * i)) & 0xff : x)))],
      ['made by V8 for another chunk', (b, name) => headerFor(b, otherThan(name).subarray(HEADER))],
    ];
    const clean = await oneShot(join(tmp.path, 'shipped-spoilt-clean'), QUESTION, BIN);
    expect([clean.code, clean.stderr]).toEqual([0, '']);
    for (const [i, [what, spoil]] of spoilers.entries()) {
      for (const [name, b] of pristine) writeFileSync(join(code, name), spoil(b, name));
      const before = snapshot(distOf(bin));
      const home = join(tmp.path, `shipped-spoilt-${i}`);
      expect(await oneShot(home, QUESTION, bin), what).toEqual(clean);
      expect(snapshot(distOf(bin)), what).toEqual(before);
      // The chunks compiled without a cache went to the user's, as without a shipped one.
      expect(names(codeFiles(home)).sort(), what).toEqual([...pristine.keys()].sort());
    }
  }, 60_000);

  it("a stale file of the user's cache gives way to the shipped one, and goes", async () => {
    const bin = copyPackage('user-stale', { shipped: true });
    const code = join(distOf(bin), 'code');
    const home = join(tmp.path, 'user-stale-cache');
    // The user's cache as a copy without the shipped one wrote it, then made for an older source.
    renameSync(code, `${code}.off`);
    const first = await oneShot(home, QUESTION, bin);
    renameSync(`${code}.off`, code);
    expect(names(codeFiles(home))).toContainEqual(expect.stringMatching(WARM));
    for (const f of codeFiles(home)) writeFileSync(f, Buffer.from(readFileSync(f).map((x, i) => (i === 16 ? x ^ 1 : x))));
    expect(await oneShot(home, QUESTION, bin)).toEqual(first);
    // (Those of the chunks this warm run did not load, the validation's, stay until one does.)
    expect(names(codeFiles(home)).filter((n) => WARM.test(n!))).toEqual([]);
  });

  it('a read-only dist/ is never written, whether its code cache is right, spoilt or missing', async () => {
    const cases = [
      ['right', () => {}],
      ['spoilt', (code: string) => readdirSync(code).forEach((name) => writeFileSync(join(code, name), 'garbage'))],
      ['missing', (code: string) => rmSync(code, { recursive: true })],
    ] as const;
    for (const [what, spoil] of cases) {
      const bin = copyPackage(`read-only-${what}`, { shipped: true });
      const dist = distOf(bin);
      spoil(join(dist, 'code'));
      const writable = (mode: number) => {
        for (const name of readdirSync(dist, { recursive: true }) as string[]) chmodSync(join(dist, name), statSync(join(dist, name)).isDirectory() ? mode | 0o111 : mode);
        chmodSync(dist, mode | 0o111);
      };
      writable(0o444);
      // (Read-only stops every user but root; the snapshot also catches a write by root.)
      const before = snapshot(dist);
      const home = join(tmp.path, `read-only-${what}-cache`);
      for (let i = 0; i < 2; i++) {
        const r = await oneShot(home, QUESTION, bin);
        expect([what, r.code, r.stderr, JSON.parse(r.stdout).route]).toEqual([what, 0, '', 'quick']);
      }
      expect(snapshot(dist), what).toEqual(before);
      writable(0o644);
    }
  }, 60_000);
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
