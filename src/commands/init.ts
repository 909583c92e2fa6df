import { readFile, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { Command } from 'commander';
import { UserError } from '../core/errors.js';
import { didYouMean } from '../core/policy/suggest.js';
import { parseProviders, starterPolicy, STARTER_PROVIDERS, type StarterProvider } from '../core/policy/starter.js';
import { SHIPPED_POLICY } from '../io/policy-file.js';
import { examples } from './common.js';
import { write, type Context } from './context.js';

interface InitOptions {
  force?: boolean;
  providers?: string;
}

/** On a terminal (`terminal`, the context's stdin) with no --providers: ask, suggesting the providers whose keys are set. */
async function askProviders(ctx: Context, terminal: Readable): Promise<StarterProvider[]> {
  const guess = STARTER_PROVIDERS.filter((p) => (p === 'openai' ? ctx.env.OPENAI_API_KEY : p === 'anthropic' ? ctx.env.ANTHROPIC_API_KEY : false));
  const fallback = guess.length > 0 ? guess : (['openai', 'anthropic'] as StarterProvider[]);
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: terminal, output: ctx.stderr });
  try {
    for (;;) {
      const answer = await rl.question(`Which providers do you have? ${STARTER_PROVIDERS.join(', ')} (comma-separated) [${fallback.join(',')}]: `);
      if (answer.trim() === '') return fallback;
      const parsed = parseProviders(answer);
      if (parsed.ok) return parsed.value;
      write(ctx.stderr, `frugal: unknown provider ${parsed.unknown.map((u) => `"${u}"${didYouMean(u, STARTER_PROVIDERS)}`).join(', ')}; choose from ${STARTER_PROVIDERS.join(', ')}`);
    }
  } finally {
    rl.close();
  }
}

export function initCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('init')
    .description('write a starter routes.yaml for the providers you have, to edit')
    .argument('[file]', 'where to write it', 'routes.yaml')
    .option('--providers <list>', `the providers you have keys or servers for, comma-separated: ${STARTER_PROVIDERS.join(', ')} (asked on a terminal; default openai,anthropic)`)
    .option('--force', 'overwrite the file if it exists')
    .addHelpText('after', examples(['frugal init', 'frugal init --providers openai', 'frugal init --providers anthropic,ollama ~/.config/frugal/routes.yaml']))
    .action(async (file: string, opts: InitOptions) => {
      let providers: StarterProvider[] = ['openai', 'anthropic'];
      if (opts.providers !== undefined) {
        const parsed = parseProviders(opts.providers);
        if (!parsed.ok) {
          const what = parsed.unknown.length ? `unknown provider ${parsed.unknown.map((u) => `"${u}"${didYouMean(u, STARTER_PROVIDERS)}`).join(', ')}` : 'no provider named';
          throw new UserError(`--providers: ${what}`, `choose from ${STARTER_PROVIDERS.join(', ')}, e.g. --providers openai,anthropic`);
        }
        providers = parsed.value;
      }
      const target = resolve(ctx.cwd, file);
      const exists = await stat(target).then(
        () => true,
        () => false,
      );
      if (exists && !opts.force) throw new UserError(`${file} already exists`, 'pass --force to overwrite it');
      if (opts.providers === undefined && ctx.stdin.isTTY && ctx.stderr.isTTY) providers = await askProviders(ctx, ctx.stdin);
      try {
        // The two API providers get the shipped example itself, comments and all.
        const shipped = providers.length === 2 && providers.includes('openai') && providers.includes('anthropic');
        await writeFile(target, shipped ? await readFile(SHIPPED_POLICY, 'utf8') : starterPolicy(providers), { mode: 0o644 });
      } catch (err) {
        throw new UserError(`${file}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      write(ctx.stdout, `wrote ${file} for ${providers.join(', ')}: edit its models and classes, then check it with \`frugal validate ${file}\``);
      setExitCode(0);
    });
}
