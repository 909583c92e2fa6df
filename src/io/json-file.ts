import { UserError } from '../core/errors.js';

/** After a run: the prompts were sent, so a file that cannot be written is exit 1, not 2 (nothing sent). */
export const AFTER_RUN = { hint: 'the prompts were sent and their records kept; only this file is missing', exitCode: 1 } as const;

export async function writeJsonFile(path: string, value: unknown, after?: typeof AFTER_RUN): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  try {
    // Created 0644 whatever the umask (0666 under umask 000 would let anyone rewrite it).
    await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
  } catch (err) {
    throw new UserError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, after?.hint, after?.exitCode);
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
