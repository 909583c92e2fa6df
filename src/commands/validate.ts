import { Command } from 'commander';
import { PolicyError, UserError } from '../core/errors.js';
import { modelsJson, policyJson, problemsJson } from '../view/policy-json.js';
import { readConfig } from '../io/config-file.js';
import { locatePolicy, loadPolicyFile, type LocatedPolicy } from '../io/policy-file.js';
import { modelsTable, policyReport } from '../view/policy-report.js';
import { addRoutesOption, examples, loadPolicy } from './common.js';
import { write, writeRaw, type Context } from './context.js';

const ORIGIN = { flag: 'given file', cwd: './routes.yaml', config: 'user config', shipped: 'shipped example', 'config-file': 'routes: in config.yaml' } as const;

export function validateCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('validate')
    .description('check a policy and print what frugal resolved from it: models, prices, catalogue matches, classes')
    .argument('[file]', 'policy file (default: the one frugal would use)')
    .option('--json', 'print what frugal resolved (or every problem) as JSON on stdout')
    .addHelpText('after', examples(['frugal validate', 'frugal validate team/routes.yaml', 'frugal validate --json | jq .models']))
    .action(async (file: string | undefined, opts: { json?: boolean }) => {
      let located: LocatedPolicy;
      try {
        // No file named: config.yaml's `routes:`, when it sets one, like the other commands' --routes.
        const configured = file === undefined ? (await readConfig(ctx.env))?.values.get('routes')?.text : undefined;
        located = configured !== undefined ? { path: configured, origin: 'config-file' as const } : locatePolicy(file, ctx.cwd, ctx.env);
      } catch (err) {
        // locatePolicy's hint speaks of --routes; here the file is an argument.
        if (err instanceof UserError) throw new UserError(err.message, 'check the path, or run `frugal init FILE` to write a starter policy there');
        throw err;
      }
      let policy;
      try {
        policy = await loadPolicyFile(located, ctx.cwd, { now: ctx.now(), env: ctx.env, useCache: false });
      } catch (err) {
        if (!(opts.json && err instanceof PolicyError)) throw err;
        writeRaw(ctx.stdout, JSON.stringify(problemsJson(err)));
        setExitCode(2);
        return;
      }
      if (opts.json) writeRaw(ctx.stdout, JSON.stringify(policyJson(policy, ORIGIN[located.origin])));
      else write(ctx.stdout, policyReport(policy, ORIGIN[located.origin]));
      setExitCode(0);
    });
}

export function modelsCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  const cmd = new Command('models')
    .description("list the policy's models with their prices per million tokens and where each price comes from")
    .option('--json', 'print the models as JSON')
    .addHelpText('after', examples(['frugal models', 'frugal models --routes other.yaml', 'frugal models --json']));
  addRoutesOption(cmd);
  return cmd.action(async (opts: { routes?: string; json?: boolean }) => {
    const policy = await loadPolicy(ctx, opts.routes);
    if (opts.json) writeRaw(ctx.stdout, JSON.stringify(modelsJson(policy)));
    else write(ctx.stdout, modelsTable(policy));
    setExitCode(0);
  });
}
