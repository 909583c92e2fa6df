import { chmodSync, closeSync, fstatSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const DB_FILE = 'frugal.db';
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

const set = (v: string | undefined): v is string => v !== undefined && v !== '';

/**
 * Where the ledger and the cache live: `--home`, then `$FRUGAL_HOME`, then `$XDG_DATA_HOME/frugal`,
 * then `~/.local/share/frugal`. A relative XDG_DATA_HOME is ignored, as the XDG spec says.
 */
export function dataDir(env: NodeJS.ProcessEnv, cwd: string, home?: string): string {
  if (set(home)) return resolve(cwd, home);
  if (set(env.FRUGAL_HOME)) return resolve(cwd, env.FRUGAL_HOME);
  if (set(env.XDG_DATA_HOME) && isAbsolute(env.XDG_DATA_HOME)) return join(env.XDG_DATA_HOME, 'frugal');
  return join(set(env.HOME) ? env.HOME : homedir(), '.local', 'share', 'frugal');
}

export function dbPath(dir: string): string {
  return join(dir, DB_FILE);
}

/** Takes group and other bits away from a path we own; leaves it alone when it is someone else's. */
function tighten(path: string, mode: number): void {
  try {
    if ((statSync(path).mode & 0o777 & ~mode) !== 0) chmodSync(path, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}

/** The data folder, created 0700 (and narrowed to 0700 if it exists wider). */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  tighten(dir, DIR_MODE);
}

/**
 * Creates the database file 0600 before SQLite opens it (SQLite would create it 0644 less the
 * umask). SQLite gives the -wal and -shm files the database file's mode; `tightenSidecars`
 * checks that after opening.
 */
export function ensureDbFile(path: string): void {
  const fd = openSync(path, 'a', FILE_MODE);
  try {
    if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  } finally {
    closeSync(fd);
  }
}

export function tightenSidecars(path: string): void {
  tighten(`${path}-wal`, FILE_MODE);
  tighten(`${path}-shm`, FILE_MODE);
}
