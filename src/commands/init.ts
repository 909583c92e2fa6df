import { copyFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../core/errors.js';
import { SHIPPED_POLICY } from '../io/policy-file.js';
import { examples } from './common.js';
import { write, type Context } from './context.js';

export function initCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('init')
    .description('write a starter routes.yaml (the shipped example policy) to edit')
    .argument('[file]', 'where to write it', 'routes.yaml')
    .option('--force', 'overwrite the file if it exists')
    .addHelpText('after', examples(['frugal init', 'frugal init ~/.config/frugal/routes.yaml']))
    .action(async (file: string, opts: { force?: boolean }) => {
      const target = resolve(ctx.cwd, file);
      const exists = await stat(target).then(
        () => true,
        () => false,
      );
      if (exists && !opts.force) throw new UserError(`${file} already exists`, 'pass --force to overwrite it');
      try {
        await copyFile(SHIPPED_POLICY, target);
      } catch (err) {
        throw new UserError(`${file}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      write(ctx.stdout, `wrote ${file}: edit its models and classes, then check it with \`frugal validate ${file}\``);
      setExitCode(0);
    });
}
