import { Command } from 'commander';
import { locatePolicy, loadPolicyFile } from '../io/policy-file.js';
import { modelsTable, policyReport } from '../view/policy-report.js';
import { addRoutesOption, examples, loadPolicy } from './common.js';
import { write, type Context } from './context.js';

const ORIGIN = { flag: 'given file', cwd: './routes.yaml', config: 'user config', shipped: 'shipped example' } as const;

export function validateCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('validate')
    .description('check a policy and print what frugal resolved from it: models, prices, catalogue matches, classes')
    .argument('[file]', 'policy file (default: the one frugal would use)')
    .addHelpText('after', examples(['frugal validate', 'frugal validate team/routes.yaml']))
    .action((file: string | undefined) => {
      const located = locatePolicy(file, ctx.cwd, ctx.env);
      const policy = loadPolicyFile(located, ctx.cwd, ctx.now());
      write(ctx.stdout, policyReport(policy, ORIGIN[located.origin]));
      setExitCode(0);
    });
}

export function modelsCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  const cmd = new Command('models')
    .description("list the policy's models with their prices per million tokens and where each price comes from")
    .addHelpText('after', examples(['frugal models', 'frugal models --routes other.yaml']));
  addRoutesOption(cmd);
  return cmd.action((opts: { routes?: string }) => {
    write(ctx.stdout, modelsTable(loadPolicy(ctx, opts.routes)));
    setExitCode(0);
  });
}
