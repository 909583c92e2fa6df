import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runFrugal } from '../src/cli.js';
import type { Context } from '../src/commands/context.js';
import { SHIPPED_ROUTES } from './support.js';

class Sink extends Writable {
  text = '';
  constructor(private readonly fail?: NodeJS.ErrnoException) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.fail) return done(this.fail);
    this.text += chunk.toString();
    done();
  }
}

function context(stdout: Sink, stdin: Readable = new PassThrough().end()): Context & { stderr: Sink } {
  return { stdin, stdout, stderr: new Sink(), env: { HOME: '/nonexistent-home', NO_COLOR: '1' }, cwd: '/', now: () => new Date(), clock: () => 0, onInterrupt: () => () => {} };
}

const argv = (...args: string[]) => ['node', 'frugal', ...args];

describe('runFrugal: one invocation in process, with the one top-level catch', () => {
  it('a user mistake: its message and hint on stderr, its exit code, nothing thrown', async () => {
    const ctx = context(new Sink());
    expect(await runFrugal(argv('run', '--dry-run', '--routes', 'nope.yaml', '-p', 'x'), ctx)).toEqual({ code: 2, brokenPipe: false });
    expect(ctx.stderr.text).toBe('frugal: nope.yaml: no such policy file\n  hint: check the path given to --routes, or run `frugal init` to write a starter routes.yaml\n');
  });

  it('usage errors exit 2 and help exits 0, both on the context\'s streams', async () => {
    const bad = context(new Sink());
    expect(await runFrugal(argv('run', '--bogus'), bad)).toEqual({ code: 2, brokenPipe: false });
    expect(bad.stderr.text).toContain("frugal: unknown option '--bogus'");
    const help = context(new Sink());
    expect(await runFrugal(argv('explain', '--help'), help)).toEqual({ code: 0, brokenPipe: false });
    expect((help.stdout as Sink).text).toMatch(/^Usage: frugal explain /);
  });

  it('the command\'s own exit code: 1 when a prompt could not be read', async () => {
    const ctx = context(new Sink());
    expect(await runFrugal(argv('run', '--dry-run', '-q', '--routes', SHIPPED_ROUTES), ctx)).toEqual({ code: 1, brokenPipe: false });
  });

  it('a reader of stdout that went away (EPIPE) ends the invocation with the code so far', async () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const ctx = context(new Sink(epipe), Readable.from(['What is the capital of Australia?\n']));
    expect(await runFrugal(argv('run', '--dry-run', '-q', '--routes', SHIPPED_ROUTES), ctx)).toEqual({ code: 0, brokenPipe: true });
    expect(ctx.stderr.text).toBe('');
  });

  it('any other stdout error is a bug: the invocation rejects with it', async () => {
    const eio = Object.assign(new Error('write EIO'), { code: 'EIO' });
    const ctx = context(new Sink(eio), Readable.from(['What is the capital of Australia?\n']));
    await expect(runFrugal(argv('run', '--dry-run', '-q', '--routes', SHIPPED_ROUTES), ctx)).rejects.toThrow('write EIO');
  });
});
