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
 *
 * A write that fails (a full disk) is handed to `onFail` once; nothing more is written after it,
 * so the file ends with what was written (at worst a torn last line), and `unwritten` counts the
 * records that did not get in.
 */
export class ResultFile {
  private readonly batch = new TurnBatch((text) => this.writeAll(text));

  private failed = false;
  unwritten = 0;

  private constructor(
    private fd: number | undefined,
    private readonly onFail: (err: unknown) => void,
  ) {}

  static open(path: string, append: boolean, onFail: (err: unknown) => void = (err) => { throw err; }): ResultFile {
    try {
      return new ResultFile(openSync(path, append ? 'a' : 'w', 0o644), onFail);
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
    if (this.failed) {
      this.unwritten += countLines(text);
      return undefined;
    }
    const buf = Buffer.from(text);
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off);
    } catch (err) {
      this.failed = true;
      // The lines written whole are kept; the one cut short is torn, and --resume drops it.
      this.unwritten += countLines(text) - countLines(buf.subarray(0, off).toString());
      this.onFail(err);
    }
    return undefined;
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    try {
      fsyncSync(this.fd);
    } catch (err) {
      // -o /dev/null, a pipe or a terminal: nothing to sync. Anything else (a full disk found
      // only now) is a failed write.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'ENOTSUP' && !this.failed) {
        this.failed = true;
        this.onFail(err);
      }
    }
    closeSync(this.fd);
    this.fd = undefined;
  }
}

const countLines = (text: string) => {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
};
