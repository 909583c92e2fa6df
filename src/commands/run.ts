import { Command, Option } from 'commander';
import { failures } from '../core/money/accounting.js';
import { dryRun } from '../core/execution/dry-run.js';
import { UserError } from '../core/errors.js';
import type { ResultRecord, RunEvent } from '../core/execution/events.js';
import { didYouMean } from '../core/policy/suggest.js';
import { similarMatchers } from '../core/routing/similar.js';
import { sourceText } from '../core/prompt.js';
import { countInput, readPrompts, type InputOptions } from '../io/input.js';
import { AFTER_RUN, openOutput, writeJsonFile } from '../io/json-file.js';
import { checkOutputs } from '../io/output-paths.js';
import { ResultWriter } from '../io/results.js';
import { loadCounter } from '../io/tokenizer.js';
import { RunStore } from '../view/run-store.js';
import { addRoutesOption, collect, concurrencyArg, examples, fractionArg, loadPolicy, nonNegativeInt, positiveInt, seconds, usd } from './common.js';
import { write, type Context } from './context.js';
import { oneLineSummary, sourceCount, type RunOptions } from './run-shared.js';
import { addPromptFlags, promptSettings } from './prompt-flags.js';

export function runCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  const cmd = new Command('run')
    .description('route each prompt to the model its class names, run it, and report spend and savings against the baseline')
    .argument('[files...]', 'prompt files: .jsonl/.ndjson (one record per line) or any text file (one prompt); - for stdin (the default)')
    .option('-p, --prompt <text>', 'a prompt given inline (repeatable)', collect)
    .option('--dry-run', "send nothing: print each prompt's route and estimated cost, and the estimated savings")
    .option('-o, --output <file>', 'write the result records to FILE instead of stdout')
    .option('--summary-json <file>', 'write the run summary as JSON to FILE')
    .addOption(new Option('--format <format>', 'stdout format: text (the answer) or jsonl (one record per prompt); auto: text for a single text prompt').choices(['auto', 'jsonl', 'text']).default('auto'))
    .addOption(new Option('--input-format <format>', 'how to read stdin: auto detects JSONL records').choices(['auto', 'jsonl', 'text']).default('auto'))
    .option('-c, --concurrency <n>', 'requests in flight at once per provider (lowered on 429s)', concurrencyArg, 8)
    .option('-m, --model <alias>', "send every prompt to this model of the policy (the baseline stays the policy's)")
    .option('--max-tokens <n>', "cap every answer at N output tokens (a record's smaller max_tokens still applies)", positiveInt('--max-tokens'))
    .option('--retries <n>', 'retries per prompt on 408/409/429/5xx and dropped connections', nonNegativeInt('--retries'), 4)
    .option('--timeout <seconds>', 'give up on one attempt after this long', seconds('--timeout'), 600)
    .option('--max-retry-wait <seconds>', "longest retry-after to honour; a server asking for more fails the prompt", seconds('--max-retry-wait'), 300)
    .option('--resume', 'with -o: skip prompts that already have a successful record in the output file, retry failed ones, append the rest')
    .option('--max-spend <usd>', 'hard budget for the job in USD: nothing is sent that could take spend past it (exit 3 when reached)', usd('--max-spend'))
    .option('--cache', 'answer a prompt from an earlier identical request (same provider, model, messages, parameters) at no cost')
    .option('--no-ledger', 'do not record this run in the spend ledger')
    .option('--log-prompts', 'also store the prompt text in the ledger (by default only its hash)')
    .option('--home <dir>', 'where the ledger and cache live (default: $FRUGAL_HOME, else $XDG_DATA_HOME/frugal, else ~/.local/share/frugal)')
    .option('--offline', 'with --dry-run: make no call at all, not even the embedding calls of similar_to classes')
    .option('--output-tokens <n>', "dry run: expected answer length in tokens (capped by a record's max_tokens)", nonNegativeInt('--output-tokens'))
    .option('--escalation-rate <r>', "dry run: the share of a cascade step's answers assumed to fail its checks (0 to 1)", fractionArg('--escalation-rate'), 0.5)
    .option('--batch', "send prompts routed to openai/anthropic models through the providers' batch APIs (half price, results within 24 h); needs -o")
    .option('--no-wait', 'with --batch: submit, print the job id and the command that collects it, and exit')
    .option('--summary', "single prompt: print the one-line cost summary (a dry run's: the estimate) on stderr even when it is not a terminal")
    .option('-q, --quiet', 'no live view and no summary on stderr')
    .option('--stream', 'single prompt: stream the answer to stdout as it arrives even when stdout is a pipe (always on a terminal)')
    .addHelpText(
      'after',
      examples([
        'frugal run --dry-run examples/prompts.jsonl',
        'echo "What is the capital of Australia?" | frugal run',
        'answer=$(frugal run -p "Define idempotent")',
        'frugal run prompts.jsonl -o results.jsonl --summary-json summary.json',
        'frugal run --model quick --max-tokens 300 -c 16 prompts.jsonl > out.jsonl',
        'frugal run --batch prompts.jsonl -o results.jsonl --no-wait',
      ]),
    );
  addRoutesOption(cmd);
  addPromptFlags(cmd);
  cmd.action(async (files: string[], opts: RunOptions & { batch?: boolean; wait: boolean }) => {
    setExitCode(await run(ctx, files, opts));
  });
  return cmd;
}

async function run(ctx: Context, files: string[], opts: RunOptions & { batch?: boolean; wait: boolean }): Promise<number> {
  const policy = await loadPolicy(ctx, opts.routes);
  if (opts.model !== undefined && !policy.models.has(opts.model)) {
    throw new UserError(`--model ${opts.model}: no such model in ${policy.file}${didYouMean(opts.model, policy.models.keys())}`, `models: ${[...policy.models.keys()].join(', ')}`);
  }
  if (files.length === 0 && !opts.prompt?.length && ctx.stdin.isTTY) {
    throw new UserError('no prompts given', 'name prompt files (frugal run prompts.jsonl), pass -p "TEXT", or pipe prompts on stdin');
  }
  checkOutputs(ctx.cwd, [...(opts.output ? [{ flag: '-o', path: opts.output }] : []), ...(opts.summaryJson ? [{ flag: '--summary-json', path: opts.summaryJson }] : [])], files);
  opts.settings = await promptSettings(ctx.cwd, opts, policy, opts.model);
  const counter = await loadCounter(policy.tokenizer);
  // Ctrl-C ends the input where it is (dry and live runs; a batch run's Ctrl-C detaches instead).
  const stopInput = new AbortController();
  const input: InputOptions = {
    files,
    inline: opts.prompt ?? [],
    stdin: ctx.stdin,
    format: opts.inputFormat,
    system: opts.settings.system,
    warn: opts.quiet ? undefined : (message) => write(ctx.stderr, `frugal: warning: ${message}`),
    stop: stopInput.signal,
  };
  const store = new RunStore(policy);
  store.keepFinished = false;
  let code: number;
  if (opts.dryRun) {
    if (opts.resume) throw new UserError('--resume goes with a live run, not --dry-run');
    // The features step (and the embedder it opens) loads only for policies with similar_to classes.
    const features = similarMatchers(policy).length > 0 ? await (await import('./dry-run-features.js')).dryRunFeatures(ctx, policy, counter, opts) : undefined;
    const out = opts.output ? await openOutput(opts.output) : ctx.stdout;
    const writer = new ResultWriter(out, 'batch');
    const emit = (e: RunEvent) => {
      store.apply(e);
      if (e.type === 'input-error') write(ctx.stderr, `frugal: ${sourceText(e.file, e.line)}: ${e.message}`);
    };
    let interrupted = false;
    let records = 0;
    let last: ResultRecord | undefined;
    const release = ctx.onInterrupt(() => {
      interrupted = true;
      stopInput.abort();
    });
    try {
      await dryRun({
        items: readPrompts(input),
        policy,
        counter,
        forceRoute: opts.model,
        assumption: { tokens: opts.outputTokens, escalationRate: opts.escalationRate },
        emit,
        now: ctx.clock,
        write: (r) => {
          records++;
          last = r;
          return writer.write(r);
        },
        stopped: () => interrupted,
        features: features?.compute,
      });
    } finally {
      features?.close();
      release();
      await writer.close(out !== ctx.stdout);
    }
    // One prompt from one text source: a one-shot, summed up in one line as a live one is, and only
    // on a terminal or with --summary (a script's stderr stays quiet). Anything else: the table.
    const only = records === 1 && last !== undefined && last.source.line === undefined && sourceCount(input) === 1 && !last.cascade && !features && store.totals.stop === 'done' ? last : undefined;
    if (only) {
      if (opts.summary || (ctx.stderr.isTTY && !opts.quiet)) write(ctx.stderr, oneLineSummary(only, true));
    } else if (!opts.quiet) {
      const { summaryTable } = await import('../view/summary-table.js');
      write(ctx.stderr, summaryTable(store.totals, policy, { outputTokens: opts.outputTokens, columns: ctx.stderr.columns, escalationRate: opts.escalationRate }));
      if (features) write(ctx.stderr, features.report());
    }
    code = store.totals.stop === 'interrupted' ? 130 : failures(store.totals) > 0 ? 1 : 0;
  } else if ((await import('./run-batch.js')).wantsBatch(policy, opts)) {
    const { runBatch } = await import('./run-batch.js');
    code = await runBatch(ctx, { policy, counter, input: { ...input, stop: undefined }, store, opts });
  } else {
    if (opts.offline) throw new UserError('--offline goes with --dry-run: a live run sends prompts');
    const { runLive } = await import('./run-live.js');
    if (opts.resume && !opts.output) throw new UserError('--resume needs -o FILE: the output of the run to carry on', 'frugal run in.jsonl -o out.jsonl --resume');
    const release = ctx.onInterrupt(() => stopInput.abort());
    try {
      code = await runLive(ctx, { policy, counter, input, store, opts, total: opts.quiet ? undefined : () => countInput(input) });
    } finally {
      release();
    }
  }
  if (opts.summaryJson) {
    const { summaryJson } = await import('../view/summary-json.js');
    await writeJsonFile(opts.summaryJson, summaryJson(store.totals, policy, { outputTokens: opts.outputTokens, escalationRate: opts.escalationRate }), opts.dryRun ? undefined : AFTER_RUN);
  }
  return code;
}
