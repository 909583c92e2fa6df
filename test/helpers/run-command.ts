import { PassThrough, Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Context } from '../../src/commands/context.js';
import { NOW } from '../support.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

export interface InProcessResult {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/** Run one command in this process through its Context: no spawn, no terminal, time fixed at NOW. */
export async function runInProcess(
  make: (ctx: Context, setExitCode: (code: number) => void) => Command,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string },
): Promise<InProcessResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const stdin = new PassThrough();
  if (options.stdin !== undefined) stdin.end(options.stdin);
  const ctx: Context = { stdin, stdout, stderr, env: { HOME: '/nonexistent-home', ...options.env }, cwd: options.cwd, now: () => NOW, clock: () => 0, onInterrupt: () => () => {} };
  let code: number | undefined;
  const cmd = make(ctx, (c) => (code = c))
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  await cmd.parseAsync(['node', cmd.name(), ...args]);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
