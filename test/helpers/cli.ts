import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support.js';

export { ROOT } from '../support.js';
export const BIN = join(ROOT, 'bin', 'frugal.js');
const TEST_HOME = mkdtempSync(join(tmpdir(), 'frugal-home-'));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Written to the child's stdin, which is then closed; without it stdin is closed at once. */
  stdin?: string | Buffer;
  /** The umask the process starts with (through /bin/sh, which can set it). */
  umask?: number;
  /** Called once the process has started, e.g. to send it signals. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/** A clean environment: no provider keys, base URLs or colour settings leak in from the machine. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/_API_KEY$|_BASE_URL$|^XDG_|^FRUGAL_|^FORCE_COLOR$/.test(k)) continue;
    env[k] = v;
  }
  // The ledger and cache of every test run go to a throwaway folder, never the user's.
  return { ...env, NO_COLOR: '1', FRUGAL_HOME: TEST_HOME, XDG_CACHE_HOME: join(TEST_HOME, 'cache'), ...extra };
}

/** Spawn bin/frugal.js (the built CLI) and collect what it prints. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] =
      options.umask === undefined ? [process.execPath, [BIN, ...args]] : ['/bin/sh', ['-c', `umask ${options.umask.toString(8)}; exec "$0" "$@"`, process.execPath, BIN, ...args]];
    const child = spawn(cmd, argv, {
      cwd: options.cwd ?? ROOT,
      env: baseEnv(options.env as Record<string, string>),
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
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
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
