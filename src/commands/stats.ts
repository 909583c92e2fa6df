import { Command, Option } from 'commander';
import { aggregate, parseSince, STATS_BY, type StatsBy } from '../core/money/stats.js';
import { readCallGroups } from '../io/ledger.js';
import { dataDir, dbPath } from '../io/store-path.js';
import { statsJson, statsTable } from '../view/stats-report.js';
import { examples } from './common.js';
import { write, writeRaw, type Context } from './context.js';

interface StatsOptions {
  since?: string;
  by: StatsBy;
  json?: boolean;
  home?: string;
}

export function statsCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('stats')
    .description('spend, baseline spend and savings across every recorded call, from the ledger')
    .option('--since <when>', 'only calls since a duration back from now (30m, 24h, 7d, 2w) or a UTC date (2026-11-01)')
    .addOption(new Option('--by <group>', 'one row per').choices(STATS_BY).default('model'))
    .option('--json', 'print the figures as JSON')
    .option('--home <dir>', 'data folder holding the ledger (default: $FRUGAL_HOME, then $XDG_DATA_HOME/frugal, then ~/.local/share/frugal)')
    .addHelpText('after', examples(['frugal stats', 'frugal stats --since 7d --by day', 'frugal stats --since 2026-11-01 --by route --json']))
    .action((opts: StatsOptions) => {
      const since = opts.since === undefined ? undefined : parseSince(opts.since, ctx.now());
      const dir = dataDir(ctx.env, ctx.cwd, opts.home);
      const groups = readCallGroups(dir, since);
      if (groups === undefined) write(ctx.stderr, `frugal: no ledger yet at ${dbPath(dir)}; calls are recorded there as they are made`);
      const stats = aggregate(groups ?? [], opts.by, since);
      if (opts.json) writeRaw(ctx.stdout, JSON.stringify(statsJson(stats)));
      else write(ctx.stdout, statsTable(stats));
      setExitCode(0);
    });
}
