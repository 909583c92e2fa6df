// Standard output and error written to their descriptors (src/io/stdout.ts). The process's own
// descriptors are covered in test/e2e/binary.test.ts.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DescriptorOutput } from '../../src/io/stdout.js';
import { tempDir } from '../e2e/cli.js';

const tmp = tempDir();
afterAll(tmp.remove);

const noStream = (): NodeJS.WriteStream => {
  throw new Error('the stream was asked for');
};
const write = (out: Writable, chunk: string | Buffer) => new Promise<void>((resolve, reject) => out.write(chunk, (err) => (err ? reject(err) : resolve())));

describe('DescriptorOutput', () => {
  it('writes every chunk whole and in order to a file', async () => {
    const file = join(tmp.path, 'out.jsonl');
    const fd = openSync(file, 'w');
    const out = new DescriptorOutput(fd, noStream);
    const lines = Array.from({ length: 2000 }, (_, i) => `{"id":"q${i}","text":"${'é'.repeat(i % 50)}"}\n`);
    for (const line of lines) out.write(line);
    await write(out, Buffer.from('last\n'));
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe(`${lines.join('')}last\n`);
  });

  it('a non-blocking pipe that fills up (EAGAIN): the rest goes through the stream, in order', async () => {
    const fifo = join(tmp.path, 'full.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const rest: Buffer[] = [];
    let asked = 0;
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        rest.push(chunk);
        done();
      },
    });
    const out = new DescriptorOutput(writer, () => {
      asked++;
      return stream as unknown as NodeJS.WriteStream;
    });
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
    await write(out, data.subarray(0, 200_000));
    await write(out, data.subarray(200_000));
    expect(asked).toBe(1);
    const inPipe = Buffer.alloc(300_000);
    let n = 0;
    for (;;) {
      try {
        const got = readSync(reader, inPipe, n, inPipe.length - n, null);
        if (got === 0) break;
        n += got;
      } catch {
        break; // EAGAIN: the pipe is empty
      }
    }
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(200_000);
    expect(Buffer.concat([inPipe.subarray(0, n), ...rest]).equals(data)).toBe(true);
    closeSync(reader);
    closeSync(writer);
  });

  it("a pipe whose reader went away: the write fails with EPIPE, as the stream's 'error'", async () => {
    const fifo = join(tmp.path, 'gone.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    closeSync(reader);
    const out = new DescriptorOutput(writer, noStream);
    const failed = new Promise<NodeJS.ErrnoException>((resolve) => out.on('error', resolve));
    out.write('hello\n');
    expect((await failed).code).toBe('EPIPE');
    closeSync(writer);
  });
});
