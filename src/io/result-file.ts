import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { UserError } from '../core/errors.js';

/**
 * The -o file of a live run. Each record goes to the OS in one synchronous write the moment its
 * prompt finishes: a crash (even kill -9) can lose no finished record, and can tear at most the
 * line being written, which --resume detects and drops.
 */
export class ResultFile {
  private constructor(private fd: number | undefined) {}

  static open(path: string, append: boolean): ResultFile {
    try {
      return new ResultFile(openSync(path, append ? 'a' : 'w', 0o644));
    } catch (err) {
      throw new UserError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'check that the folder exists and is writable');
    }
  }

  writeLine(json: string): void {
    if (this.fd === undefined) return;
    const buf = Buffer.from(`${json}\n`);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
