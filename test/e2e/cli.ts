import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { ROOT } from '../support.js';

export type { CliResult } from '../helpers/cli.js';

export interface FreshOptions {
  cwd: string;
  /** Written to the child's stdin, which is then closed; without it stdin is closed at once. */
  stdin?: string | Buffer;
  env?: Record<string, string>;
}

/** Runs frugal (in process) as on a fresh machine: no API keys, home and user config in `cwd`. */
export function frugal(args: string[], options: FreshOptions): Promise<CliResult> {
  const env = { HOME: options.cwd, XDG_CONFIG_HOME: join(options.cwd, '.config'), ...options.env };
  return runCli(args, { cwd: options.cwd, stdin: options.stdin ?? '', env });
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
