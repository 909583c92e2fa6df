import { Command } from 'commander';
import { CONFIG_KEYS, readConfig, type ConfigFile, type ConfigKey } from '../io/config-file.js';
import { locatePolicy } from '../io/policy-file.js';
import { dataDir } from '../io/store-path.js';
import { examples } from './common.js';
import { write, writeRaw, type Context } from './context.js';

const DEFAULT_CONCURRENCY = 8;

interface Setting {
  key: ConfigKey;
  value: string;
  from: string;
}

function effective(ctx: Context, config: ConfigFile | undefined): Setting[] {
  const fromConfig = (key: ConfigKey) => {
    const v = config?.values.get(key);
    return v ? { value: v.text, from: `${config!.path}:${v.line}` } : undefined;
  };
  const routes = fromConfig('routes') ?? (() => {
    const located = locatePolicy(undefined, ctx.cwd, ctx.env);
    const from = { cwd: './routes.yaml in the current folder', config: 'the user policy in the config folder', shipped: 'the example shipped with frugal', flag: '--routes', 'config-file': 'config.yaml' }[located.origin];
    return { value: located.path, from };
  })();
  const homeFlag = fromConfig('home');
  const home = homeFlag ?? { value: dataDir(ctx.env, ctx.cwd), from: ctx.env.FRUGAL_HOME ? '$FRUGAL_HOME' : ctx.env.XDG_DATA_HOME ? '$XDG_DATA_HOME/frugal' : '~/.local/share/frugal (default)' };
  return [
    { key: 'routes', ...routes },
    { key: 'concurrency', ...(fromConfig('concurrency') ?? { value: String(DEFAULT_CONCURRENCY), from: 'default' }) },
    { key: 'max_spend', ...(fromConfig('max_spend') ?? { value: 'none', from: "default (the policy's budget.max_spend applies if it has one)" }) },
    { key: 'home', ...home },
  ];
}

export function configCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('config')
    .description('show the effective defaults (policy file, concurrency, max spend, data folder) and where each comes from')
    .option('--json', 'print them as JSON')
    .addHelpText(
      'after',
      `\nThe config file is $XDG_CONFIG_HOME/frugal/config.yaml (~/.config/frugal/config.yaml), with any of:\n${Object.values(CONFIG_KEYS).map((k) => `  ${k.example}`).join('\n')}\nFlags win over it.\n${examples(['frugal config', 'frugal config --json'])}`,
    )
    .action(async (opts: { json?: boolean }) => {
      const config = await readConfig(ctx.env);
      const settings = effective(ctx, config);
      if (opts.json) {
        writeRaw(ctx.stdout, JSON.stringify({ file: config?.path ?? null, file_exists: config?.exists ?? false, settings: Object.fromEntries(settings.map((s) => [s.key, { value: s.value, from: s.from }])) }));
      } else {
        const width = Math.max(...settings.map((s) => s.key.length));
        const head = config ? `config file: ${config.path}${config.exists ? '' : ' (none yet)'}` : 'config file: none ($XDG_CONFIG_HOME and $HOME are unset)';
        write(ctx.stdout, [head, '', ...settings.map((s) => `${s.key.padEnd(width)}  ${s.value}  (${s.from})`)].join('\n'));
      }
      setExitCode(0);
    });
}
