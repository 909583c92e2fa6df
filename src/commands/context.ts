import { safeText } from '../view/safe-text.js';
import type { Writable } from 'node:stream';
import type { Stdin } from '../io/stdin.js';

type Tty = { isTTY?: boolean; columns?: number };

/** Everything a command may touch of the outside world, passed in so tests can supply their own. */
export interface Context {
  stdin: Stdin;
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

/**
 * Write a line of frugal's own text, which may quote ids, file names and server messages: escape
 * sequences and control characters in it are stripped (see view/safe-text.ts).
 */
export function write(stream: Writable, text: string): void {
  writeRaw(stream, safeText(text));
}

/** Write text as is: JSON (whose strings escape control characters themselves) or a deliberately coloured chart. */
export function writeRaw(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
