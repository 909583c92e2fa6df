import { UserError } from '../core/errors.js';

export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  try {
    // Created 0644 whatever the umask (0666 under umask 000 would let anyone rewrite it).
    await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
  } catch (err) {
    throw new UserError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Open FILE for writing, failing as a user error (not an unhandled stream error) when it cannot be. */
export async function openOutput(path: string, flags: 'w' | 'a' = 'w'): Promise<import('node:fs').WriteStream> {
  const { createWriteStream } = await import('node:fs');
  const stream = createWriteStream(path, { flags, mode: 0o644 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) =>
      reject(new UserError(`${path}: cannot write (${err.code ?? err.message})`, 'check that the folder exists and is writable')),
    );
  });
  return stream;
}
