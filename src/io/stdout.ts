import { fstatSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';

type Tty = { isTTY?: boolean; columns?: number };

/**
 * The process's standard output or error. A pipe, a socket or a file is written with writeSync on
 * its descriptor (DescriptorOutput); a terminal and anything else is Node's own stream. Node makes
 * a socket of a pipe, which loads node:net (some 4 ms of a one-shot whose answer goes to `$(...)`),
 * and its writes to pipes and files are synchronous on Linux anyway.
 */
export function processOutput(fd: 1 | 2, stream: () => NodeJS.WriteStream): Writable & Tty {
  try {
    const info = fstatSync(fd);
    if (info.isFIFO() || info.isSocket() || info.isFile()) return new DescriptorOutput(fd, stream);
  } catch {
    // No such descriptor: Node's own stream says what there is.
  }
  return stream();
}

/**
 * Writes straight to a descriptor, each write whole before the next. A descriptor someone made
 * non-blocking (a parent process that shares the pipe) may answer EAGAIN when the pipe is full:
 * from then on everything goes through Node's stream, which waits for room, in order.
 */
export class DescriptorOutput extends Writable {
  readonly isTTY = false;
  #stream: NodeJS.WriteStream | undefined;

  constructor(
    private readonly fd: number,
    private readonly fallback: () => NodeJS.WriteStream,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.#stream) {
      this.#stream.write(chunk, done);
      return;
    }
    let at = 0;
    try {
      while (at < chunk.length) at += writeSync(this.fd, chunk, at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
        done(err as Error);
        return;
      }
      // Its failures reach this stream through the write callbacks; its own 'error' is not a crash.
      this.#stream = this.fallback().on('error', () => undefined);
      this.#stream.write(chunk.subarray(at), done);
      return;
    }
    done();
  }
}
