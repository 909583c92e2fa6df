import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { streamLines } from './lines.js';

/** Standard input as a command reads it: chunks of bytes, and whether it is a terminal. */
export type Stdin = (Readable & { isTTY?: boolean }) | DescriptorInput;

/** What one read asks for: as much as a pipe holds. */
const CHUNK = 1 << 16;

/**
 * The process's standard input, read without Node's stream machinery where that is safe. Creating
 * process.stdin for a pipe loads node:net and builds a socket, and reading it goes through the
 * Readable internals: some 5 ms of a piped one-shot, whose prompt is long in the pipe by then.
 *
 * - A file is read with readSync on descriptor 0: a file never makes a read wait.
 * - A pipe is opened again, non-blocking, through /proc/self/fd/0 (a descriptor of its own, so the
 *   pipe's flags stay as the other processes that share it set them): what is in it is read at
 *   once, and when it runs dry before its end (the writer is still writing) the rest comes
 *   through process.stdin, as before.
 * - A terminal, a socket, /dev/null, a system without /proc: process.stdin, as Node makes it.
 *
 * No read here can block the event loop, and none is ever left waiting when the process ends.
 */
export function processStdin(): Stdin {
  const stream = () => process.stdin;
  try {
    const info = fstatSync(0);
    if (info.isFile()) return new DescriptorInput(0, false, stream);
    if (info.isFIFO()) return new DescriptorInput(openSync('/proc/self/fd/0', constants.O_RDONLY | constants.O_NONBLOCK), true, stream);
  } catch {
    // No descriptor 0, or no /proc: Node's own stdin.
  }
  return process.stdin;
}

/**
 * The items of `source` until it ends or `stop` fires. A wait for the next one is let go of at once
 * (`letGo` releases what it waits on): a pipe whose writer is idle must not hold a run told to stop.
 */
async function* untilStopped<T>(source: AsyncIterable<T>, stop: AbortSignal | undefined, letGo: () => void): AsyncGenerator<T> {
  if (!stop) {
    yield* source;
    return;
  }
  const items = source[Symbol.asyncIterator]();
  let onStop = () => {};
  const stopped = new Promise<'stopped'>((resolve) => (onStop = () => resolve('stopped')));
  stop.addEventListener('abort', onStop, { once: true });
  let lettingGo = stop.aborted;
  try {
    while (!lettingGo) {
      const next = items.next();
      const r = await Promise.race([next, stopped]);
      if (r === 'stopped') {
        lettingGo = true;
        next.catch(() => undefined);
        break;
      }
      if (r.done) return;
      yield r.value;
    }
  } finally {
    stop.removeEventListener('abort', onStop);
    if (lettingGo) letGo();
    else await items.return?.();
  }
}

/** A terminal goes through readline as before; pipes and files through the faster splitter. */
export async function* stdinLines(stdin: Stdin, stop: AbortSignal | undefined): AsyncGenerator<string[]> {
  if (!stdin.isTTY) {
    yield* streamLines(untilStopped(stdin, stop, () => stdin.destroy()));
    return;
  }
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: stdin, crlfDelay: Infinity });
  const letGo = () => {
    lines.close();
    stdin.destroy();
  };
  for await (const line of untilStopped(lines, stop, letGo)) yield [line];
}

/** Chunks of a descriptor that never makes a read wait, then (when it would) of the stream. */
export class DescriptorInput implements AsyncIterable<Buffer> {
  readonly isTTY = false;
  /** The stream the rest came through, once the descriptor ran dry. */
  #stream: Readable | undefined;

  constructor(
    private readonly fd: number,
    /** The descriptor is this reader's own, closed when reading ends. */
    private readonly owned: boolean,
    private readonly rest: () => Readable,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    let dry = false;
    try {
      for (;;) {
        const chunk = this.readNow();
        if (chunk === 'dry') {
          dry = true;
          break;
        }
        if (chunk.length === 0) return;
        yield chunk;
      }
    } finally {
      if (this.owned) closeSync(this.fd);
    }
    if (dry) for await (const chunk of (this.#stream = this.rest())) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
  }

  /** Lets go of the input (Ctrl-C): a read of the descriptor never waits, but the stream's may. */
  destroy(): void {
    this.#stream?.destroy();
  }

  /** What is there now: bytes, an empty buffer at the end, or 'dry' when the writer has not written the rest yet. */
  private readNow(): Buffer | 'dry' {
    const buffer = Buffer.allocUnsafe(CHUNK);
    try {
      return buffer.subarray(0, readSync(this.fd, buffer, 0, CHUNK, null));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 'dry';
      throw err;
    }
  }
}
