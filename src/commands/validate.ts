import { Command } from 'commander';
import { UserError } from '../core/errors.js';
import { locatePolicy, loadPolicyFile, type LocatedPolicy } from '../io/policy-file.js';
import { modelsTable, policyReport } from '../view/policy-report.js';
import { addRoutesOption, examples, loadPolicy } from './common.js';
import { write, type Context } from './context.js';

const ORIGIN = { flag: 'given file', cwd: './routes.yaml', config: 'user config', shipped: 'shipped example' } as const;

export function validateCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('validate')
    .description('check a policy and print what frugal resolved from it: models, prices, catalogue matches, classes')
    .argument('[file]', 'policy file (default: the one frugal would use)')
    .addHelpText('after', examples(['frugal validate', 'frugal validate team/routes.yaml']))
    .action(async (file: string | undefined) => {
      let located: LocatedPolicy;
      try {
        located = locatePolicy(file, ctx.cwd, ctx.env);
      } catch (err) {
        // locatePolicy's hint speaks of --routes; here the file is an argument.
        if (err instanceof UserError) throw new UserError(err.message, 'check the path, or run `frugal init FILE` to write a starter policy there');
        throw err;
      }
      const policy = await loadPolicyFile(located, ctx.cwd, { now: ctx.now(), env: ctx.env, useCache: false });
      write(ctx.stdout, policyReport(policy, ORIGIN[located.origin]));
      setExitCode(0);
    });
}

export function modelsCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  const cmd = new Command('models')
    .description("list the policy's models with their prices per million tokens and where each price comes from")
    .addHelpText('after', examples(['frugal models', 'frugal models --routes other.yaml']));
  addRoutesOption(cmd);
  return cmd.action(async (opts: { routes?: string }) => {
    write(ctx.stdout, modelsTable(await loadPolicy(ctx, opts.routes)));
    setExitCode(0);
  });
}
