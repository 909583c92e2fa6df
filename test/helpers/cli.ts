import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { expect } from 'vitest';
import { runFrugal } from '../../src/cli.js';
import type { Context } from '../../src/commands/context.js';
import { ROOT } from '../support.js';

export { ROOT } from '../support.js';
export const BIN = join(ROOT, 'bin', 'frugal.js');

/**
 * The throwaway home of the test file now running. Test files share a worker and this module
 * (vitest.config.ts: isolate false), so the home is keyed by the file: a file's ledger and cache
 * never see another file's calls.
 */
const homes = new Map<string, string>();
function testHome(): string {
  const file = expect.getState().testPath ?? '';
  let home = homes.get(file);
  if (home === undefined) homes.set(file, (home = mkdtempSync(join(tmpdir(), 'frugal-home-'))));
  return home;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /**
   * Written to stdin, which is then closed; without it stdin is closed at once. A stream is passed
   * on as it gives its bytes: stdin stays open until the stream ends.
   */
  stdin?: string | Buffer | Readable;
  /** The umask the invocation runs with (in process: this process's, for its duration; spawned: through /bin/sh). */
  umask?: number;
  /**
   * Called once the process has started, e.g. to send it signals. Giving it runs the built CLI
   * (bin/frugal.js) as a real process, as spawnCli does: the process itself is under test.
   */
  onSpawn?: (child: ChildProcess) => void;
  /** Spawned only: the launcher to run instead of this package's bin/frugal.js (a copy of the package). */
  bin?: string;
  /** In process only: called once the invocation has started, with a Ctrl-C of its own. */
  onStart?: (controls: { interrupt: () => void }) => void;
}

/** A clean environment: no provider keys, base URLs or colour settings leak in from the machine. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/_API_KEY$|_BASE_URL$|^XDG_|^FRUGAL_|^FORCE_COLOR$/.test(k)) continue;
    env[k] = v;
  }
  // The ledger and cache of every test run go to a throwaway folder, never the user's.
  const home = testHome();
  return { ...env, NO_COLOR: '1', FRUGAL_HOME: home, XDG_CACHE_HOME: join(home, 'cache'), ...extra };
}

/**
 * Runs `frugal ARGS` and collects what it prints: in this process through the commands' Context
 * (the same program, top-level catch and exit codes as the binary), or, with `onSpawn`, as a real
 * process of the built CLI.
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return options.onSpawn ? spawnCli(args, options) : runInProcess(args, options);
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** stdin as a pipe gives it: the bytes, then the end. */
function stdinOf(input: string | Buffer | Readable | undefined): Readable {
  if (input instanceof Readable) return input;
  return Readable.from(input === undefined || input.length === 0 ? [] : [Buffer.from(input)], { objectMode: false });
}

/**
 * The commands open relative paths (-o, --summary-json, input files) against the process's working
 * directory, not ctx.cwd, so a run in another folder changes into it for its duration; a run with a
 * `umask` sets this process's for its duration. Such runs take turns. Runs in ROOT (the default)
 * without a umask do not wait (so do not run a umask test beside others), and are given absolute
 * paths by the tests.
 */
let turns: Promise<unknown> = Promise.resolve();

function inTurn<T>(cwd: string, umask: number | undefined, run: () => Promise<T>): Promise<T> {
  if (cwd === ROOT && umask === undefined) return run();
  const turn = turns.then(async () => {
    process.chdir(cwd);
    const before = umask === undefined ? undefined : process.umask(umask);
    try {
      return await run();
    } finally {
      if (before !== undefined) process.umask(before);
      process.chdir(ROOT);
    }
  });
  turns = turn.catch(() => undefined);
  return turn;
}

function runInProcess(args: string[], options: CliOptions): Promise<CliResult> {
  return inTurn(options.cwd ?? ROOT, options.umask, () => invokeInProcess(args, options));
}

async function invokeInProcess(args: string[], options: CliOptions): Promise<CliResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const handlers = new Set<() => void>();
  const ctx: Context = {
    stdin: stdinOf(options.stdin),
    stdout,
    stderr,
    env: baseEnv(options.env),
    cwd: options.cwd ?? ROOT,
    now: () => new Date(),
    clock: () => performance.now(),
    onInterrupt: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  // What Node would print on the process's stderr (a listener leak, a deprecation) shows in this run's.
  const onWarning = (w: Error) => stderr.write(`(node:${process.pid}) ${w.name}: ${w.message}\n`);
  process.on('warning', onWarning);
  try {
    const run = runFrugal(['node', 'frugal', ...args], ctx);
    options.onStart?.({ interrupt: () => [...handlers].forEach((h) => h()) });
    const { code } = await run;
    return { code, signal: null, stdout: stdout.text, stderr: stderr.text };
  } finally {
    process.off('warning', onWarning);
  }
}

/** Spawns bin/frugal.js (the built CLI: `npm test` builds it first) and collects what it prints. */
export function spawnCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] =
      options.umask === undefined ? [process.execPath, [options.bin ?? BIN, ...args]] : ['/bin/sh', ['-c', `umask ${options.umask.toString(8)}; exec "$0" "$@"`, process.execPath, options.bin ?? BIN, ...args]];
    const child = spawn(cmd, argv, {
      cwd: options.cwd ?? ROOT,
      env: baseEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => {
      // the CLI may exit without reading stdin
    });
    if (options.stdin instanceof Readable) options.stdin.pipe(child.stdin);
    else if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
    options.onSpawn?.(child);
  });
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
