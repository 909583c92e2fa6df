import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli.js';
import type { Context } from '../src/commands/context.js';

const ctx: Context = {
  stdin: new PassThrough(),
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  env: {},
  cwd: '/',
  now: () => new Date(),
  clock: () => 0,
  onInterrupt: () => () => {},
};

describe('frugal --version', () => {
  it('builds no command (scripts that check the version pay for no module of one)', async () => {
    for (const flag of ['--version', '-V']) expect((await buildProgram(ctx, () => {}, ['node', 'frugal', flag])).commands).toHaveLength(0);
    // Anything else still gets the commands it may need.
    expect((await buildProgram(ctx, () => {}, ['node', 'frugal', '--help'])).commands.length).toBeGreaterThan(5);
    expect((await buildProgram(ctx, () => {}, ['node', 'frugal', 'run'])).commands.map((c) => c.name())).toEqual(['run']);
  });
});
