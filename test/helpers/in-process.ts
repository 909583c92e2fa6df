import { PassThrough, Writable } from 'node:stream';
import { buildProgram } from '../../src/cli.js';
import type { Context } from '../../src/commands/context.js';
import { UserError } from '../../src/core/errors.js';
import { userErrorText } from '../../src/cli.js';
import { CommanderError } from 'commander';

export class Sink extends Writable {
  text = '';
  writes = 0;
  isTTY?: boolean;
  columns?: number;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.writes++;
    done();
  }
}

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  /** How many separate writes reached stdout (a streamed answer takes several). */
  stdoutWrites: number;
}

export interface InProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  stdinTTY?: boolean;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  columns?: number;
  now?: Date;
}

/** Run `frugal ARGS` in this process through a Context, as cli.ts's main does, catching user errors the same way. */
export async function frugalIn(args: string[], options: InProcessOptions = {}): Promise<InProcessResult> {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  // A terminal stays open unless the test types something into it.
  if (options.stdinTTY) stdin.isTTY = true;
  if (!options.stdinTTY || options.stdin !== undefined) stdin.end(options.stdin ?? '');
  const stdout = new Sink();
  const stderr = new Sink();
  if (options.stdoutTTY) stdout.isTTY = true;
  if (options.stderrTTY) stderr.isTTY = true;
  stderr.columns = options.columns;
  const ctx: Context = {
    stdin,
    stdout,
    stderr,
    env: { HOME: '/nonexistent-home', NO_COLOR: '1', ...options.env },
    cwd: options.cwd ?? '/',
    now: () => options.now ?? new Date('2026-06-01T00:00:00Z'),
    clock: () => performance.now(),
    onInterrupt: () => () => {},
  };
  let code = 0;
  const argv = ['node', 'frugal', ...args];
  try {
    await (await buildProgram(ctx, (c) => (code = c), argv)).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) code = err.exitCode === 0 ? 0 : 2;
    else if (err instanceof UserError) {
      stderr.write(userErrorText(err));
      code = err.exitCode;
    } else throw err;
  }
  return { code, stdout: stdout.text, stderr: stderr.text, stdoutWrites: stdout.writes };
}
