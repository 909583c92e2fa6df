import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { UserError } from '../core/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Only one frugal writes an -o file at a time: two would lose paid answers or pay every prompt
 * twice. The lock is `FILE.lock`, holding the writer's pid; a lock whose process is gone (killed)
 * is taken over. Returns the function that releases it.
 */
export function lockOutput(path: string): () => void {
  const lock = `${path}.lock`;
  for (let tries = 0; tries < 3; tries++) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx', 0o644);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UserError(`${path}: cannot lock it for writing (${code})`, 'check that the folder is writable');
      const pid = Number(readFileOr(lock).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new UserError(`${path} is being written by another frugal (pid ${pid})`, 'wait for it to finish (then --resume if it was cut short), or write to another file; nothing was sent');
      }
      // Left by a process that is gone: take it over.
      rmSync(lock, { force: true });
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      rmSync(lock, { force: true });
    };
  }
  throw new UserError(`${path}: cannot take its lock ${lock}`, `remove ${lock} if no frugal is running`);
}

function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
