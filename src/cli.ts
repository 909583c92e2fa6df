import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UserError } from './core/errors.js';
import type { Context } from './commands/context.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type CommandFactory = (ctx: Context, setExitCode: (code: number) => void) => Command;

// Each command's module (and what it imports) loads only when that command runs: a one-shot
// `frugal run` in a shell script pays for nothing else. Help and errors load them all, in order.
const COMMANDS = new Map<string, () => Promise<CommandFactory>>([
  ['run', async () => (await import('./commands/run.js')).runCommand],
  ['explain', async () => (await import('./commands/explain.js')).explainCommand],
  ['validate', async () => (await import('./commands/validate.js')).validateCommand],
  ['models', async () => (await import('./commands/validate.js')).modelsCommand],
  ['init', async () => (await import('./commands/init.js')).initCommand],
  ['stats', async () => (await import('./commands/stats.js')).statsCommand],
  ['compare', async () => (await import('./commands/compare.js')).compareCommand],
  ['batch', async () => (await import('./commands/batch.js')).batchCommand],
]);

/** The command `argv` names, or every command when it names none we know (help, typos). */
function commandsFor(argv: string[]): Promise<CommandFactory[]> {
  const one = COMMANDS.get(argv[2] ?? '');
  return Promise.all(one ? [one()] : [...COMMANDS.values()].map((load) => load()));
}

export async function buildProgram(ctx: Context, setExitCode: (code: number) => void, argv: string[]): Promise<Command> {
  const program = new Command('frugal')
    .description('Cost-aware prompt runner: route each prompt to the cheapest model that does the job, and see what you saved.')
    .version(VERSION)
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .exitOverride();
  for (const make of await commandsFor(argv)) {
    program.addCommand(make(ctx, setExitCode).exitOverride());
  }
  return program;
}

function processContext(): Context {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    clock: () => performance.now(),
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

/** The one top-level catch: user mistakes print a line and a hint; anything else is a bug and shows its stack. */
export async function main(argv: string[]): Promise<void> {
  const ctx = processContext();
  let code = 0;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // The reader went away (`frugal run ... | head`): stop quietly.
    if (err.code === 'EPIPE') process.exit(code);
    throw err;
  });
  try {
    await (await buildProgram(ctx, (c) => (code = c), argv)).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? 0 : 2;
    } else if (err instanceof UserError) {
      process.stderr.write(`frugal: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
      code = err.exitCode;
    } else {
      throw err;
    }
  }
  process.exitCode = code;
}
