import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UserError } from './core/errors.js';
import { explainCommand } from './commands/explain.js';
import { initCommand } from './commands/init.js';
import { runCommand } from './commands/run.js';
import { modelsCommand, validateCommand } from './commands/validate.js';
import type { Context } from './commands/context.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildProgram(ctx: Context, setExitCode: (code: number) => void): Command {
  const program = new Command('frugal')
    .description('Cost-aware prompt runner: route each prompt to the cheapest model that does the job, and see what you saved.')
    .version(VERSION)
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .exitOverride();
  for (const make of [runCommand, explainCommand, validateCommand, modelsCommand, initCommand]) {
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
    await buildProgram(ctx, (c) => (code = c)).parseAsync(argv);
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
