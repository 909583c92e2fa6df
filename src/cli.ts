import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UserError } from './core/errors.js';
import { applyConfig } from './commands/apply-config.js';
import type { Context } from './commands/context.js';
import { readConfig } from './io/config-file.js';
import { processStdin, type Stdin } from './io/stdin.js';
import { processOutput } from './io/stdout.js';
import { packageFile } from './package-root.js';
import { safeText } from './view/safe-text.js';

const VERSION = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;

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
  ['logs', async () => (await import('./commands/logs.js')).logsCommand],
  ['config', async () => (await import('./commands/config.js')).configCommand],
  ['completion', async () => (await import('./commands/completion.js')).completionCommand],
  ['compare', async () => (await import('./commands/compare.js')).compareCommand],
  ['test', async () => (await import('./commands/test.js')).testCommand],
  ['batch', async () => (await import('./commands/batch.js')).batchCommand],
  ['train', async () => (await import('./commands/train.js')).trainCommand],
]);

/** The command `argv` names, or every command when it names none we know (help, typos). */
function commandsFor(argv: string[]): Promise<CommandFactory[]> {
  // `frugal --version` (scripts check it) needs no command at all.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) return Promise.resolve([]);
  const one = COMMANDS.get(argv[2] ?? '');
  return Promise.all(one ? [one()] : [...COMMANDS.values()].map((load) => load()));
}

/** A Commander error message with frugal's prefix and without escape sequences from the arguments it quotes. */
export function commanderError(text: string): string {
  return safeText(text).replace(/^error: /, 'frugal: ');
}

/** How a user mistake is printed: `frugal: message`, then the hint. */
export function userErrorText(err: UserError): string {
  return safeText(`frugal: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
}

export async function buildProgram(ctx: Context, setExitCode: (code: number) => void, argv: string[]): Promise<Command> {
  // Help and usage errors go to the context's streams; addCommand does not pass this on by itself.
  const output = {
    writeOut: (s: string) => ctx.stdout.write(s),
    writeErr: (s: string) => ctx.stderr.write(s),
    // Commander's own errors ("error: unknown option '--x'") speak as frugal, like every other error.
    outputError: (s: string, write: (s: string) => void) => write(commanderError(s)),
  };
  const program = new Command('frugal')
    .description('Cost-aware prompt runner: route each prompt to the cheapest model that does the job, and see what you saved.')
    .version(VERSION)
    .showSuggestionAfterError()
    .configureOutput(output)
    .exitOverride()
    // Defaults from config.yaml fill what the command line left out.
    .hook('preAction', async (_program, action) => {
      applyConfig(action, await readConfig(ctx.env));
    });
  for (const make of await commandsFor(argv)) {
    program.addCommand(make(ctx, setExitCode).exitOverride().configureOutput(output));
  }
  return program;
}

function processContext(): Context {
  let stdin: Stdin | undefined;
  let stderr: Context['stderr'] | undefined;
  return {
    // Getters: each is made when first used (a --quiet one-shot never writes to stderr). Pipes and
    // files are read and written through their descriptors, without node:net (io/stdin.ts, io/stdout.ts).
    get stdin() {
      return (stdin ??= processStdin());
    },
    stdout: processOutput(1, () => process.stdout),
    get stderr() {
      return (stderr ??= processOutput(2, () => process.stderr));
    },
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    // Not performance.now(): the first use of `performance` loads perf_hooks, a millisecond of start-up.
    clock: () => Number(process.hrtime.bigint()) / 1e6,
    // SIGTERM (what `timeout`, CI cancellation and service managers send) is Ctrl-C.
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

export interface Outcome {
  code: number;
  /** stdout's reader went away (`frugal run ... | head`): the invocation was left where it was. */
  brokenPipe: boolean;
}

/**
 * One invocation in `ctx`, with the one top-level catch: user mistakes print a line and a hint and
 * give their exit code; anything else is a bug and rejects with its stack. When stdout's reader goes
 * away, resolves at once with the exit code so far (the process entry then exits quietly).
 */
export function runFrugal(argv: string[], ctx: Context): Promise<Outcome> {
  let code = 0;
  let settled = false;
  return new Promise<Outcome>((resolve, reject) => {
    const settle = (outcome: Outcome) => {
      settled = true;
      resolve(outcome);
    };
    // Left in place after the invocation: a write still pending at its end may fail too.
    ctx.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') settle({ code, brokenPipe: true });
      else if (outputFault(err)) settle({ code: outputFailed(ctx, err), brokenPipe: true });
      else if (settled) throw err;
      else reject(err);
    });
    invoke(argv, ctx, (c) => (code = c)).then(
      (c) => settle({ code: c ?? code, brokenPipe: false }),
      (err: unknown) => {
        settled = true;
        reject(err);
      },
    );
  });
}

/** Resolves to the exit code of a user mistake, or undefined when the command ran (and set its own). */
async function invoke(argv: string[], ctx: Context, setExitCode: (code: number) => void): Promise<number | undefined> {
  try {
    await (await buildProgram(ctx, setExitCode, argv)).parseAsync(argv);
    return undefined;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UserError) {
      ctx.stderr.write(userErrorText(err));
      return err.exitCode;
    }
    // Standard output on a full disk (`> file`, writes that throw at once): a failed run, not a crash.
    if (outputFault(err)) return outputFailed(ctx, err);
    throw err;
  }
}

/** A write that failed for want of room or a device: the disk is full, the quota spent, the device gone. */
const outputFault = (err: unknown): err is NodeJS.ErrnoException =>
  err instanceof Error && (err as NodeJS.ErrnoException).syscall === 'write' && ['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO'].includes((err as NodeJS.ErrnoException).code ?? '');

function outputFailed(ctx: Context, err: NodeJS.ErrnoException): number {
  ctx.stderr.write(`frugal: cannot write to standard output (${err.code}: ${err.message.replace(/^\w+: /, '').replace(/, write$/, '')})\n  hint: free some space, or send the records to a file on another disk with -o FILE\n`);
  return 1;
}

/** The process entry (bin/frugal.js): the only place frugal ends its process itself. */
export async function main(argv: string[]): Promise<void> {
  const { code, brokenPipe } = await runFrugal(argv, processContext());
  if (brokenPipe) process.exit(code);
  process.exitCode = code;
}
