import { Command, type Option } from 'commander';
import { UserError } from '../core/errors.js';
import { COMPLETION, SHELLS, type CompletionFlag, type CompletionSpec, type Shell } from '../view/completion.js';
import { addRoutesOption, examples, loadPolicy } from './common.js';
import { writeRaw, type Context } from './context.js';

const FILE_FLAGS = new Set(['--routes', '--output', '--summary-json', '--system-file', '--schema', '--html', '--home', '--input', '--from']);
const MODEL_FLAGS = new Set(['--model', '--baseline']);

function flagOf(o: Option, aliases: string[]): CompletionFlag {
  const value = o.required || o.optional;
  const choices = o.argChoices ?? (o.long && MODEL_FLAGS.has(o.long) && aliases.length ? aliases : undefined);
  return { short: o.short, long: o.long, description: o.description.split(/[;(]/)[0]!.trim(), value, file: value && FILE_FLAGS.has(o.long ?? ''), choices };
}

/** The spec of every command of the program, with the policy's aliases where a flag names a model. */
export function completionSpec(program: Command, aliases: string[]): CompletionSpec {
  return {
    aliases,
    commands: program.commands.map((c) => ({
      name: c.name(),
      description: c.description().split(/[:;]/)[0]!.trim(),
      flags: [...c.options.map((o) => flagOf(o, aliases)), { short: '-h', long: '--help', description: 'show help', value: false, file: false }],
      values: c.name() === 'completion' ? [...SHELLS] : undefined,
    })),
  };
}

export function completionCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  const cmd = new Command('completion')
    .description("print a completion script for bash, zsh or fish: commands, flags and the policy's model aliases")
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText('after', examples(['frugal completion bash > ~/.local/share/bash-completion/completions/frugal', 'frugal completion zsh > "${fpath[1]}/_frugal"', 'frugal completion fish > ~/.config/fish/completions/frugal.fish']));
  addRoutesOption(cmd);
  return cmd.action(async (shell: string, opts: { routes?: string }) => {
    if (!(SHELLS as readonly string[]).includes(shell)) throw new UserError(`completion ${shell}: unknown shell`, `choose from ${SHELLS.join(', ')}`);
    let aliases: string[] = [];
    try {
      aliases = [...(await loadPolicy(ctx, opts.routes)).models.keys()];
    } catch (err) {
      // A policy with mistakes must not stop completion of everything else.
      if (!(err instanceof UserError) || opts.routes !== undefined) throw err;
    }
    const { buildProgram } = await import('../cli.js');
    // Every command's module: argv names none in particular.
    const program = await buildProgram(ctx, () => {}, ['node', 'frugal']);
    writeRaw(ctx.stdout, COMPLETION[shell as Shell](completionSpec(program, aliases)));
    setExitCode(0);
  });
}
