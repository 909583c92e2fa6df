import { Command } from 'commander';
import { parseSince } from '../core/money/stats.js';
import { readCalls } from '../io/ledger-read.js';
import { dataDir, dbPath } from '../io/store-path.js';
import { logsJson, logsText } from '../view/logs-report.js';
import { examples, positiveInt } from './common.js';
import { write, writeRaw, type Context } from './context.js';

interface LogsOptions {
  number: number;
  id?: string;
  since?: string;
  json?: boolean;
  home?: string;
}

export function logsCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('logs')
    .description('recent calls from the ledger: time, route, model, tokens, cost, and the prompt when the run kept it (--log-prompts)')
    .option('-n, --number <n>', 'how many calls, the most recent', positiveInt('-n'), 10)
    .option('--id <id>', 'only the calls of this prompt id, or of the run whose id starts with this')
    .option('--since <when>', 'only calls since a duration back from now (30m, 24h, 7d) or a UTC date (2026-11-01)')
    .option('--json', 'print the calls as a JSON array')
    .option('--home <dir>', 'data folder holding the ledger (default: $FRUGAL_HOME, then $XDG_DATA_HOME/frugal, then ~/.local/share/frugal)')
    .addHelpText('after', examples(['frugal logs', 'frugal logs -n 50 --since 1h', 'frugal logs --id q17 --json']))
    .action((opts: LogsOptions) => {
      const since = opts.since === undefined ? undefined : parseSince(opts.since, ctx.now());
      const dir = dataDir(ctx.env, ctx.cwd, opts.home);
      const calls = readCalls(dir, { limit: opts.number, id: opts.id, since });
      if (calls === undefined) write(ctx.stderr, `frugal: no ledger yet at ${dbPath(dir)}; calls are recorded there as they are made`);
      if (opts.json) writeRaw(ctx.stdout, JSON.stringify(logsJson(calls ?? [])));
      else write(ctx.stdout, logsText(calls ?? []));
      setExitCode(0);
    });
}
