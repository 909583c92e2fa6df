// Standard input read from its descriptor (src/io/stdin.ts): a file at once, a pipe as far as it is
// filled and then through the stream. The process's own fd 0 is covered in test/e2e/binary.test.ts.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DescriptorInput } from '../../src/io/stdin.js';
import { tempDir } from '../e2e/cli.js';

const tmp = tempDir();
afterAll(tmp.remove);

async function readAll(input: AsyncIterable<Buffer>): Promise<{ text: string; chunks: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(chunk);
  return { text: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length };
}

const isOpen = (fd: number) => {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};

/** A named pipe opened as processStdin opens one: for reading, non-blocking; and its writing end. */
function pipe(name: string): { reader: number; writer: number } {
  const path = join(tmp.path, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  return { reader, writer: openSync(path, constants.O_WRONLY) };
}

const noStream = () => {
  throw new Error('the stream was asked for');
};

describe('DescriptorInput', () => {
  it('reads a file whole, in order, and leaves a descriptor it does not own open', async () => {
    const text = Array.from({ length: 30_000 }, (_, i) => `line ${i} ünïcode`).join('\n');
    const file = join(tmp.path, 'input.txt');
    writeFileSync(file, text);
    const fd = openSync(file, 'r');
    const read = await readAll(new DescriptorInput(fd, false, noStream));
    expect(read.text).toBe(text);
    expect(read.chunks).toBeGreaterThan(1);
    expect(isOpen(fd)).toBe(true);
    closeSync(fd);
  });

  it('reads a pipe whose writer has finished to its end without the stream, and closes its own descriptor', async () => {
    const { reader, writer } = pipe('done');
    writeSync(writer, 'What is the capital of Australia?\n');
    closeSync(writer);
    expect(await readAll(new DescriptorInput(reader, true, noStream))).toEqual({ text: 'What is the capital of Australia?\n', chunks: 1 });
    expect(isOpen(reader)).toBe(false);
  });

  it('a pipe that runs dry before its end: what it held, then the rest from the stream', async () => {
    const { reader, writer } = pipe('dry');
    writeSync(writer, '{"prompt":"one"}\n{"prompt":"tw');
    let asked = 0;
    const rest = () => {
      asked++;
      closeSync(writer);
      // In the process, process.stdin: the same pipe, from where the descriptor left it.
      return Readable.from([Buffer.from('o"}\n{"prompt":"three"}\n'), '{"prompt":"four"}\n']);
    };
    const read = await readAll(new DescriptorInput(reader, true, rest));
    expect(read.text).toBe('{"prompt":"one"}\n{"prompt":"two"}\n{"prompt":"three"}\n{"prompt":"four"}\n');
    expect(asked).toBe(1);
    expect(isOpen(reader)).toBe(false);
  });

  it('destroy lets go of the stream the rest was coming through (Ctrl-C while the writer is quiet)', async () => {
    const { reader, writer } = pipe('let-go');
    writeSync(writer, 'first\n');
    const rest = new PassThrough();
    const input = new DescriptorInput(reader, true, () => rest);
    const chunks = input[Symbol.asyncIterator]();
    expect((await chunks.next()).value?.toString()).toBe('first\n');
    const waiting = chunks.next();
    await new Promise((r) => setTimeout(r, 20));
    input.destroy();
    expect(rest.destroyed).toBe(true);
    await expect(waiting).rejects.toThrow(/premature close/i);
    closeSync(writer);
  });

  it('a reader that stops early closes its descriptor', async () => {
    const { reader, writer } = pipe('early');
    writeSync(writer, 'x'.repeat(60_000));
    const input = new DescriptorInput(reader, true, noStream);
    for await (const chunk of input) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect(isOpen(reader)).toBe(false);
    closeSync(writer);
  });
});
