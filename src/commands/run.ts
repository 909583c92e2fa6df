import { Command, Option } from 'commander';
import { applyEvent, emptyTotals, failures } from '../core/accounting.js';
import { dryRun } from '../core/dry-run.js';
import type { RunEvent } from '../core/events.js';
import { countInput, readPrompts, type InputFormat, type InputOptions } from '../io/input.js';
import { ResultWriter } from '../io/results.js';
import { loadCounter } from '../io/tokenizer.js';
import { summaryJson } from '../view/summary-json.js';
import { summaryTable } from '../view/summary-table.js';
import { openOutput, writeJsonFile } from '../io/json-file.js';
import { addRoutesOption, collect, examples, loadPolicy, nonNegativeInt } from './common.js';
import { write, type Context } from './context.js';

export interface RunOptions {
  routes?: string;
  prompt?: string[];
  dryRun?: boolean;
  output?: string;
  summaryJson?: string;
  outputTokens?: number;
  inputFormat: InputFormat;
  quiet?: boolean;
}

export function runCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  const cmd = new Command('run')
    .description('route each prompt to its model and run it; with --dry-run, only route and price it')
    .argument('[files...]', 'prompt files: .jsonl (one record per line) or any text file (one prompt); - for stdin')
    .option('-p, --prompt <text>', 'a prompt given inline (repeatable)', collect)
    .option('--dry-run', 'send nothing: print each prompt\'s route and estimated cost, and the estimated savings')
    .option('-o, --output <file>', 'write the result records to FILE instead of stdout')
    .option('--summary-json <file>', 'write the run summary as JSON to FILE')
    .option('--output-tokens <n>', 'dry run: expected answer length in tokens (capped by a record\'s max_tokens)', nonNegativeInt('--output-tokens'))
    .addOption(new Option('--input-format <format>', 'how to read stdin').choices(['auto', 'jsonl', 'text']).default('auto'))
    .option('-q, --quiet', 'no progress and no summary on stderr')
    .addHelpText(
      'after',
      examples([
        'frugal run --dry-run examples/prompts.jsonl',
        'echo "What is the capital of Australia?" | frugal run --dry-run',
        'frugal run --dry-run --output-tokens 500 --summary-json summary.json prompts.jsonl > routes.jsonl',
      ]),
    );
  addRoutesOption(cmd);
  cmd.action(async (files: string[], opts: RunOptions) => {
    setExitCode(await run(ctx, files, opts));
  });
  return cmd;
}

async function run(ctx: Context, files: string[], opts: RunOptions): Promise<number> {
  const policy = loadPolicy(ctx, opts.routes);
  const counter = await loadCounter(policy.tokenizer);
  const input: InputOptions = { files, inline: opts.prompt ?? [], stdin: ctx.stdin, format: opts.inputFormat };
  const out = opts.output ? await openOutput(opts.output) : ctx.stdout;
  const writer = new ResultWriter(out, 'batch');
  const totals = emptyTotals(policy);
  const emit = (e: RunEvent) => {
    applyEvent(totals, e);
    if (e.type === 'input-error') write(ctx.stderr, `frugal: ${e.file}${e.line === undefined ? '' : `:${e.line}`}: ${e.message}`);
  };
  let interrupted = false;
  const release = ctx.onInterrupt(() => {
    interrupted = true;
  });
  try {
    await dryRun({
      items: readPrompts(input),
      policy,
      counter,
      assumption: { tokens: opts.outputTokens },
      emit,
      now: ctx.clock,
      write: (r) => writer.write(r),
      total: opts.quiet ? undefined : await countInput(input),
      stopped: () => interrupted,
    });
  } finally {
    release();
    await writer.close(out !== ctx.stdout);
  }
  if (opts.summaryJson) await writeJsonFile(opts.summaryJson, summaryJson(totals, policy, { outputTokens: opts.outputTokens }));
  if (!opts.quiet) write(ctx.stderr, summaryTable(totals, policy, { outputTokens: opts.outputTokens }));
  if (totals.stop === 'interrupted') return 130;
  return failures(totals) > 0 ? 1 : 0;
}
