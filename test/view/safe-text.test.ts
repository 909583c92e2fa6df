import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildProgram, commanderError, userErrorText } from '../../src/cli.js';
import { write } from '../../src/commands/context.js';
import type { Context } from '../../src/commands/context.js';
import { UserError } from '../../src/core/errors.js';
import { safeLine, safeText } from '../../src/view/safe-text.js';
import { oneLine } from '../../src/view/live/text.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('safeText', () => {
  it('strips CSI, OSC, 8-bit CSI and other controls, keeping newlines and tabs', () => {
    expect(safeText('a\x1b[31mred\x1b[0m b')).toBe('ared b');
    expect(safeText('x\x1b]0;pwned\x07y')).toBe('xy');
    expect(safeText('x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\')).toBe('xlink');
    expect(safeText('over\rwrite\x08\x00\x7f\x9b2J')).toBe('overwrite');
    expect(safeText('one\n\ttwo')).toBe('one\n\ttwo');
    expect(safeText('naïve ✓ 日本')).toBe('naïve ✓ 日本');
  });

  it('safeLine and the live view keep it on one line', () => {
    expect(safeLine('a\nb\x1b[2J\tc')).toBe('a b c');
    expect(oneLine('503\r\nService\x1b[1mUnavailable')).toBe('503 ServiceUnavailable');
  });

  it('is what write() puts on a stream', () => {
    const out = new Sink();
    write(out, 'frugal: id\x1b[2J "x": failed');
    expect(out.text).toBe('frugal: id "x": failed\n');
  });
});

describe('errors speak as frugal', () => {
  function context(stderr: Sink): Context {
    return { stdin: new PassThrough(), stdout: new Sink(), stderr, env: {}, cwd: '/', now: () => new Date(0), clock: () => 0, onInterrupt: () => () => {} };
  }

  it("prefixes Commander's own errors with frugal:", async () => {
    const stderr = new Sink();
    const argv = ['node', 'frugal', 'run', '--bogus\x1b[2J'];
    const program = await buildProgram(context(stderr), () => {}, argv);
    await expect(program.parseAsync(argv)).rejects.toThrow();
    expect(stderr.text).toBe("frugal: unknown option '--bogus'\n");
  });

  it('prints user errors and hints safely', () => {
    expect(userErrorText(new UserError('bad\x1b]0;x\x07 file', 'do this'))).toBe('frugal: bad file\n  hint: do this\n');
    expect(commanderError("error: unknown command 'frob'\n")).toBe("frugal: unknown command 'frob'\n");
  });
});
