import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support.js';

export const BIN = join(ROOT, 'bin', 'frugal.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** Written to the child's stdin, which is then closed; without it stdin is closed at once. */
  stdin?: string | Buffer;
  env?: Record<string, string>;
}

/** The environment of a fresh machine: no API keys, no colour, config and home in `home`. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/_API_KEY$/.test(k) || k === 'FORCE_COLOR' || k.startsWith('FRUGAL_')) continue;
    env[k] = v;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), NO_COLOR: '1', ...extra };
}

/** Runs `node bin/frugal.js ARGS` (the built dist/) and collects its output. */
export function frugal(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cleanEnv(options.cwd, options.env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {
      // the CLI may exit without reading stdin
    });
    child.stdin.end(options.stdin ?? '');
  });
}

export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
    throw new Error('dist/cli.js is missing: the end-to-end tests run the built CLI; run `npm run build` first (`npm test` does)');
  }
}

export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'frugal-e2e-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const lines = (text: string) => text.split('\n').filter((l) => l !== '');
