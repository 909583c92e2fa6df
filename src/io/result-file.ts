import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { TurnBatch } from './turn-batch.js';

/**
 * The -o file of a live run. Records that finish in one turn of the event loop (one batch of
 * responses read from the network) are written together in one synchronous write, at the end of
 * that turn or before the next request goes out, whichever comes first: the caller awaits
 * `writeLine` before its next prompt and calls `flush` before any send. So a prompt is never sent
 * while a finished record is unwritten, and a crash (even kill -9) loses no finished record; it
 * can tear at most the line being written, which --resume detects and drops.
 */
export class ResultFile {
  private readonly batch = new TurnBatch((text) => this.writeAll(text));

  private constructor(private fd: number | undefined) {}

  static open(path: string, append: boolean): ResultFile {
    try {
      return new ResultFile(openSync(path, append ? 'a' : 'w', 0o644));
    } catch (err) {
      throw new UserError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'check that the folder exists and is writable');
    }
  }

  writeLine(json: string): Promise<void> | undefined {
    if (this.fd === undefined) return undefined;
    return this.batch.add(`${json}\n`);
  }

  /** Writes what is queued now. */
  flush(): void {
    void this.batch.flush();
  }

  private writeAll(text: string): undefined {
    if (this.fd === undefined) return undefined;
    const buf = Buffer.from(text);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    return undefined;
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    try {
      fsyncSync(this.fd);
    } catch (err) {
      // -o /dev/null, a pipe or a terminal: nothing to sync.
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'ENOTSUP') throw err;
    }
    closeSync(this.fd);
    this.fd = undefined;
  }
}
