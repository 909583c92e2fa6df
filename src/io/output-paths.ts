import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../core/errors.js';

/** An output file the command will write, and the flag that named it. */
export interface OutputPath {
  flag: string;
  path: string;
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Check every output path before the first call: its folder exists and can be written, it is not
 * a folder, and it is none of the input files (writing there would destroy the input). Two flags
 * naming the same file are refused too. Exit 2, nothing sent.
 */
export function checkOutputs(cwd: string, outputs: readonly OutputPath[], inputs: readonly string[]): void {
  const inputReal = new Map<string, string>();
  for (const input of inputs) {
    if (input === '-') continue;
    const r = real(resolve(cwd, input));
    if (r) inputReal.set(r, input);
  }
  const seen = new Map<string, string>();
  for (const { flag, path } of outputs) {
    const full = resolve(cwd, path);
    const r = real(full) ?? full;
    const input = inputReal.get(r);
    if (input !== undefined) throw new UserError(`${flag} ${path} is also an input file (${input}): writing it would destroy the input`, 'write the results to another file');
    const other = seen.get(r);
    if (other !== undefined) throw new UserError(`${flag} ${path} is the same file as ${other}`, 'give each output a file of its own');
    seen.set(r, `${flag} ${path}`);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      // does not exist yet: its folder must
    }
    if (isDir) throw new UserError(`${flag} ${path} is a folder`, 'name a file');
    const folder = dirname(full);
    try {
      accessSync(folder, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(`${flag} ${path}: ${code === 'ENOENT' ? `the folder ${dirname(path)} does not exist` : `cannot write in ${dirname(path)} (${code})`}`, 'create the folder first, or choose another path; nothing was sent');
    }
  }
}
