import type { Readable, Writable } from 'node:stream';

type Tty = { isTTY?: boolean; columns?: number };

/** Everything a command may touch of the outside world, passed in so tests can supply their own. */
export interface Context {
  stdin: Readable & Tty;
  stdout: Writable & Tty;
  stderr: Writable & Tty;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Wall-clock time, for prices that change over time and for ledger timestamps. */
  now: () => Date;
  /** Monotonic milliseconds, for durations. */
  clock: () => number;
  /** Registers a Ctrl-C (and SIGTERM) handler; returns the function that removes it. */
  onInterrupt: (handler: () => void) => () => void;
}

export function write(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
